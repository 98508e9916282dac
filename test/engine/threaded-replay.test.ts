import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { orderSession, storeSession } from '../../bench/session.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { CorruptionError } from '../../engine/store/errors.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { replayOnTwoThreads, type ReplayTuning } from '../../engine/store/threaded-replay.ts';
import { Prng } from '../../engine/venue/prng.ts';
import { cutFrame, flipFrameByte, storedSessions } from './helpers/stored-session.ts';

// replayOnTwoThreads (decision 218) reads and checks frames on a second thread and decodes and applies them on
// this one. These tests hold it to log.replay: the same events in the same order, the same errors with the same
// locations, every checksum checked. `headSlice: 0` makes this thread wait for the reader instead of replaying a
// head itself, so the ring carries (nearly) everything; small rings wrap many times.

const { freshPath, storedSession, replayed: oneThread } = storedSessions('ordo-threaded-');

function twoThreads(path: string, tuning: ReplayTuning, from?: number, to?: number): { events: Sequenced[]; n: number } {
  const log = openReadableLog(path);
  try {
    const events: Sequenced[] = [];
    const n = replayOnTwoThreads(log, 1, (e) => events.push(e), from, to, { minEvents: 0, headSlice: 0, bigFrameEvents: Infinity, ...tuning });
    return { events, n };
  } finally {
    log.close();
  }
}

// Generous timeouts: these read real files on two threads of a shared, loaded machine (no timing is asserted).
describe('replay with the reading on a second thread', { timeout: 180_000 }, () => {
  it('replays the same events as log.replay for live-sized, big and mixed frames, whole and in ranges, the ring wrapping', () => {
    const prng = new Prng(218);
    const mixed = Array.from({ length: 700 }, () => prng.int(1, 12));
    for (const sizes of [[1], mixed, [4096], [3, 4096, 1, 900, 2]]) {
      const path = storedSession(20_000, sizes);
      const all = oneThread(path);
      expect(all.length).toBeGreaterThan(20_000);
      for (const ringBytes of [1 << 20, 64 * 1024]) {
        const trace: NonNullable<ReplayTuning['trace']> = {};
        const whole = twoThreads(path, { ringBytes, trace });
        expect(whole.n).toBe(all.length);
        expect(whole.events).toEqual(all);
        // 4,096-event frames (~60 KiB) do not fit a quarter of a 64 KiB ring: the one-thread path reads them.
        if (ringBytes === 1 << 20 || !sizes.includes(4096)) {
          expect(trace.fellBack).toBe(false);
          expect(trace.fromRing).toBe(all.length);
        } else {
          expect(trace.fellBack).toBe(true);
        }
      }
      for (const [from, to] of [
        [2, 17],
        [4095, 13_301],
        [all.length - 5, all.length + 100],
      ] as const) {
        const part = twoThreads(path, { ringBytes: 256 * 1024 }, from, to);
        expect(part.events).toEqual(oneThread(path, from, to));
        expect(part.n).toBe(part.events.length);
      }
    }
  });

  it('hands over from a head replayed on this thread to the ring without losing or repeating an event', () => {
    const path = storedSession(60_000, [1, 2, 3, 4]);
    const all = oneThread(path);
    const trace: NonNullable<ReplayTuning['trace']> = {};
    // 10,001 events on this thread, then the ring from seq 10,002: inside a frame (sizes 1-4 repeat every 10 events).
    const r = twoThreads(path, { headEvents: 10_001, trace });
    expect(r.events).toEqual(all);
    expect(trace.handover).toBe(10_002);
    expect(trace.fellBack).toBe(false);
    expect(trace.fromRing! + trace.handover! - 1).toBe(all.length);
  });

  it('builds the same projection (state hash) as log.replay', () => {
    const path = storedSession(40_000, [2, 5, 1, 3]);
    const a = new OmsProjection();
    const log = openReadableLog(path);
    log.replay(1, (e) => a.apply(e));
    const b = new OmsProjection();
    replayOnTwoThreads(log, 1, (e) => b.apply(e), 1, Number.MAX_SAFE_INTEGER, { minEvents: 0, headSlice: 0, bigFrameEvents: Infinity, ringBytes: 128 * 1024 });
    log.close();
    expect(b.stateHash()).toBe(a.stateHash());
    expect(b.lastSeq).toBe(a.lastSeq);
  });

  it('reports a flipped byte deep in the log as log.replay does, after applying exactly the events before it', () => {
    const path = storedSession(20_000, [3]);
    flipFrameByte(path, 15001);
    const log = openReadableLog(path);
    let applied = 0;
    const run = () => replayOnTwoThreads(log, 1, () => applied++, 1, Number.MAX_SAFE_INTEGER, { minEvents: 0, headSlice: 0, bigFrameEvents: Infinity, ringBytes: 64 * 1024 });
    expect(run).toThrow(CorruptionError);
    expect(applied).toBe(15_000);
    applied = 0;
    expect(run).toThrow('corrupted frame in session 1, seq 15001-15003: checksum mismatch');
    log.close();
  });

  it('names a frame that does not decode (checksum right, content cut short) as log.replay does', () => {
    const path = storedSession(20_000, [3]);
    cutFrame(path, 12001);
    const log = openReadableLog(path);
    let oneError: unknown;
    let oneApplied = 0;
    try {
      log.replay(1, () => oneApplied++);
    } catch (err) {
      oneError = err;
    }
    expect(oneError).toBeInstanceOf(CorruptionError);
    let applied = 0;
    expect(() => replayOnTwoThreads(log, 1, () => applied++, 1, Number.MAX_SAFE_INTEGER, { minEvents: 0, headSlice: 0, bigFrameEvents: Infinity })).toThrow((oneError as Error).message);
    expect(applied).toBe(oneApplied);
    log.close();
  });

  it('reports a missing frame (a seq gap) as log.replay does', () => {
    const path = storedSession(20_000, [4]);
    const db = new Database(path);
    db.prepare('DELETE FROM frames WHERE first_seq = 8001').run();
    db.close();
    const log = openReadableLog(path);
    let applied = 0;
    expect(() => replayOnTwoThreads(log, 1, () => applied++, 1, Number.MAX_SAFE_INTEGER, { minEvents: 0, headSlice: 0, bigFrameEvents: Infinity })).toThrow(
      'seq gap: expected 8001, found 8005',
    );
    expect(applied).toBe(8000);
    log.close();
  });

  it("passes on an error thrown by the caller's apply, without applying anything after it", () => {
    const path = storedSession(20_000, [2]);
    const log = openReadableLog(path);
    let applied = 0;
    const apply = (e: Sequenced) => {
      if (e.seq === 9_999) throw new Error('projection refused seq 9999');
      applied++;
    };
    expect(() => replayOnTwoThreads(log, 1, apply, 1, Number.MAX_SAFE_INTEGER, { minEvents: 0, headSlice: 0, bigFrameEvents: Infinity })).toThrow('projection refused seq 9999');
    expect(applied).toBe(9_998);
    log.close();
  });

  it("also replays what only the caller's connection sees (frames of its open transaction), after the reader's end", () => {
    const path = freshPath();
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    const ev = (seq: number): Sequenced => ({ seq, ts: 1_767_225_600_000_000 + seq, src: 'risk-1', cseq: seq, event: { type: 'OrderAccepted', orderId: seq } });
    const frame = (f: number) => {
      const events = [ev(3 * f + 1), ev(3 * f + 2), ev(3 * f + 3)];
      log.appendFrame(1, events[0]!.seq, events[2]!.seq, encodeFrame(1, events));
    };
    log.transaction(() => {
      log.openSession(1, 1);
      for (let f = 0; f < 2000; f++) frame(f);
    });
    const seen: number[] = [];
    const trace: NonNullable<ReplayTuning['trace']> = {};
    log.transaction(() => {
      // Not committed yet: the reader thread's own connection does not see these 100 frames.
      for (let f = 2000; f < 2100; f++) frame(f);
      replayOnTwoThreads(log, 1, (e) => seen.push(e.seq), 1, Number.MAX_SAFE_INTEGER, { minEvents: 0, headSlice: 0, bigFrameEvents: Infinity, trace });
    });
    log.close();
    expect(trace.fromRing).toBe(6000);
    expect(seen).toEqual(Array.from({ length: 6300 }, (_, i) => i + 1));
  });

  it('starts the reader for small frames only: a log of big (compacted) frames replays on this thread alone', () => {
    for (const [sizes, threaded] of [
      [[4096], false],
      [[2], true],
    ] as const) {
      const path = storedSession(12_000, sizes);
      const trace: NonNullable<ReplayTuning['trace']> = {};
      const log = openReadableLog(path);
      const got: Sequenced[] = [];
      replayOnTwoThreads(log, 1, (e) => got.push(e), 1, Number.MAX_SAFE_INTEGER, { minEvents: 0, headSlice: 0, trace });
      log.close();
      expect(got).toEqual(oneThread(path));
      expect(trace.handover !== undefined).toBe(threaded);
    }
  });

  it('replays an in-memory log and a short range on this thread alone', () => {
    const log = openWritableLog(':memory:', { backgroundCheckpoint: false });
    storeSession(log, orderSession(5_000), undefined, [7]);
    const expected: Sequenced[] = [];
    log.replay(1, (e) => expected.push(e));
    const got: Sequenced[] = [];
    const trace: NonNullable<ReplayTuning['trace']> = {};
    expect(replayOnTwoThreads(log, 1, (e) => got.push(e), 1, Number.MAX_SAFE_INTEGER, { minEvents: 0, trace })).toBe(expected.length);
    expect(got).toEqual(expected);
    expect(trace.handover).toBeUndefined();
    log.close();
  });
});
