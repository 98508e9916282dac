import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { CheckpointRetention } from '../store/checkpoints.ts';
import type { CheckpointStore } from './checkpoint-maker.ts';
import { compiledFile } from './compiled-file.ts';

/** What the folding thread asks the writing thread (checkpoint-store-worker.ts). */
export type StoreRequest =
  | { op: 'write'; session: number; seq: number; format: number; bytes: ArrayBuffer; takenTs: number }
  | { op: 'prune'; session: number; retention: CheckpointRetention }
  | { op: 'unbound' }
  | { op: 'nice' }
  | { op: 'close' };

export type StoreAnswer = { ok: true; value: number } | { ok: false; error: string };

/** How long the folding thread waits for one answer before it gives the round up (ms): a part is milliseconds. */
const ANSWER_WAIT_MS = 120_000;
/** How long `close` waits for the thread to close its connection (ms) before ending it. */
const CLOSE_WAIT_MS = 5_000;

/**
 * The checkpoint process's writes on a thread of their own at the process's
 * own (normal) priority, while the fold runs at background priority (decision
 * 239). The round holds SQLite's write lock only while it writes a part; a
 * part written by the niced fold thread was preempted while holding it, and
 * the host's sequencer, whose BEGIN IMMEDIATE found the lock held, slept in
 * SQLite's busy handler (1 + 2 + 5 + 10 ms) meanwhile: a priority inversion.
 *
 * `start` must run BEFORE the process lowers its priority: a new thread takes
 * its creator's nice value, and lowering needs no privilege while raising it
 * back does (a desktop user is not root, and RLIMIT_NICE is 0 by default), so
 * a thread created first is the one way that works for every user. The
 * calls are synchronous (the round is): the folding thread posts a request
 * and blocks on an Atomics flag until the answer is queued on its port.
 */
export class CheckpointStoreThread implements CheckpointStore {
  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly flag: Int32Array,
  ) {}

  /** Starts the writing thread on the log at `path`; undefined where the build has no worker file (write in-line). */
  static start(path: string): CheckpointStoreThread | undefined {
    const file = compiledFile(import.meta.url, 'checkpoint-store-worker.js');
    if (!file) return undefined;
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    // The OS thread is created here, synchronously (Worker's constructor starts it), at this thread's priority.
    const worker = new Worker(file, { workerData: { path, port: port2, flag }, transferList: [port2] });
    worker.unref();
    return new CheckpointStoreThread(worker, port1, flag);
  }

  /**
   * Writes through the thread. `bytes` that are a whole ArrayBuffer of their own (an encoded checkpoint) are
   * handed over, not copied: the caller's view is detached afterwards. Any other view is copied first.
   */
  write(session: number, seq: number, format: number, bytes: Uint8Array, takenTs = Date.now() * 1000): boolean {
    let own: ArrayBuffer;
    if (bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) own = bytes.buffer;
    else {
      const copy = new Uint8Array(bytes.length);
      copy.set(bytes);
      own = copy.buffer;
    }
    return this.ask({ op: 'write', session, seq, format, bytes: own, takenTs }, [own]) === 1;
  }

  prune(session: number, retention: CheckpointRetention): number {
    return this.ask({ op: 'prune', session, retention });
  }

  dropUnbound(): number {
    return this.ask({ op: 'unbound' });
  }

  /** The writing thread's nice value (Linux; 0 elsewhere): the process's own, whatever the caller lowered itself to. */
  nice(): number {
    return this.ask({ op: 'nice' });
  }

  /** Closes the thread's connection and ends the thread (ended all the same when it does not answer). */
  async close(): Promise<void> {
    try {
      this.ask({ op: 'close' }, [], CLOSE_WAIT_MS);
    } catch {
      // The thread failed or is stuck: ending it below also ends its connection (SQLite rolls back what was open).
    } finally {
      this.port.close();
      await this.worker.terminate();
    }
  }

  private ask(req: StoreRequest, transfer: ArrayBuffer[] = [], waitMs = ANSWER_WAIT_MS): number {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(req, transfer);
    if (Atomics.wait(this.flag, 0, 0, waitMs) === 'timed-out') throw new Error(`checkpoint writing thread did not answer ${req.op} within ${waitMs / 1000} s`);
    const got = receiveMessageOnPort(this.port)?.message as StoreAnswer | undefined;
    if (!got) throw new Error(`checkpoint writing thread gave no answer to ${req.op}`);
    if (!got.ok) throw new Error(got.error);
    return got.value;
  }
}
