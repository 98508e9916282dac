import { Worker } from 'node:worker_threads';
import { compiledFile } from './compiled-file.ts';

/** A checkpoint read ahead of start-up: the newest of the log's latest session, its parts' checksums checked. */
export interface PrefetchedCheckpoint {
  readonly session: number;
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/**
 * Reads the checkpoint host start-up will resume from on a worker thread
 * (decision 186), so that the main thread can do other start-up work
 * meanwhile (loading the FIX library: over a second of synchronous
 * `require`s). Resolves undefined when there is none, the thread cannot
 * start or anything goes wrong: findHostStart then reads it itself.
 */
export function prefetchStartCheckpoint(dbPath: string): Promise<PrefetchedCheckpoint | undefined> {
  const file = compiledFile(import.meta.url, 'checkpoint-prefetch-thread.js');
  if (!file) return Promise.resolve(undefined);
  return new Promise((done) => {
    let w: Worker;
    try {
      w = new Worker(file, { workerData: { path: dbPath } });
    } catch {
      done(undefined);
      return;
    }
    w.once('message', (m: PrefetchedCheckpoint | undefined) => done(m ? { session: m.session, seq: m.seq, bytes: Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength) } : undefined));
    w.once('error', () => done(undefined));
    w.once('exit', () => done(undefined));
  });
}
