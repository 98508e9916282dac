/**
 * The checkpoint process's writing thread (checkpoint-store-thread.ts, decision 239): opens its own
 * connection to the log database and stores what the folding thread hands it (a checkpoint's parts, a
 * prune), one request at a time. It runs at the priority it was created with (the process's, normal),
 * so the write lock it takes is never held by a thread the machine preempts for long.
 */
import type Database from 'better-sqlite3';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { CheckpointWriter } from '../store/checkpoints.ts';
import { openForCheckpoints } from './checkpoint-maker.ts';
import { currentThreadNice } from './thread-priority.ts';
import type { StoreRequest, StoreAnswer } from './checkpoint-store-thread.ts';

const { path, port, flag } = workerData as { path: string; port: MessagePort; flag: Int32Array };
let db: Database.Database | undefined;
let writer: CheckpointWriter | undefined;

/**
 * How long the lock is left free after a transaction (ms): PAUSE_MS more than the transaction held it. SQLite's
 * busy handler retries a waiting commit after 1, 2, 5, 10, 15, 20, 25 … ms; one that began waiting during a hold
 * of H ms next looks within H + 2 ms of the hold's end (H < 1: 2 ms; H < 3: 5; H < 8: 10; H < 18: 15 …), so a
 * free window that long is always one it finds, also when the machine stretched the hold.
 */
const PAUSE_MS = 2;
const nap = new Int32Array(new SharedArrayBuffer(4));
const pause = (heldMs: number): void => void Atomics.wait(nap, 0, 0, PAUSE_MS + heldMs);

port.on('message', (m: StoreRequest) => {
  let answer: StoreAnswer;
  try {
    // Opened on the first request (not at start-up) so that a failure to open reaches the round as its error.
    db ??= openForCheckpoints(path);
    writer ??= new CheckpointWriter(db);
    if (m.op === 'write') answer = { ok: true, value: writer.write(m.session, m.seq, m.format, new Uint8Array(m.bytes), m.takenTs, undefined, pause) ? 1 : 0 };
    else if (m.op === 'prune') answer = { ok: true, value: writer.prune(m.session, m.retention) };
    else if (m.op === 'nice') answer = { ok: true, value: currentThreadNice() };
    else {
      db.close();
      answer = { ok: true, value: 0 };
      port.close();
    }
  } catch (err) {
    answer = { ok: false, error: (err as Error).message };
  }
  // The answer is queued on the port before the flag wakes the folding thread, which reads it synchronously.
  port.postMessage(answer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
// The thread must not keep a parent port reference open beyond its port's life.
parentPort?.unref();
