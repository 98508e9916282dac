import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { orderSession, storeSession } from '../../bench/session.ts';
import { checkpointRound } from '../../engine/host/checkpoint-maker.ts';
import { CHECKPOINT_ROW_BYTES } from '../../engine/store/checkpoints.ts';
import { openWritableLog } from '../../engine/store/log.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

/**
 * The checkpoint process's writing thread (decision 239): started before the
 * process lowers itself, it keeps the creator's priority while the fold runs
 * at nice 10, and what it writes is what an in-line round writes. Run as the
 * process does it, in a thread of its own (the test's thread is not lowered).
 */

const DIST = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'dist', 'engine');

/** The checkpoint process's steps, in a worker thread: start the writing thread, lower this one, run the round. */
const SCRIPT = `
import { parentPort, workerData } from 'node:worker_threads';
import { readlinkSync } from 'node:fs';
import { getPriority } from 'node:os';
const { dist, path, every } = workerData;
const { CheckpointStoreThread } = await import(dist + '/host/checkpoint-store-thread.js');
const { checkpointRound, closeForCheckpoints, openForCheckpoints } = await import(dist + '/host/checkpoint-maker.js');
const { lowerThreadPriority } = await import(dist + '/host/thread-priority.js');
const tid = () => Number(/\\/task\\/(\\d+)$/.exec(readlinkSync('/proc/thread-self'))[1]);
const before = process.platform === 'linux' ? getPriority(tid()) : 0;
const store = CheckpointStoreThread.start(path);
lowerThreadPriority();
const fold = process.platform === 'linux' ? getPriority(tid()) : 0;
const db = openForCheckpoints(path);
const round = checkpointRound(db, { every, store });
const writer = store.nice();
closeForCheckpoints(db);
await store.close();
parentPort.postMessage({ before, fold, writer, round });
`;

function runInThread(dir: string, path: string, every: number): Promise<{ before: number; fold: number; writer: number; round: { written: number[] } }> {
  const file = join(dir, 'round.mjs');
  writeFileSync(file, SCRIPT);
  return new Promise((res, rej) => {
    const w = new Worker(pathToFileURL(file), { workerData: { dist: pathToFileURL(DIST).href, path, every } });
    w.once('message', res);
    w.once('error', rej);
    w.once('exit', (code) => rej(new Error(`thread ended with ${code}`)));
  });
}

describe('checkpoint writing thread', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));

  it('is built (dist/engine/host/checkpoint-store-worker.js)', () => {
    expect(existsSync(join(DIST, 'host', 'checkpoint-store-worker.js'))).toBe(true);
  });

  it('keeps the priority the round had before it lowered itself, and writes what an in-line round writes', async () => {
    const dir = tempDir('ordo-ckpt-store-');
    dirs.push(dir);
    const a = join(dir, 'a.db');
    const w = openWritableLog(a, { backgroundCheckpoint: false });
    storeSession(w, orderSession(12_000));
    w.close();
    const b = join(dir, 'b.db');
    copyFileSync(a, b);
    const every = 5_000;

    const got = await runInThread(dir, a, every);
    expect(got.round.written).toEqual([5_000, 10_000]);
    if (process.platform === 'linux') {
      expect(got.fold).toBe(Math.max(got.before, 10));
      expect(got.writer).toBe(got.before);
    }

    const inline = openWritableLog(b, { backgroundCheckpoint: false });
    const threaded = openWritableLog(a, { backgroundCheckpoint: false });
    try {
      expect(checkpointRound(inline.db, { every })?.written).toEqual([5_000, 10_000]);
      for (const seq of [5_000, 10_000]) {
        const x = threaded.checkpoints.read(1, seq);
        const y = inline.checkpoints.read(1, seq);
        expect('detail' in x || 'detail' in y).toBe(false);
        if ('detail' in x || 'detail' in y) return;
        expect(x.parts.length).toBe(Math.ceil(x.bytes.length / CHECKPOINT_ROW_BYTES));
        expect(x.bytes.equals(y.bytes)).toBe(true);
      }
    } finally {
      inline.close();
      threaded.close();
    }
  }, 120_000);
});
