/**
 * Worker body of prefetchStartCheckpoint (checkpoint-prefetch.ts): reads the
 * newest checkpoint of the log's latest session (parts checked against their
 * checksums) on its own read connection and hands the bytes over (moved, not
 * copied). Any problem is left to the host's own read: it answers nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openReadableLog } from '../store/log.ts';

const { path } = workerData as { path: string };
let answer: { session: number; seq: number; bytes: Uint8Array } | undefined;
try {
  const log = openReadableLog(path);
  try {
    const end = log.end();
    if (end) {
      for (const c of log.checkpoints.atOrBefore(end.session, end.seq, () => {})) {
        answer = { session: end.session, seq: c.seq, bytes: c.bytes };
        break;
      }
    }
  } finally {
    log.close();
  }
} catch {
  answer = undefined;
}
const transfer = answer && answer.bytes.byteOffset === 0 && answer.bytes.byteLength === answer.bytes.buffer.byteLength ? [answer.bytes.buffer as ArrayBuffer] : [];
parentPort!.postMessage(answer, transfer);
