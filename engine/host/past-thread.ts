/**
 * The time machine's thread (decision 167): started by PastStateThread with
 * `workerData` = { path }, it opens its own read connection to the log and
 * answers the host's past-state calls ({ id, call } → { id, result }) with a
 * PastStates, so rebuilding a past projection (a checkpoint's decode and the
 * tail's replay: about a second at 5 M events) never holds the host's event
 * loop. The host ends the thread when the time machine has been idle for a
 * while, and the past projection's memory leaves with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openReadableLog } from '../store/log.ts';
import { PastStates, type PastCall } from './past-states.ts';

const { path } = workerData as { path: string };
const log = openReadableLog(path);
const states = new PastStates(log);

parentPort?.on('message', (m: { id: number; call: PastCall } | { close: true }) => {
  if ('close' in m) {
    log.close();
    parentPort?.close();
    return;
  }
  let result;
  try {
    result = states.call(m.call);
  } catch (err) {
    // A bad frame between the checkpoint and the seq (CorruptionError) or a bug: one line, never a dead thread.
    result = { ok: false, error: { code: 'INTERNAL', message: `internal error: ${(err as Error).message}` } };
  }
  parentPort?.postMessage({ id: m.id, result, build: states.lastBuild });
});
