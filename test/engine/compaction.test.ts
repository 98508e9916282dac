import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { COMPACT_EVENTS, compactSession, compactStep, compactTurns, FrameCompactor } from '../../engine/store/compaction.ts';
import { openReadableLog, openWritableLog, type WritableLog } from '../../engine/store/log.ts';
import { frameKey, MAX_SEQ, SEQ_SPAN } from '../../engine/store/frame-key.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function freshLog(): { path: string; log: WritableLog } {
  const dir = tempDir('ordo-compact-');
  dirs.push(dir);
  const path = join(dir, 'ordo.db');
  return { path, log: openWritableLog(path, { backgroundCheckpoint: false }) };
}

/** Mixed event types and sources, as a live session interleaves them. */
function ev(seq: number): Sequenced {
  const k = seq % 4;
  const ts = 1_767_225_600_000_000 + seq * 7;
  if (k === 0) {
    return {
      seq,
      ts,
      src: 'proxy-1',
      cseq: seq,
      event: { type: 'OrderPending', orderId: seq, clientId: 'ALPHA', clientOrderId: `C${seq}é`, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 5, price: 101.25 },
    };
  }
  if (k === 1) return { seq, ts, src: 'risk-1', cseq: seq, event: { type: 'OrderAccepted', orderId: seq - 1 } };
  if (k === 2) return { seq, ts, src: 'router-1', cseq: seq, event: { type: 'OrderRouted', orderId: seq - 2, venue: 'XNAS' } };
  return { seq, ts, src: 'gateway-1', cseq: seq, event: { type: 'OrderExecuted', orderId: seq - 3, execId: 9_000_000_000 + seq, fillQty: 5, fillPrice: 101.25 } };
}

/** Session 1 in frames of the given sizes (1-based consecutive seqs). */
function write(log: WritableLog, sizes: readonly number[], session = 1): number {
  let seq = 0;
  log.transaction(() => {
    log.openSession(session, 1);
    for (const n of sizes) {
      const events = Array.from({ length: n }, () => ev(++seq));
      log.appendFrame(session, events[0]!.seq, seq, encodeFrame(session, events));
    }
  });
  return seq;
}

function rows(log: WritableLog, session = 1): { id: number; first: number; last: number }[] {
  return log.db
    .prepare(`SELECT key AS id, key % ${SEQ_SPAN} AS first, key % ${SEQ_SPAN} + n - 1 AS last FROM frames WHERE key >= ? AND key <= ? ORDER BY key`)
    .all(frameKey(session, 0), frameKey(session, MAX_SEQ)) as { id: number; first: number; last: number }[];
}

describe('frame compaction', () => {
  it('merges small frames into frames of up to COMPACT_EVENTS events, with the same events, row ids still growing with seq', () => {
    const { path, log } = freshLog();
    const sizes = Array.from({ length: 3000 }, (_, i) => 1 + (i % 7));
    const last = write(log, sizes);
    const before = [...log.events(1)];
    const r = compactSession(log, 1, last, true);
    expect(r.events).toBe(last);
    const after = rows(log);
    // Frames of 1–7 events fill a merged frame to within 7 events of the limit; only the session's tail is shorter.
    for (const f of after.slice(0, -1)) expect(f.last - f.first + 1).toBeGreaterThan(COMPACT_EVENTS - 7);
    for (const f of after) expect(f.last - f.first + 1).toBeLessThanOrEqual(COMPACT_EVENTS);
    expect(after[after.length - 1]!.last).toBe(last);
    for (let i = 1; i < after.length; i++) {
      expect(after[i]!.id).toBeGreaterThan(after[i - 1]!.id);
      expect(after[i]!.first).toBe(after[i - 1]!.last + 1);
    }
    expect(log.verify()).toEqual([]);
    log.close();
    const ro = openReadableLog(path);
    expect([...ro.events(1)]).toEqual(before);
    // A reader asking from the middle of a merged frame gets exactly what it asked for.
    expect([...ro.events(1, 100, 105)].map((e) => e.seq)).toEqual([100, 101, 102, 103, 104, 105]);
    let n = 0;
    ro.replay(1, () => n++, 50, 60);
    expect(n).toBe(11);
    ro.close();
  });

  it('leaves frames past upTo, big frames and a run that upTo cuts short as they are (an open session)', () => {
    const { log } = freshLog();
    const sizes = [...Array.from({ length: 5000 }, () => 1), 2000, ...Array.from({ length: 100 }, () => 1)];
    write(log, sizes);
    const upTo = 5000 + 2000 + 50;
    compactSession(log, 1, upTo);
    const after = rows(log);
    // 5,000 one-event frames became two frames (4,096 + 904, cut by the big frame); the big one stays; the 100 after it are untouched.
    expect(after.slice(0, 3).map((f) => f.last - f.first + 1)).toEqual([4096, 904, 2000]);
    expect(after.length).toBe(3 + 100);
    expect(log.verify()).toEqual([]);
    log.close();
  });

  it('never rewrites a frame that fails its checksum; the frames around it still merge', () => {
    const { log } = freshLog();
    write(log, Array.from({ length: 300 }, () => 1));
    // Corrupt seq 150's frame.
    log.db.prepare('UPDATE frames SET crc = crc + 1 WHERE key = ?').run(frameKey(1, 150));
    const skipped: string[] = [];
    let cursor = 1;
    for (let i = 0; i < 10; i++) {
      const s = compactStep(log, 1, cursor, 300, { maxWrites: 10, finish: true, onSkip: (e) => skipped.push(e.message) });
      cursor = s.cursor;
      if (s.caughtUp) break;
    }
    expect(skipped).toEqual(['checksum mismatch in frame 150-150']);
    const bad = rows(log).filter((f) => f.first <= 150 && f.last >= 150);
    expect(bad.length).toBe(1);
    expect(log.verify().map((p) => p.detail)).toEqual(['checksum mismatch']);
    log.close();
  });

  it('compactTurns writes the same frames as compactStep, cut into many turns (the live host runs one per event-loop turn)', () => {
    // Mixed sizes, a big frame in the middle, and a tail past upTo: every branch of a step.
    const sizes = [...Array.from({ length: 2500 }, (_, i) => 1 + (i % 9)), 2000, ...Array.from({ length: 1500 }, (_, i) => 1 + (i % 5))];
    const a = freshLog();
    const b = freshLog();
    const last = write(a.log, sizes);
    write(b.log, sizes);
    const upTo = last - 700;
    let cursorA = 1;
    let cursorB = 1;
    let turns = 0;
    let steps = 0;
    for (;;) {
      const sa = compactStep(a.log, 1, cursorA, upTo, { maxWrites: 1 });
      const gen = compactTurns(b.log, 1, cursorB, upTo);
      let r = gen.next();
      let stepTurns = 1;
      while (!r.done) {
        r = gen.next();
        stepTurns++;
      }
      const sb = r.value;
      expect(sb).toEqual(sa);
      if (sb.framesWritten === 1) {
        // A merged run is read, decoded, encoded and written over several turns, not in one.
        expect(stepTurns).toBeGreaterThanOrEqual(3);
      }
      turns += stepTurns;
      steps++;
      cursorA = sa.cursor;
      cursorB = sb.cursor;
      if (sa.caughtUp) break;
    }
    expect(steps).toBeGreaterThan(3);
    expect(turns).toBeGreaterThan(steps * 3);
    expect(rows(b.log)).toEqual(rows(a.log));
    expect([...b.log.events(1)]).toEqual([...a.log.events(1)]);
    expect(b.log.verify()).toEqual([]);
    a.log.close();
    b.log.close();
  });

  it('compactTurns takes on at most the given rows and frames per turn, and writes the same frames with any turn size', () => {
    const sizes = [...Array.from({ length: 3000 }, (_, i) => 1 + (i % 7)), 1500, ...Array.from({ length: 800 }, (_, i) => 1 + (i % 3))];
    const run = (size: { rows: number; frames: number } | undefined) => {
      const l = freshLog();
      const upTo = write(l.log, sizes) - 300;
      let cursor = 1;
      const writes: { removed: number; turns: number }[] = [];
      let turns = 0;
      for (;;) {
        const gen = compactTurns(l.log, 1, cursor, upTo, undefined, size);
        let r = gen.next();
        let stepTurns = 1;
        while (!r.done) {
          r = gen.next();
          stepTurns++;
        }
        turns += stepTurns;
        if (r.value.framesWritten === 1) writes.push({ removed: r.value.framesRemoved, turns: stepTurns });
        if (r.value.caughtUp) break;
        cursor = r.value.cursor;
      }
      const out = { rows: rows(l.log), events: [...l.log.events(1)], verify: l.log.verify(), writes, turns };
      l.log.close();
      return out;
    };
    const small = run({ rows: 16, frames: 8 });
    const dflt = run(undefined);
    expect(small.rows).toEqual(dflt.rows);
    expect(small.events).toEqual(dflt.events);
    expect(small.verify).toEqual([]);
    expect(small.writes.length).toBeGreaterThan(2);
    // A merged run of R frames is decoded 8 frames a turn, then encoded and written in turns of their own.
    for (const w of small.writes) expect(w.turns).toBeGreaterThanOrEqual(Math.ceil(w.removed / 8) + 2);
    // Looking at 16 rows a turn takes more turns than the default's 128.
    expect(small.turns).toBeGreaterThan(dflt.turns);
  });

  it('FrameCompactor merges behind the head of the open session in the background, keeping the newest lagEvents as written', async () => {
    const { log } = freshLog();
    write(log, Array.from({ length: 20_000 }, () => 1));
    const c = new FrameCompactor(log, { lagEvents: 1000, everyMs: 5, budgetMs: 50 });
    try {
      const deadline = Date.now() + 30_000;
      while (c.stats.events < 16_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    } finally {
      c.close();
    }
    const after = rows(log);
    const small = after.filter((f) => f.first === f.last);
    expect(small.length).toBeGreaterThanOrEqual(1000);
    expect(after.filter((f) => f.last - f.first + 1 === COMPACT_EVENTS).length).toBe(4);
    expect(after[after.length - 1]!.last).toBe(20_000);
    expect(log.verify()).toEqual([]);
    log.close();
  });

  it('compactTurns writes a long run in pieces of at most writeRows rows a transaction; readers see every event once at every point; the end is the same frames (decision 268)', () => {
    // 9,000 one-event frames: two runs of 4,096 rows and a rest, far more rows than one write may delete.
    const sizes = Array.from({ length: 9_000 }, () => 1);
    const a = freshLog();
    const b = freshLog();
    const last = write(a.log, sizes);
    write(b.log, sizes);
    // The open session's rest (808 rows, cut short by upTo) waits for more events in both.
    compactSession(a.log, 1, last);
    const before = [...b.log.events(1)];
    const reader = openReadableLog(b.path);
    const writeRows = 64;
    // Every transaction of the compactor: frames deleted (each inserts one frame).
    const deleted: number[] = [];
    const count = b.log.db.prepare('SELECT count(*) FROM frames').pluck();
    const countRows = () => count.get() as number;
    const transaction = b.log.transaction.bind(b.log);
    b.log.transaction = <T>(fn: () => T): T => {
      const n0 = countRows();
      const r = transaction(fn);
      deleted.push(n0 - countRows() + 1);
      return r;
    };
    const consistent = () => {
      // The fast path (replay: a gap or a doubled seq throws) and the event path (every event as written).
      expect(reader.replay(1, () => undefined)).toBe(last);
      expect([...reader.events(1)]).toEqual(before);
    };
    let cursor = 1;
    let turns = 0;
    let merged = 0;
    for (;;) {
      const gen = compactTurns(b.log, 1, cursor, last, undefined, { writeRows });
      let r = gen.next();
      while (!r.done) {
        turns++;
        if (turns % 19 === 0) consistent();
        r = gen.next();
      }
      merged += r.value.framesWritten;
      if (r.value.caughtUp || r.value.cursor === cursor) break;
      cursor = r.value.cursor;
    }
    consistent();
    expect(merged).toBe(2);
    // Pieces: 4,096 rows in pieces of 64 (63 of them), then the last write; the 808-row rest is the same.
    expect(deleted.length).toBeGreaterThan(2 * 63);
    // A piece deletes writeRows rows; the last write its pieces and the rows after the last piece.
    for (const d of deleted) expect(d).toBeLessThanOrEqual(writeRows + Math.ceil(4096 / writeRows));
    expect(deleted.filter((d) => d === writeRows).length).toBeGreaterThanOrEqual(2 * 63);
    // The end is what one whole-run write per run leaves: the same rows, the same bytes.
    expect(rows(b.log)).toEqual(rows(a.log));
    const bodies = (l: WritableLog) => l.db.prepare('SELECT key, crc, body FROM frames ORDER BY key').all();
    expect(bodies(b.log)).toEqual(bodies(a.log));
    expect(b.log.verify()).toEqual([]);
    reader.close();
    a.log.close();
    b.log.close();
  });

  it('a log left between the pieces and the last write (a crash, or a step given up) opens whole, and is merged by a later step', () => {
    const sizes = Array.from({ length: 5_000 }, (_, i) => 1 + (i % 3));
    for (const stopAfter of [3, 40, 90]) {
      const { path, log } = freshLog();
      const last = write(log, sizes);
      const before = [...log.events(1)];
      const gen = compactTurns(log, 1, 1, last, undefined, { writeRows: 32 });
      for (let t = 0; t < stopAfter; t++) expect(gen.next().done).toBe(false);
      // Given up here: every transaction so far is committed, none is half done.
      gen.return(undefined as never);
      log.close();
      const again = openWritableLog(path, { backgroundCheckpoint: false });
      expect(again.verify()).toEqual([]);
      expect([...again.events(1)]).toEqual(before);
      // Past the first turns, pieces stand in place of the rows they replaced.
      if (stopAfter > 3) expect(rows(again).length).toBeLessThan(sizes.length);
      compactSession(again, 1, last, true);
      expect(again.verify()).toEqual([]);
      expect([...again.events(1)]).toEqual(before);
      for (const f of rows(again).slice(0, -1)) expect(f.last - f.first + 1).toBeGreaterThan(COMPACT_EVENTS / 2);
      again.close();
    }
  });
});
