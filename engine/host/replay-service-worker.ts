/**
 * The replay service's reading thread (decision 228): started by
 * ReplayServiceThread with `workerData` = { path }, it lowers its own CPU
 * priority, opens its own read connection to the log and answers the
 * requests the host's ROUTER receives with a ReplayReader (the same code
 * that answered them on the host's thread before): SQLite stepping and each
 * frame's checksum happen here, not on the thread that answers orders.
 *
 * It holds no ZeroMQ socket on purpose: a buffer a worker sends zero-copy
 * stays tied to that worker's zeromq.js module, and a receiver still holding
 * it after the worker ended corrupted the heap at the host's exit (seen in
 * 2 of 9 stops). The answer's parts travel back packed in one transferred
 * ArrayBuffer, and the host's thread sends them.
 *
 * Messages: ← { id, body } → { id, data, lengths } (the parts, in order);
 * ← { close: true }: closes the read connection and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ReplayReader } from '../bus/replay.ts';
import { openReadableLog } from '../store/log.ts';
import { lowerThreadPriority } from './thread-priority.ts';

const { path } = workerData as { path: string };

// Reading for a catch-up gives way to the host's event loop: pages are read with what the live path leaves.
const tid = lowerThreadPriority();
const reader = new ReplayReader(openReadableLog(path));
parentPort?.postMessage({ ready: true, tid });

parentPort?.on('message', (m: { id: number; body: Uint8Array } | { close: true }) => {
  if ('close' in m) {
    reader.close();
    parentPort?.close();
    return;
  }
  void answer(m.id, m.body);
});

async function answer(id: number, body: Uint8Array): Promise<void> {
  let parts: Buffer[];
  try {
    parts = await reader.answer(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  } catch (err) {
    // A fault outside the reader's own error answers (the connection gone): one error answer, never a dead thread.
    parts = [Buffer.from(JSON.stringify({ id: -1, session: 0, headSeq: 0, latestSession: 0, complete: true, error: `replay service: ${(err as Error).message}` }))];
  }
  const lengths = parts.map((p) => p.byteLength);
  const data = new Uint8Array(lengths.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.byteLength;
  }
  parentPort?.postMessage({ id, data, lengths }, [data.buffer]);
}
