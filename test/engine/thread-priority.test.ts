import { describe, expect, it } from 'vitest';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BACKGROUND_NICE, canRestorePriority, lowerThreadPriority, SCHED_IDLE, SCHED_OTHER } from '../../engine/host/thread-priority.ts';

describe('lowerThreadPriority', () => {
  it('lowers the calling thread only, not the process (Linux)', async () => {
    const before = getPriority(0);
    // A thread of its own (the checkpoint round's case): its nice value drops, the process's main thread keeps its own.
    const src = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { getPriority } = require('node:os');
      import(workerData.url).then((m) => {
        const tid = m.lowerThreadPriority();
        parentPort.postMessage({ tid, nice: tid === undefined ? undefined : getPriority(tid) });
      }, (err) => parentPort.postMessage({ error: String(err) }));`;
    const url = new URL('../../dist/engine/host/thread-priority.js', import.meta.url).href;
    const w = new Worker(src, { eval: true, workerData: { url } });
    const got = await new Promise<{ tid?: number; nice?: number; error?: string }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(got.error).toBeUndefined();
    if (process.platform !== 'linux') {
      expect(got.tid).toBeUndefined();
      return;
    }
    expect(got.tid).toBeGreaterThan(0);
    expect(got.tid).not.toBe(process.pid);
    expect(got.nice).toBe(Math.max(before, BACKGROUND_NICE));
    expect(getPriority(0)).toBe(before);
  });

  it('is a no-op answer (undefined) or a thread id, never a throw', () => {
    // Here on the test's own thread: lowering it is harmless (the test process ends), and it must not throw.
    const r = lowerThreadPriority(getPriority(0));
    expect(r === undefined || r > 0).toBe(true);
  });

  it('canRestorePriority: CAP_SYS_NICE, or a nice limit that reaches back; otherwise no', () => {
    const limits = (n: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax nice priority         ${n}                    ${n}                    \n`;
    const status = (capEff: string) => `Name:\tnode\nCapEff:\t${capEff}\n`;
    const linux = process.platform === 'linux';
    // Bit 23 set (root's full set in a container that grants it).
    expect(canRestorePriority(0, status('000001ffffffffff'), limits('0'))).toBe(linux);
    // No capability, default limit 0: nice can only go up, never back.
    expect(canRestorePriority(0, status('0000000000000000'), limits('0'))).toBe(false);
    // RLIMIT_NICE 20 lets nice go down to 0 (20 - 20), 15 only down to 5.
    expect(canRestorePriority(0, status('0000000000000000'), limits('20'))).toBe(linux);
    expect(canRestorePriority(0, status('0000000000000000'), limits('15'))).toBe(false);
    expect(canRestorePriority(5, status('0000000000000000'), limits('15'))).toBe(linux);
    expect(canRestorePriority(0, status('0000000000000000'), limits('unlimited'))).toBe(linux);
  });

  it('lowerUntilRestored lowers the calling thread and puts it back, or changes nothing when it could not put it back', async () => {
    // In a thread of its own, as `ordo component`'s main thread does around its rewind.
    const src = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { getPriority } = require('node:os');
      import(workerData.url).then((m) => {
        const before = getPriority(0);
        const restore = m.lowerUntilRestored();
        const during = getPriority(0);
        // A thread started while lowered takes the lowered value; the restore puts it back too.
        const { Worker } = require('node:worker_threads');
        const child = new Worker("require('node:worker_threads').parentPort.postMessage(require('node:fs').readlinkSync('/proc/thread-self'))", { eval: true });
        child.once('message', (self) => {
          const childTid = Number(self.split('/').pop());
          const childDuring = getPriority(childTid);
          restore?.();
          const childAfter = getPriority(childTid);
          child.terminate().then(() => parentPort.postMessage({ lowered: restore !== undefined, before, during, after: getPriority(0), could: m.canRestorePriority(before), childDuring, childAfter }));
        });
      }, (err) => parentPort.postMessage({ error: String(err) }));`;
    const url = new URL('../../dist/engine/host/thread-priority.js', import.meta.url).href;
    const w = new Worker(src, { eval: true, workerData: { url } });
    const got = await new Promise<{ lowered: boolean; before: number; during: number; after: number; could: boolean; childDuring: number; childAfter: number; error?: string }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(got.error).toBeUndefined();
    expect(got.after).toBe(got.before);
    expect(got.childAfter).toBe(got.before);
    if (got.lowered) {
      expect(got.could).toBe(true);
      expect(got.during).toBe(BACKGROUND_NICE);
      expect(got.childDuring).toBe(BACKGROUND_NICE);
    } else {
      // Not restorable here (or already at or below background priority): nothing changed.
      expect(got.during).toBe(got.before);
      expect(got.could === false || got.before >= BACKGROUND_NICE || process.platform !== 'linux').toBe(true);
    }
  });
  it('lowerUntilRestored({ wholeProcess }) lowers the threads already running too, and puts each back', async () => {
    // In a process of its own (it lowers every thread of its process), with a worker thread started before.
    const src = `
      const { Worker } = require('node:worker_threads');
      const { getPriority } = require('node:os');
      const w = new Worker("require('node:worker_threads').parentPort.postMessage(require('node:fs').readlinkSync('/proc/thread-self')); setInterval(() => {}, 1000)", { eval: true });
      w.once('message', async (self) => {
        const tid = Number(self.split('/').pop());
        const m = await import(process.argv[1]);
        const before = [getPriority(0), getPriority(tid)];
        const restore = m.lowerUntilRestored({ wholeProcess: true });
        const during = [getPriority(0), getPriority(tid)];
        restore?.();
        const after = [getPriority(0), getPriority(tid)];
        console.log(JSON.stringify({ lowered: restore !== undefined, before, during, after }));
        process.exit(0);
      });`;
    const url = new URL('../../dist/engine/host/thread-priority.js', import.meta.url).href;
    const { execFileSync } = await import('node:child_process');
    const got = JSON.parse(execFileSync(process.execPath, ['-e', src, url], { encoding: 'utf8' })) as { lowered: boolean; before: number[]; during: number[]; after: number[] };
    expect(got.after).toEqual(got.before);
    if (got.lowered) {
      expect(got.during).toEqual([BACKGROUND_NICE, BACKGROUND_NICE]);
    } else {
      expect(got.during).toEqual(got.before);
    }
  });
  it('lowerUntilRestored({ wholeProcess, idle }) puts every thread under SCHED_IDLE, those started meanwhile too, and back under SCHED_OTHER', async () => {
    // In a process of its own, as `ordo component` around its rewind (decision 267): one worker started before, one during.
    const src = `
      const { Worker } = require('node:worker_threads');
      const tidOf = (w) => new Promise((r) => w.once('message', (self) => r(Number(self.split('/').pop()))));
      const body = "require('node:worker_threads').parentPort.postMessage(require('node:fs').readlinkSync('/proc/thread-self')); setInterval(() => {}, 1000)";
      (async () => {
        const m = await import(process.argv[1]);
        const early = await tidOf(new Worker(body, { eval: true }));
        const policies = (tids) => tids.map((t) => m.threadPolicy(t));
        const before = policies([process.pid, early]);
        const restore = m.lowerUntilRestored({ wholeProcess: true, idle: true });
        const late = await tidOf(new Worker(body, { eval: true }));
        const during = policies([process.pid, early, late]);
        restore?.();
        const after = policies([process.pid, early, late]);
        console.log(JSON.stringify({ lowered: restore !== undefined, before, during, after }));
        process.exit(0);
      })();`;
    const url = new URL('../../dist/engine/host/thread-priority.js', import.meta.url).href;
    const { execFileSync } = await import('node:child_process');
    const got = JSON.parse(execFileSync(process.execPath, ['-e', src, url], { encoding: 'utf8' })) as { lowered: boolean; before: number[]; during: number[]; after: number[] };
    let chrt = true;
    try {
      execFileSync('chrt', ['--max'], { stdio: 'ignore' });
    } catch {
      chrt = false;
    }
    expect(got.before).toEqual([SCHED_OTHER, SCHED_OTHER]);
    expect(got.after).toEqual([SCHED_OTHER, SCHED_OTHER, SCHED_OTHER]);
    if (got.lowered && chrt) {
      expect(got.during).toEqual([SCHED_IDLE, SCHED_IDLE, SCHED_IDLE]);
    } else {
      expect(got.during).toEqual([SCHED_OTHER, SCHED_OTHER, SCHED_OTHER]);
    }
  });
});
