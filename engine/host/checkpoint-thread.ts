/**
 * One checkpoint round on a thread of its own (decision 085): started by
 * ProjectionCheckpointer with `workerData` = { path, every }, it opens its own
 * connection to the log database, runs `checkpointRound`, posts the outcome
 * and ends, so the projection it rebuilt (and its bytes) leave the process's
 * memory with the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkpointRound, openForCheckpoints } from './checkpoint-maker.ts';

const data = workerData as { path: string; every: number };
try {
  const db = openForCheckpoints(data.path);
  try {
    parentPort?.postMessage({ ok: true, round: checkpointRound(db, { every: data.every }) });
  } finally {
    db.close();
  }
} catch (err) {
  parentPort?.postMessage({ ok: false, error: (err as Error).message });
}
