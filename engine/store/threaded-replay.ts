import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { visitFrame } from '../protocol/codec.ts';
import type { Sequenced } from '../protocol/events.ts';
import { DecodeError } from '../protocol/bytes.ts';
import { FramePages } from './frame-pages.ts';
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
/** Events a frame holds on average from which the reader thread is not started. */
const BIG_FRAME_EVENTS = 64;
/** Seqs whose frames are counted to find the mean frame size. */
const SAMPLE_EVENTS = 4096;

/** Mean events per frame of the frames starting in [from, from + SAMPLE_EVENTS). */
function meanFrameEvents(log: ReadableLog, session: number, from: number): number {
  const frames = log.db
    .prepare(`SELECT count(*) FROM frames WHERE session = ? AND first_seq >= ? AND first_seq < ?`)
    .pluck()
    .get(session, from, from + SAMPLE_EVENTS) as number;
  return SAMPLE_EVENTS / Math.max(1, frames);
}

/** How long the replaying thread waits for the reader without any progress before going on alone. */
const STALL_MS = 30_000;

/** Sizes a test can shrink (small rings wrap often; a small head lets the reader start early). */
export interface ReplayTuning {
  /** Mean frame size (events, sampled at the range's start) from which the reader thread is not started. */
  readonly bigFrameEvents?: number;
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
  // Big frames (a compacted log): reading is 2-4 % of the work, and the reader's start costs more than it saves
  // (paired, 1 M events of 4,096-event frames: 1.10x the one-thread time). The frames of the range's first
  // SAMPLE_EVENTS seqs say which kind this log is (an index range count).
  if (meanFrameEvents(log, session, from) >= (tuning.bigFrameEvents ?? BIG_FRAME_EVENTS)) return log.replay(session, apply, from, to);
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

  const check: SeqCheck = { expected: from, gap: false };
  const count = seqChecked(session, check, apply);
  // Every frame, the head's and the ring's, is copied into this Buffer of this thread's own and decoded there:
  // the decoder then sees one kind of array. Views of the shared ring (other maps than a Buffer) and the
  // Buffers SQLite hands out (another map again) made its loads polymorphic: deopts ("wrong map") and
  // recompiles, ~+200 M instructions on the 1 M-event log. The copy is a memcpy of ~20 bytes an event.
  const ring = new Uint8Array(ringBuffer);
  const words = new Int32Array(ringBuffer);
  const own = Buffer.allocUnsafeSlow(ring.length >> 2);
  const view = new DataView(own.buffer, own.byteOffset, own.byteLength);
  const pages = FramePages.open(db);
  const frameStart = db.prepare(`SELECT first_seq FROM frames WHERE session = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1`).pluck();
  let handover = 0;
  let ended = false;
  try {
    /** The head: [check.expected, end] read on this thread (a page at a time, checksums checked); false when the session ended. */
    const head = (end: number): boolean => {
      const first = check.expected;
      if (pages === undefined) {
        log.replay(session, count, first, end);
      } else {
        const start = (frameStart.get(session, first) as number | undefined) ?? first;
        pages.forEach(
          session,
          start,
          end,
          (bytes, begin, stop) => {
            if (stop - begin > own.length) throw new DecodeError('frame bigger than the copy buffer');
            own.set(bytes.subarray(begin, stop), 0);
            visitFrame(own, count, first, end, 0, stop - begin, view);
          },
          (err) => {
            // A bad checksum (err undefined): the one-thread path below names it. Anything else as it came.
            throw err ?? new DecodeError('checksum mismatch');
          },
        );
      }
      return check.expected > end && check.expected <= to;
    };
    // A head of a set length (tests: a handover at a known seq), then wait for the reader.
    if (tuning.headEvents !== undefined && !head(Math.min(to, from + tuning.headEvents - 1))) return finish(false);
    // The head, a slice at a time, until the reader is ready (headSlice 0: wait for it instead).
    while ((headSlice === 0 || tuning.headEvents !== undefined) && Atomics.load(ctrl, RING_READY) === 0) Atomics.wait(ctrl, RING_READY, 0, 1000);
    while (Atomics.load(ctrl, RING_READY) === 0) {
      if (!head(Math.min(to, check.expected + headSlice - 1))) return finish(false);
    }

    handover = check.expected;
    Atomics.store(ctrl, RING_START, handover);
    Atomics.notify(ctrl, RING_START);
    let r = 0;
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
      const body = (at + kind) << 2;
      let total = 0;
      for (let i = 0; i < kind; i++) total += words[at + i]!;
      own.set(ring.subarray(body, body + total), 0);
      let p = 0;
      for (let i = 0; i < kind; i++) {
        const len = words[at++]!;
        visitFrame(own, count, handover, to, p, p + len, view);
        p += len;
      }
      r = (body + total + 3) & ~3;
      if (r === ring.length) r = 0;
      Atomics.store(ctrl, RING_READ, r);
      Atomics.notify(ctrl, RING_READ);
    }
  } catch (err) {
    // Anything but a decode error or a seq out of line came from `apply`: passed on as is.
    if (!(err instanceof DecodeError) && !check.gap) {
      stop();
      throw err;
    }
    // A decode error, a bad checksum or a seq out of line: the one-thread path from here reports it where it always has.
    return finish(true);
  }
  return finish(!ended);

  /**
   * Ends the reader and finishes on this thread from the next expected seq: after a stop, a stall or a fault,
   * everything left; after the reader's end, whatever this thread's connection sees that the reader's snapshot
   * did not (a writer's newer frames): one key lookup and an empty page when there is nothing.
   */
  function finish(fellBack: boolean): number {
    stop();
    const expected = check.expected;
    if (handover > 0) note(tuning, handover, expected - handover, fellBack, Atomics.load(ctrl, RING_CPU_TICKS));
    if (expected > to) return expected - from;
    return expected - from + log.replay(session, apply, expected, to);
  }
}

function note(tuning: ReplayTuning, handover: number, fromRing: number, fellBack: boolean, readerCpuTicks: number): void {
  const t = tuning.trace;
  if (!t) return;
  t.readerCpuTicks = readerCpuTicks;
  t.handover = handover;
  t.fromRing = fromRing;
  t.fellBack = fellBack;
}
