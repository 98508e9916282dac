import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { AT_ONCE, quietLoop } from '../../engine/host/spare-gate.ts';

const spin = (ms: number) => {
  const t = performance.now();
  while (performance.now() - t < ms) {
    // The loop is busy: nothing else runs.
  }
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Decision 300: the time machine's spare starts when the host's loop has been quiet, read from its utilisation. */
describe('quietLoop', () => {
  it('says busy after a spell the loop spent running, quiet after one it spent waiting', async () => {
    // A share of 25 % (the host's is 5 %) leaves room for the test worker's own turns and a loaded machine.
    const gate = quietLoop(0.25, 1000);
    expect(gate.everyMs).toBe(1000);
    spin(200);
    expect(gate.quiet()).toBe(false);
    await sleep(1000);
    expect(gate.quiet()).toBe(true);
    spin(200);
    expect(gate.quiet()).toBe(false);
  });

  it('reads from the start of a wait: a busy spell before `begin` does not count', async () => {
    // Without `begin` the spell read would be at least 300 of 900 ms busy (33 %, over the 25 % asked).
    const gate = quietLoop(0.25, 1000);
    spin(300);
    gate.begin?.();
    await sleep(600);
    expect(gate.quiet()).toBe(true);
  });

  it('AT_ONCE never waits', () => {
    expect(AT_ONCE.everyMs).toBe(0);
    expect(AT_ONCE.quiet()).toBe(true);
  });
});
