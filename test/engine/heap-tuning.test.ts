import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, HEAP_SMALL_GROWING_PERCENT, HEAP_TIGHT_FROM_BYTES, heapGrowth, type HeapGrowthDeps } from '../../engine/host/heap-tuning.ts';

/** V8's used heap and flag setter stood in for (V8 is not Ordo's; its flags cannot be read back), and a timer run by hand. */
function fakeV8(used: number): { deps: HeapGrowthDeps; flags: string[]; tick: () => void; timers: () => number; setUsed: (n: number) => void } {
  const flags: string[] = [];
  let runs: (() => void)[] = [];
  let usedNow = used;
  return {
    flags,
    setUsed: (n) => (usedNow = n),
    tick: () => [...runs].forEach((r) => r()),
    timers: () => runs.length,
    deps: {
      usedBytes: () => usedNow,
      setFlag: (f) => flags.push(f),
      every: (_ms, run) => {
        runs.push(run);
        return () => (runs = runs.filter((r) => r !== run));
      },
    },
  };
}

describe('host heap growth (decisions 170, 226)', () => {
  it('keeps V8 its own growth while the used heap is small, and holds it to the percent once the heap reaches the threshold, once', () => {
    const v8 = fakeV8(40 << 20);
    expect(heapGrowth(HEAP_GROWING_PERCENT, HEAP_TIGHT_FROM_BYTES, v8.deps)).toBe(false);
    expect(v8.flags).toEqual([]);
    v8.tick();
    v8.setUsed(HEAP_TIGHT_FROM_BYTES - 1);
    v8.tick();
    expect(v8.flags).toEqual([]);
    v8.setUsed(HEAP_TIGHT_FROM_BYTES);
    v8.tick();
    expect(v8.flags).toEqual(['--heap-growing-percent=30']);
    // It stops looking: nothing more is set, whatever the heap does.
    expect(v8.timers()).toBe(0);
    v8.tick();
    expect(v8.flags).toEqual(['--heap-growing-percent=30']);
  });

  it('a small heap gets the growth for small heaps at once, then the tight growth at the threshold (decision 264)', () => {
    const v8 = fakeV8(40 << 20);
    expect(heapGrowth(HEAP_GROWING_PERCENT, HEAP_TIGHT_FROM_BYTES, v8.deps, HEAP_SMALL_GROWING_PERCENT)).toBe(false);
    expect(v8.flags).toEqual(['--heap-growing-percent=200']);
    v8.tick();
    expect(v8.flags).toEqual(['--heap-growing-percent=200']);
    v8.setUsed(HEAP_TIGHT_FROM_BYTES);
    v8.tick();
    expect(v8.flags).toEqual(['--heap-growing-percent=200', '--heap-growing-percent=30']);
    expect(v8.timers()).toBe(0);
    // A heap already past the threshold gets only the tight growth.
    const big = fakeV8(HEAP_TIGHT_FROM_BYTES);
    expect(heapGrowth(HEAP_GROWING_PERCENT, HEAP_TIGHT_FROM_BYTES, big.deps, HEAP_SMALL_GROWING_PERCENT)).toBe(true);
    expect(big.flags).toEqual(['--heap-growing-percent=30']);
  });

  it('sets the growth at once when the heap is already past the threshold, or when the threshold is 0', () => {
    const big = fakeV8(HEAP_TIGHT_FROM_BYTES + 1);
    expect(heapGrowth(30, HEAP_TIGHT_FROM_BYTES, big.deps)).toBe(true);
    expect(big.flags).toEqual(['--heap-growing-percent=30']);
    expect(big.timers()).toBe(0);
    const now = fakeV8(1);
    expect(heapGrowth(0, 0, now.deps)).toBe(true);
    expect(now.flags).toEqual(['--heap-growing-percent=0']);
  });

  it('a later call replaces a pending look (no second flag from the first call)', () => {
    const v8 = fakeV8(1);
    heapGrowth(30, 100, v8.deps);
    expect(v8.timers()).toBe(1);
    heapGrowth(0, 0, v8.deps);
    expect(v8.timers()).toBe(0);
    v8.setUsed(1000);
    v8.tick();
    expect(v8.flags).toEqual(['--heap-growing-percent=0']);
  });

  it('with V8 itself: a threshold the heap has passed sets the flag now', () => {
    // 0 % is V8's own growth: the test process is left as it was.
    expect(heapGrowth(0, 1)).toBe(true);
  });
});
