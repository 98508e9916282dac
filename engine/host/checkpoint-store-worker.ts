/**
 * The checkpoint process's writing thread (checkpoint-store-thread.ts, decision 239): opens its own
 * connections (the log, read for the anchors; its checkpoint file, written: decision 252) and stores what
 * the folding thread hands it (a checkpoint's parts, a prune), one request at a time. It runs at the priority it was created with (the process's, normal),
 * so the write lock it takes is never held by a thread the machine preempts for long.
 */
import type Database from 'better-sqlite3';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { CheckpointWriter } from '../store/checkpoints.ts';
import { closeForCheckpoints, openForCheckpoints } from './checkpoint-maker.ts';
import { currentThreadNice } from './thread-priority.ts';
import type { StoreRequest, StoreAnswer } from './checkpoint-store-thread.ts';

const { path, port, flag } = workerData as { path: string; port: MessagePort; flag: Int32Array };
let db: Database.Database | undefined;
let writer: CheckpointWriter | undefined;

// No pause between parts (decision 239 left the lock free 2 ms + the last hold after each): the checkpoint file
// is the round's alone (decision 252), the sequencer's commits never wait for its lock, and its readers (WAL)
// never wait for a writer.
port.on('message', (m: StoreRequest) => {
  let answer: StoreAnswer;
  try {
    // Opened on the first request (not at start-up) so that a failure to open reaches the round as its error.
    db ??= openForCheckpoints(path);
    writer ??= new CheckpointWriter(db);
    if (m.op === 'write') answer = { ok: true, value: writer.write(m.session, m.seq, m.format, new Uint8Array(m.bytes), m.takenTs) ? 1 : 0 };
    else if (m.op === 'prune') answer = { ok: true, value: writer.prune(m.session, m.retention) };
    else if (m.op === 'unbound') answer = { ok: true, value: writer.dropUnbound() };
    else if (m.op === 'nice') answer = { ok: true, value: currentThreadNice() };
    else {
      closeForCheckpoints(db);
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
