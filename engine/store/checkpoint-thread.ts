import type { MessagePort } from 'node:worker_threads';

/** What the writer tells the checkpoint thread at start. */
export interface CheckpointThreadData {
  /** better-sqlite3's resolved path (the thread loads it with require). */
  readonly driver: string;
  readonly path: string;
  readonly synchronous: 'NORMAL' | 'FULL';
  /** Shared status, see STATUS_* below. */
  readonly status: SharedArrayBuffer;
}

/** Int32 slots of the shared status buffer. */
export const STATUS_CLOSED = 0;
/** Checkpoints finished (the writer compares it with the ones it asked for). */
export const STATUS_DONE = 1;
/** WAL pages (copied into the database file or not) when the last checkpoint ended. */
export const STATUS_WAL_PAGES = 2;
/** Consecutive failed checkpoints. */
export const STATUS_ERRORS = 3;
export const STATUS_SLOTS = 4;

interface Pragmas {
  pragma(sql: string, options?: { simple: boolean }): unknown;
  close(): void;
  readonly open: boolean;
}

/**
 * The checkpoint thread's body. It is started by `new Worker(source, { eval:
 * true })` where `source` is this function's own compiled text (see
 * checkpointThreadSource), so it must be self-contained: everything it uses at
 * run time comes through `load` (CommonJS require), nothing from this module's
 * scope. It has its own connection to the log and runs a PASSIVE checkpoint
 * (copy committed WAL pages into the database file, then fsync it) whenever
 * asked; that never blocks the writer. Under steady writing it never
 * catches up with the last commit, and SQLite only starts the WAL over when
 * one has, so the writer finishes the job itself when the WAL grows (see
 * BackgroundCheckpointer). Slot indices are spelled as numbers here (the
 * STATUS_* constants are out of reach at run time). Progress goes into the
 * shared status buffer, not messages, so the writer sees it even while its
 * own event loop is busy.
 */
export function checkpointThread(load: (id: string) => unknown): void {
  const threads = load('node:worker_threads') as { parentPort: MessagePort; workerData: CheckpointThreadData };
  const { parentPort, workerData } = threads;
  const Database = load(workerData.driver) as new (path: string, options: object) => Pragmas;
  const status = new Int32Array(workerData.status);
  let db: Pragmas | undefined;
  try {
    db = new Database(workerData.path, { fileMustExist: true, timeout: 5000 });
    db.pragma('synchronous = ' + workerData.synchronous);
  } catch (err) {
    parentPort.postMessage({ error: String((err as Error).message) });
  }
  parentPort.on('message', (m: unknown) => {
    if (m === 'checkpoint') {
      try {
        if (!db) throw new Error('no connection');
        const answer = (db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[])[0]!;
        // Slot 2 (STATUS_WAL_PAGES): pages in the WAL, whether copied yet or not.
        if (answer.busy === 0) Atomics.store(status, 2, answer.log);
        Atomics.store(status, 3, 0);
      } catch (err) {
        Atomics.add(status, 3, 1);
        parentPort.postMessage({ error: String((err as Error).message) });
      }
      // Slot 1 (STATUS_DONE), slot 3 (STATUS_ERRORS) above.
      Atomics.add(status, 1, 1);
      Atomics.notify(status, 1);
    } else if (m === 'close') {
      try {
        if (db && db.open) db.close();
      } finally {
        Atomics.store(status, 0, 1);
        Atomics.notify(status, 0);
        parentPort.close();
      }
    }
  });
}

/** The source a Worker evaluates: checkpointThread's compiled text, called with require. */
export function checkpointThreadSource(): string {
  return `(${checkpointThread.toString()})(require);`;
}
