import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SLICE_US, sliceFromEnv } from '../../engine/host/sched-slice.ts';
import { runOrdo, startHostProcess, type HostProcess } from './helpers/cli.ts';
import { kernelTakesSlice, threadSlices } from './helpers/thread-slices.ts';

const DIST_SLICE = fileURLToPath(new URL('../../dist/engine/host/sched-slice.js', import.meta.url));

/**
 * Decision 283: `ordo host` (and `ordo component` once caught up) run every thread with a 0.1 ms scheduler slice
 * instead of the kernel's 1.4 ms default, through the native addon built at install (native/sched-slice); threads
 * started later inherit it. ORDO_SCHED_SLICE_US=0 keeps the default; a bad value is a one-line usage error.
 */
describe('the scheduler slice', () => {
  let host: HostProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads ORDO_SCHED_SLICE_US: unset is the default, 0 and off keep the kernel\'s, anything else outside 100-100000 µs is refused by name', () => {
    expect(sliceFromEnv(undefined)).toBe(DEFAULT_SLICE_US);
    expect(sliceFromEnv('')).toBe(DEFAULT_SLICE_US);
    expect(sliceFromEnv('0')).toBe(0);
    expect(sliceFromEnv('off')).toBe(0);
    expect(sliceFromEnv('250')).toBe(250);
    for (const bad of ['abc', '50', '100001', '1.5', '-100', ' 200']) {
      expect(() => sliceFromEnv(bad)).toThrow(`ORDO_SCHED_SLICE_US must be 0, off or a whole number of microseconds in 100-100000, got '${bad}'`);
    }
  });

  it('gives every thread of a process the slice, threads started afterwards included', () => {
    // A process of its own (the test runner's threads are not the product's), from the built module.
    const script = `
      import { shortenSchedulerSlice } from ${JSON.stringify(DIST_SLICE)};
      import { Worker } from 'node:worker_threads';
      import { readdirSync, readFileSync } from 'node:fs';
      const r = shortenSchedulerSlice(250);
      const w = new Worker('setTimeout(() => {}, 200)', { eval: true });
      w.on('online', () => {
        const slices = {};
        for (const t of readdirSync('/proc/self/task')) {
          slices[t] = Number(/^se\\.slice\\s*:\\s*(\\d+)/m.exec(readFileSync('/proc/self/task/' + t + '/sched', 'utf8'))[1]);
        }
        console.log(JSON.stringify({ r, slices, threadId: w.threadId }));
        w.terminate();
      });
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { r: { sliceUs: number; threads: number; reason?: string }; slices: Record<string, number> };
    if (!kernelTakesSlice()) {
      expect(out.r).toEqual({ sliceUs: 0, threads: 0, reason: 'this kernel has no per-thread slice (Linux < 6.12)' });
      return;
    }
    expect(out.r.reason).toBeUndefined();
    expect(out.r.sliceUs).toBe(250);
    const tids = Object.keys(out.slices);
    // More threads now than took it at the call: the worker's, and they have it too.
    expect(tids.length).toBeGreaterThan(out.r.threads);
    for (const tid of tids) expect(out.slices[tid], `thread ${tid}`).toBe(250_000);
  });

  it('runs `ordo host` with every thread at 100 µs, and at the kernel\'s default with ORDO_SCHED_SLICE_US=0', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ordo-slice-'));
    host = await startHostProcess(['--data-dir', join(dir, 'a')]);
    const threads = threadSlices(host.proc.pid!);
    // The sequencer, ZeroMQ's I/O threads, V8's and libuv's, the workers: more than a handful.
    expect(threads.length).toBeGreaterThan(8);
    const want = kernelTakesSlice() ? DEFAULT_SLICE_US * 1000 : 1_400_000;
    for (const t of threads.filter((x) => x.policy === 0)) expect(t.slice, `host thread ${t.tid}`).toBe(want);
    expect(host.stderr()).not.toMatch(/default scheduler slice/);
    await host.stop();

    host = await startHostProcess(['--data-dir', join(dir, 'b')], 20_000, { ORDO_SCHED_SLICE_US: '0' });
    const defaults = new Set(threadSlices(host.proc.pid!).filter((x) => x.policy === 0).map((t) => t.slice));
    expect(defaults.has(DEFAULT_SLICE_US * 1000)).toBe(false);
  });

  it('refuses a bad ORDO_SCHED_SLICE_US before anything starts: one line, exit 2', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ordo-slice-'));
    const prev = process.env['ORDO_SCHED_SLICE_US'];
    process.env['ORDO_SCHED_SLICE_US'] = '7';
    try {
      const r = await runOrdo(['host', '--port', '0', '--data-dir', join(dir, 'c')]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/ORDO_SCHED_SLICE_US must be 0, off or a whole number of microseconds in 100-100000, got '7'/);
    } finally {
      if (prev === undefined) delete process.env['ORDO_SCHED_SLICE_US'];
      else process.env['ORDO_SCHED_SLICE_US'] = prev;
    }
  });
});
