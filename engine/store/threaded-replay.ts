import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { visitFrame } from '../protocol/codec.ts';
import type { Sequenced } from '../protocol/events.ts';
import { DecodeError } from '../protocol/bytes.ts';
import { seqChecked, type SeqCheck } from './seq-check.ts';
import type { ReadableLog } from './log.ts';
import {
  REC_END,
  REC_WRAP,
  replayThreadSource,
  RING_CPU_TICKS,
  RING_READ,
  RING_READY,
  RING_SLOTS,
  RING_START,
  RING_WRITE,
  type ReplayThreadData,
} from './replay-thread.ts';

/** The ring between the reader thread and the replaying one. */
const RING_BYTES = 16 << 20;
/**
 * Events the replaying thread applies through the one-thread path, a slice at
 * a time, while the reader thread starts (tens of ms: a fresh V8 isolate,
 * better-sqlite3 loaded, the database opened): no core waits for the other.
 */
const HEAD_SLICE = 32_768;
/** Below this many events the reader thread is not worth starting. */
const MIN_EVENTS = 200_000;
/** How long the replaying thread waits for the reader without any progress before going on alone. */
const STALL_MS = 30_000;

/** Sizes a test can shrink (small rings wrap often; a small head lets the reader start early). */
export interface ReplayTuning {
  /** Shortest range (events) for which the reader thread is started. */
  readonly minEvents?: number;
  /** Events per slice of the head applied before the reader is ready. */
  readonly headSlice?: number;
  /** Events applied on this thread before waiting for the reader (instead of slices until it is ready). */
  readonly headEvents?: number;
  /** The ring's size in bytes (a multiple of 4). */
  readonly ringBytes?: number;
  /** Filled in as the replay goes: where the ring took over, how many events came through it, whether the one-thread path finished. */
  readonly trace?: { handover?: number; fromRing?: number; fellBack?: boolean; readerCpuTicks?: number };
}

/**
 * Replays like `log.replay` (same events, same order, same errors with the
 * same locations, every frame's CRC-32 checked) with the reading on a second
 * thread (decision 218): the reader thread steps SQLite, checks checksums and
 * copies checked frames into a shared ring; this thread decodes and applies
 * them. Synchronous like `replay`: this thread waits on the ring with
 * Atomics.wait, so `apply` sees the same calls from the same thread.
 *
 * Anything the reader cannot do (a checksum mismatch, a frame bigger than a
 * quarter of the ring, an error of its own, an in-memory database, a short
 * range) and any decode error make this thread go on through `log.replay`
 * from the next seq it expects: that path finds the same fault and throws the
 * same error it always has. An error thrown by `apply` is passed on as is
 * (unless it is a DecodeError: `apply` does not decode).
 */
export function replayOnTwoThreads(
  log: ReadableLog,
  session: number,
  apply: (e: Sequenced) => void,
  from = 1,
  to = Number.MAX_SAFE_INTEGER,
  tuning: ReplayTuning = {},
): number {
  const db = log.db;
  const headSlice = tuning.headSlice ?? HEAD_SLICE;
  if (db.memory || to - from < (tuning.minEvents ?? MIN_EVENTS)) return log.replay(session, apply, from, to);
  const ctrl = new Int32Array(new SharedArrayBuffer(RING_SLOTS * 4));
  const ringBuffer = new SharedArrayBuffer(tuning.ringBytes ?? RING_BYTES);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData: ReplayThreadData = { driver, path: db.name, session, to, ctrl: ctrl.buffer as SharedArrayBuffer, ring: ringBuffer };
  const worker = new Worker(replayThreadSource(), { eval: true, workerData });
  worker.unref();
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    // A reader still waiting to start is told to close; one that is running is ended.
    Atomics.store(ctrl, RING_START, -1);
    Atomics.notify(ctrl, RING_START);
    void worker.terminate();
  };

  let n = 0;
  let next = from;
  try {
    // A head of a set length (tests: a handover at a known seq), then wait for the reader.
    if (tuning.headEvents !== undefined) {
      const end = Math.min(to, next + tuning.headEvents - 1);
      const k = log.replay(session, apply, next, end);
      n += k;
      next += k;
      if (next <= end || next > to) {
        stop();
        return n;
      }
    }
    // The head, through the one-thread path, until the reader is ready (headSlice 0: wait for it instead).
    while ((headSlice === 0 || tuning.headEvents !== undefined) && Atomics.load(ctrl, RING_READY) === 0) Atomics.wait(ctrl, RING_READY, 0, 1000);
    while (Atomics.load(ctrl, RING_READY) === 0) {
      const end = Math.min(to, next + headSlice - 1);
      const k = log.replay(session, apply, next, end);
      n += k;
      next += k;
      if (next <= end || next > to) {
        stop();
        return n;
      }
    }
  } catch (err) {
    stop();
    throw err;
  }

  Atomics.store(ctrl, RING_START, next);
  Atomics.notify(ctrl, RING_START);
  const handover = next;
  // A Buffer over the shared bytes, like the Buffers SQLite hands the head's frames in: one map at the decoder's
  // property and element loads (a plain Uint8Array here made them polymorphic: +240 M instructions on the 1 M log).
  const ring = Buffer.from(ringBuffer);
  const words = new Int32Array(ringBuffer);
  const view = new DataView(ringBuffer);
  const check: SeqCheck = { expected: next, gap: false };
  const count = seqChecked(session, check, apply);
  let r = 0;
  let ended = false;
  try {
    for (;;) {
      let w = Atomics.load(ctrl, RING_WRITE);
      if (w === r) {
        const since = Date.now();
        while (w === r) {
          if (Atomics.wait(ctrl, RING_WRITE, r, 1000) === 'timed-out' && Date.now() - since > STALL_MS) break;
          w = Atomics.load(ctrl, RING_WRITE);
        }
        if (w === r) break;
      }
      const kind = words[r >> 2]!;
      if (kind === REC_WRAP) {
        r = 0;
        continue;
      }
      if (kind < 0) {
        ended = kind === REC_END;
        break;
      }
      let at = (r >> 2) + 1;
      let p = (at + kind) << 2;
      for (let i = 0; i < kind; i++) {
        const len = words[at++]!;
        visitFrame(ring, count, handover, to, p, p + len, view);
        p += len;
      }
      r = (p + 3) & ~3;
      if (r === ring.length) r = 0;
      Atomics.store(ctrl, RING_READ, r);
      Atomics.notify(ctrl, RING_READ);
    }
  } catch (err) {
    stop();
    // Anything but a decode error or a seq out of line came from `apply`: passed on as is.
    if (!(err instanceof DecodeError) && !check.gap) throw err;
    // A decode error or a seq out of line: the one-thread path from here reports it where it always has.
    const expected = check.expected;
    note(tuning, handover, expected - next, true, Atomics.load(ctrl, RING_CPU_TICKS));
    return n + (expected - next) + log.replay(session, apply, expected, to);
  }
  stop();
  const expected = check.expected;
  n += expected - next;
  note(tuning, handover, expected - next, !ended, Atomics.load(ctrl, RING_CPU_TICKS));
  // The rest through the one-thread path: after a stop or a stall, everything left; after the reader's end,
  // whatever this thread's connection sees that the reader's snapshot did not (a writer's newer frames); one
  // key lookup and an empty page when there is nothing.
  return n + log.replay(session, apply, expected, to);
}

function note(tuning: ReplayTuning, handover: number, fromRing: number, fellBack: boolean, readerCpuTicks: number): void {
  const t = tuning.trace;
  if (!t) return;
  t.readerCpuTicks = readerCpuTicks;
  t.handover = handover;
  t.fromRing = fromRing;
  t.fellBack = fellBack;
}
