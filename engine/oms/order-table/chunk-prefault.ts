import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { hugeHeapInForce } from '../../native/huge-heap.ts';

/**
 * Column memory touched ahead on another thread during a long cold replay (decision 261).
 *
 * A cold replay writes its columns into fresh memory, and the first write to each 4 KiB page of it is a page
 * fault in which the kernel zeroes the page: at ~60 bytes of columns per event that was ~15 k faults per 1 M
 * events and, on this 2-core VM, a third of the replaying thread's CPU (perf: clear_page_erms and the fault
 * path under OrderTable.add, OrderRow.bookFill and ChunkMemory's allocation; ~2 µs a fresh page). While a
 * ChunkPrefault is active, ChunkMemory takes its buffer from here: SharedArrayBuffers of the sizes chunks ask
 * for, allocated and written once per page by a worker thread, so the faults happen on the other core. The
 * columns are the same zeroed memory either way (views of a SharedArrayBuffer read and write like any typed
 * array; a checkpoint copies their bytes), so the projection and its state hash do not change.
 *
 * The replaying thread never waits for the worker: it polls the worker's port when it needs a chunk and makes
 * an ordinary ArrayBuffer when none is ready (the first chunks, while the worker starts). Only a replay long
 * enough to pay for a worker's start (~10 ms of CPU on the other core) uses one (see withChunkPrefault).
 *
 * Not where the process's heap has huge pages (decision 290): there a chunk's memory faults in 2 MiB at a time
 * on the replaying thread, and a cold replay of 1 M events took less CPU and time without the worker than with it.
 */

/** Chunks of each size kept ready; more are asked for when half are taken. */
const READY = 8;
/** Page size the worker writes one byte of. */
const PAGE = 4096;

/** The worker's code (eval: the same under the build and under vitest, no file to resolve). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
let out;
parentPort.on('message', (m) => {
  if (m.port !== undefined) { out = m.port; return; }
  const list = [];
  for (let j = 0; j < m.count; j++) {
    const sab = new SharedArrayBuffer(m.bytes);
    const a = new Uint8Array(sab);
    for (let i = 0; i < m.bytes; i += ${PAGE}) a[i] = 0;
    list.push(sab);
  }
  out.postMessage({ bytes: m.bytes, list });
});
`;

class ChunkPrefault {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly ready = new Map<number, SharedArrayBuffer[]>();
  /** Sizes with a request in flight. */
  private readonly asked = new Set<number>();
  /** Chunks taken from the worker / made here because none was ready (for tests and the note's counts). */
  taken = 0;
  missed = 0;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref();
    // A worker that fails (a buffer it cannot allocate) only leaves the replay to make its own chunks: its
    // 'error' must not become the process's uncaught exception.
    this.worker.on('error', () => undefined);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker.postMessage({ port: port2 }, [port2]);
  }

  /** A prefaulted buffer of `bytes`, or undefined (none ready yet: the caller makes its own). */
  take(bytes: number): SharedArrayBuffer | undefined {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const { bytes: size, list } = m.message as { bytes: number; list: SharedArrayBuffer[] };
      const have = this.ready.get(size);
      if (have === undefined) this.ready.set(size, list);
      else have.push(...list);
      this.asked.delete(size);
    }
    const list = this.ready.get(bytes);
    if ((list === undefined || list.length <= READY / 2) && !this.asked.has(bytes)) {
      this.asked.add(bytes);
      this.worker.postMessage({ bytes, count: READY });
    }
    const sab = list?.pop();
    if (sab === undefined) this.missed++;
    else this.taken++;
    return sab;
  }

  stop(): void {
    this.port.close();
    void this.worker.terminate();
    this.ready.clear();
  }
}

let active: ChunkPrefault | undefined = undefined;

/** A prefaulted buffer of `bytes` while a prefault is active (ChunkMemory), else undefined. */
export function prefaultedBuffer(bytes: number): SharedArrayBuffer | undefined {
  return active === undefined ? undefined : active.take(bytes);
}

/** A replay of at least this many events takes a worker (its start costs ~10 ms of CPU; 250 k events ~15 k faults). */
export const PREFAULT_FROM_EVENTS = 250_000;

/**
 * Runs `fn` (a synchronous replay of about `events` events into new columns) with column memory prefaulted on
 * a worker thread when `events` >= PREFAULT_FROM_EVENTS; `fn` alone otherwise, when one is already active
 * (nested), or when the heap has huge pages (hugeHeapInForce, decision 290). Returns `fn`'s result and the chunks taken ready / made here (both 0 without a worker).
 */
export function withChunkPrefault<T>(events: number, fn: () => T): { result: T; taken: number; missed: number } {
  if (active !== undefined || !(events >= PREFAULT_FROM_EVENTS) || hugeHeapInForce()) return { result: fn(), taken: 0, missed: 0 };
  const p = (active = new ChunkPrefault());
  try {
    return { result: fn(), taken: p.taken, missed: p.missed };
  } finally {
    active = undefined;
    p.stop();
  }
}
