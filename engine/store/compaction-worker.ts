/**
 * The background compactor's thread (decision 274): started by CompactorThread (compaction-thread.ts) with
 * `workerData` = { path, status }, it lowers its own CPU priority, opens its own read connection to the log and
 * plans each step it is asked for (planStep: the rows looked at, the bodies read, their checksums checked, the
 * events decoded and encoded), answering with the writes in order. It never writes: the writer's thread applies
 * them, a transaction each, so the log's head, checkFile and the one write connection stay the sequencer's.
 * It starts no read while the writer restarts the WAL (`hold`, WritableLog.restartHold): a read in progress would
 * keep the writer's checkpoint from the WAL's end and the WAL from starting over (seen: 75 of 83 writer
 * checkpoints short of the end in one run at load 15, the WAL past 48 MiB).
 *
 * Messages: ← { session, cursor, upTo } → { plan } or { error }; ← { close: true }: closes the read connection,
 * says so in the shared status (slot 0) and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../host/thread-priority.ts';
import { planStep, type TurnSize } from './compaction.ts';
import { openReadableLog, type ReadableLog } from './log.ts';

const { path, status, hold, size } = workerData as { path: string; status: SharedArrayBuffer; hold?: SharedArrayBuffer; size?: TurnSize };
const closed = new Int32Array(status);
/** The writer's WAL restart under way (WritableLog.restartHold): no read starts until it is over. */
const restart = hold === undefined ? undefined : new Int32Array(hold);
/** The longest one read waits for it (ms): the writer releases it at its next commit; a stopped writer at its close. */
const HOLD_WAIT_MS = 200;
const gate = restart === undefined ? undefined : (): void => void Atomics.wait(restart, 0, 1, HOLD_WAIT_MS);

lowerThreadPriority();
let log: ReadableLog | undefined;
try {
  log = openReadableLog(path);
} catch (err) {
  parentPort?.postMessage({ error: (err as Error).message });
}

parentPort?.on('message', (m: { session: number; cursor: number; upTo: number } | { close: true }) => {
  if ('close' in m) {
    try {
      log?.close();
    } finally {
      Atomics.store(closed, 0, 1);
      Atomics.notify(closed, 0);
      parentPort?.close();
    }
    return;
  }
  try {
    if (log === undefined) throw new Error('no read connection');
    parentPort?.postMessage({ plan: planStep(log.db, m.session, m.cursor, m.upTo, size, gate) });
  } catch (err) {
    parentPort?.postMessage({ error: (err as Error).message });
  }
});
