/**
 * One checkpoint round on a thread of its own (decision 085): started by
 * ProjectionCheckpointer with `workerData` = { path, every, stop }, it opens its own
 * connection to the log database, runs `checkpointRound`, posts the outcome
 * and ends, so the projection it rebuilt (and its bytes) leave the process's
 * memory with the thread. The thread runs at background CPU priority.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkpointRound, openForCheckpoints } from './checkpoint-maker.ts';
import { lowerThreadPriority } from './thread-priority.ts';

// A round on a long session folds all of it (seconds of a core); on a 2-core machine it competed with the
// event loop that answers orders (issue 11: acks of a host just started on a 1 M-event session). It runs at
// background priority: all the CPU the live path leaves, little of what it needs.
lowerThreadPriority();

const data = workerData as { path: string; every: number; stop: SharedArrayBuffer };
// Set by the host on a stop: the round ends between checkpoints or parts and closes its connection properly
// (a terminated thread would leave it open, and the WAL behind the writer's close).
const stop = new Int32Array(data.stop);
try {
  const db = openForCheckpoints(data.path);
  try {
    parentPort?.postMessage({ ok: true, round: checkpointRound(db, { every: data.every, stopped: () => Atomics.load(stop, 0) !== 0 }) });
  } finally {
    db.close();
  }
} catch (err) {
  parentPort?.postMessage({ ok: false, error: (err as Error).message });
}
