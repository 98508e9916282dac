import { describe, expect, it } from 'vitest';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BACKGROUND_NICE, lowerThreadPriority } from '../../engine/host/thread-priority.ts';

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
});
