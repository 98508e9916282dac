import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PREFAULT_FROM_EVENTS } from '../../engine/oms/order-table/chunk-prefault.ts';
import { DEFAULT_HUGE_HEAP_MIB, hugeHeapFromEnv } from '../../engine/native/huge-heap.ts';
import { runOrdo } from './helpers/cli.ts';
import { storedSessions } from './helpers/stored-session.ts';

const DIST = (p: string): string => fileURLToPath(new URL(`../../dist/engine/${p}`, import.meta.url));

/** Runs `ordo ARGS` with ORDO_HUGE_HEAP_MIB set to `mib` (undefined: unset) for that process only. */
async function ordoWithHeap(mib: string | undefined, args: string[]) {
  const prev = process.env['ORDO_HUGE_HEAP_MIB'];
  if (mib === undefined) delete process.env['ORDO_HUGE_HEAP_MIB'];
  else process.env['ORDO_HUGE_HEAP_MIB'] = mib;
  try {
    return await runOrdo(args, 120_000);
  } finally {
    if (prev === undefined) delete process.env['ORDO_HUGE_HEAP_MIB'];
    else process.env['ORDO_HUGE_HEAP_MIB'] = prev;
  }
}

/** Whether this kernel hands out transparent huge pages to advised memory ("always" or "madvise"). */
function thpAdvisable(): boolean {
  try {
    return !/\[never\]/.test(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'));
  } catch {
    return false;
  }
}

const { storedSession } = storedSessions('huge-heap');

/**
 * Decision 290: a process that folds a session's state (ordo host, component, state, checkpoint, replay, verify)
 * starts with a malloc heap grown at once and advised for 2 MiB pages (the native addon's reserveHeap), and a long
 * replay then makes its column memory on its own thread (no prefault worker). Where the bytes live changes; the
 * state does not. ORDO_HUGE_HEAP_MIB=0 keeps glibc's heap; a bad value is a one-line usage error.
 */
describe('the huge-page heap', () => {
  it('reads ORDO_HUGE_HEAP_MIB: unset is the default, 0 and off keep glibc\'s heap, anything else outside 8-1024 MiB is refused by name', () => {
    expect(hugeHeapFromEnv(undefined)).toBe(DEFAULT_HUGE_HEAP_MIB);
    expect(hugeHeapFromEnv('')).toBe(DEFAULT_HUGE_HEAP_MIB);
    expect(hugeHeapFromEnv('0')).toBe(0);
    expect(hugeHeapFromEnv('off')).toBe(0);
    expect(hugeHeapFromEnv('64')).toBe(64);
    for (const bad of ['abc', '4', '1025', '1.5', '-8', ' 64', '99999']) {
      expect(() => hugeHeapFromEnv(bad)).toThrow(`ORDO_HUGE_HEAP_MIB must be 0, off or a whole number of MiB from 8 to 1024, got '${bad}'`);
    }
  });

  it('advises a stretch of the heap for huge pages once per process, and a long replay then takes no prefault worker', () => {
    // A process of its own (the test runner's heap is not the product's), from the built modules.
    const script = `
      import { readFileSync } from 'node:fs';
      import { reserveHugeHeap, hugeHeapInForce } from ${JSON.stringify(DIST('native/huge-heap.js'))};
      import { withChunkPrefault, PREFAULT_FROM_EVENTS } from ${JSON.stringify(DIST('oms/order-table/chunk-prefault.js'))};
      const first = reserveHugeHeap(64);
      const again = reserveHugeHeap(128);
      // The smaps entries that hold the advised stretch: every one of them eligible for huge pages.
      const eligible = [];
      let start = 0, end = 0;
      for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
        const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
        if (m) { start = parseInt(m[1], 16); end = parseInt(m[2], 16); continue; }
        const e = /^THPeligible:\\s+(\\d)/.exec(line);
        if (e) eligible.push({ bytes: end - start, eligible: e[1] === '1' });
      }
      const advisedMappings = eligible.filter((x) => x.eligible && x.bytes >= 60 * 2 ** 20).length;
      const replay = withChunkPrefault(PREFAULT_FROM_EVENTS * 4, () => 7);
      console.log(JSON.stringify({ first, again, inForce: hugeHeapInForce(), advisedMappings, replay }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { first: { advisedBytes: number; reason?: string }; again: unknown; inForce: boolean; advisedMappings: number; replay: unknown };
    expect(out.again).toEqual(out.first);
    if (process.platform !== 'linux') {
      expect(out.first).toEqual({ advisedBytes: 0, reason: 'not Linux' });
      return;
    }
    // The addon is built at install on Linux (npm run build:native); a stretch of 64 MiB less its first 2-4 MiB.
    expect(out.first.reason).toBeUndefined();
    expect(out.first.advisedBytes).toBeGreaterThanOrEqual(60 * 2 ** 20);
    expect(out.first.advisedBytes).toBeLessThanOrEqual(64 * 2 ** 20);
    expect(out.inForce).toBe(true);
    if (thpAdvisable()) expect(out.advisedMappings).toBeGreaterThanOrEqual(1);
    // No worker: the replay runs alone, nothing taken from or made for a prefault.
    expect(out.replay).toEqual({ result: 7, taken: 0, missed: 0 });
  });

  it('gives `ordo state --at` the same state with the huge heap and without, from the session\'s start and from a checkpoint', async () => {
    // Long enough that without the heap the replay takes a prefault worker (and with it, none).
    const path = storedSession(PREFAULT_FROM_EVENTS + 30_000);
    const dir = dirname(path);
    const at = PREFAULT_FROM_EVENTS + 25_000;
    const state = async (mib: string | undefined) => {
      const r = await ordoWithHeap(mib, ['state', '--data-dir', dir, '--at', String(at), '--hash']);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const plain = await state('0');
    expect(JSON.parse(plain)).toMatchObject({ asOfSeq: at });
    expect(await state(undefined)).toBe(plain);

    const cp = await ordoWithHeap(undefined, ['checkpoint', '--data-dir', dir, '--every', '100000']);
    expect(cp.code, cp.stderr).toBe(0);
    // Checkpoints at or before `at` now (the time machine starts from the newest: 200,000 here).
    const file = new Database(`${path}.checkpoints`, { readonly: true });
    const newest = file.prepare('SELECT MAX(seq) FROM checkpoints WHERE seq <= ?').pluck().get(at) as number | null;
    file.close();
    expect(newest).toBeGreaterThanOrEqual(100_000);
    expect(await state(undefined)).toBe(plain);
    expect(await state('off')).toBe(plain);
  }, 240_000);

  it('refuses a bad ORDO_HUGE_HEAP_MIB before a folding command starts: one line, exit 2', async () => {
    const r = await ordoWithHeap('2048', ['state', '--data-dir', '/nonexistent-ordo-dir', '--at', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ORDO_HUGE_HEAP_MIB must be 0, off or a whole number of MiB from 8 to 1024, got '2048'/);
  });
});
