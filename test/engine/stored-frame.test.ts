import Database from 'better-sqlite3';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { orderSession, storeSession } from '../../bench/session.ts';
import { salvageLog } from '../../engine/cli/salvage.ts';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import { frameKey } from '../../engine/store/frame-key.ts';
import { CorruptionError, StoreError } from '../../engine/store/errors.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { crcMatches, frameCrc, storedBody, wireFrame } from '../../engine/store/stored-frame.ts';
import { keyMix } from '../../engine/store/frame-key.ts';
import { contextsOf } from '../../engine/store/session-context.ts';
import { storedSessions } from './helpers/stored-session.ts';

/*
 * Frames stored without the head fields their row's key holds (schema 6, decision 269): the stored body is the
 * wire form less session and first seq (one tag byte for 'O', version and those); every read path gives back
 * the wire form, and the row's CRC (that of the wire form) covers key and body, `verify` checks `n` against the
 * frame's count: a flipped bit anywhere is found.
 */
const { freshPath, replayed } = storedSessions('ordo-stored-');

const events = [...orderSession(300)];

function small(path: string): { frames: { first: number; n: number }[] } {
  const log = openWritableLog(path, { backgroundCheckpoint: false });
  storeSession(log, events, undefined, [1, 2]);
  const frames = (log.db.prepare('SELECT key, n FROM frames ORDER BY key').raw(true).all() as [number, number][]).map(([k, n]) => ({ first: k - frameKey(1, 0), n }));
  log.close();
  return { frames };
}

function problems(path: string) {
  const r = openReadableLog(path);
  try {
    return r.verify();
  } finally {
    r.close();
  }
}

function replayError(path: string): unknown {
  try {
    replayed(path);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('stored-form frames', () => {
  it('store the wire form less session, first seq and count, and read back as the bytes encodeFrame made', () => {
    const path = freshPath();
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      log.transaction(() => log.openSession(1, events[0]!.ts));
      const wire: Uint8Array[] = [];
      log.transaction(() => {
        for (let i = 0; i < 40; i += 2) {
          const b = encodeFrame(1, events, i, i + 2);
          wire.push(b);
          log.appendFrame(1, events[i]!.seq, events[i + 1]!.seq, b);
        }
      });
      const rows = log.db.prepare('SELECT key, n, crc, body FROM frames ORDER BY key').raw(true).all() as [number, number, number, Buffer][];
      expect(rows.length).toBe(20);
      rows.forEach(([key, n, crc, body], i) => {
        const w = wire[i]!;
        const first = key - frameKey(1, 0);
        expect(n).toBe(2);
        // The tag: version 3 (low bits 3) and the count, 2, in bits 2-6 (decision 275).
        expect(body[0]).toBe(0x80 | (2 << 2) | 3);
        // 'O', version, session 1, first seq, count: one byte kept for the five fields; and the base time, relative
        // to the session's (decision 278), 1-2 bytes in place of 7 here.
        const head = 2 + 1 + (first < 128 ? 1 : 2) + 1;
        expect(body.length).toBeLessThanOrEqual(w.length - head + 1 - 5);
        expect(Buffer.from(wireFrame(1, first, body, 0, body.length, contextsOf(log.db).of(1)))).toEqual(Buffer.from(w));
        // The stored body's CRC with the key mixed in (decision 278), not the wire form's: another key does not match.
        expect(crc >>> 0).toBe((crc32(body) ^ keyMix(1, first)) >>> 0);
        expect(crc >>> 0).not.toBe(crc32(w));
        expect(crcMatches(1, first, body, crc)).toBe(true);
        expect(crcMatches(1, first + 1, body, crc)).toBe(false);
        expect(crcMatches(2, first, body, crc)).toBe(false);
        expect(frameCrc(1, first, body)).toBe(crc >>> 0);
      });
      expect([...log.frames(1, 1, 40)].map((f) => Buffer.from(f.bytes))).toEqual(wire.map((w) => Buffer.from(w)));
    } finally {
      log.close();
    }
    expect(replayed(path)).toEqual(events.slice(0, 40));
  });

  it('a frame of more than 31 events keeps its count after the tag, and a row decision 269 stored (tag 0x83, count after it) reads as before', () => {
    const path = freshPath();
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    const wire = [encodeFrame(1, events, 0, 40), encodeFrame(1, events, 40, 42)];
    try {
      log.transaction(() => log.openSession(1, events[0]!.ts));
      log.transaction(() => log.appendFrame(1, events[0]!.seq, events[39]!.seq, wire[0]!));
      // Decision 269's stored form of the 2-event frame: 0x83, then the wire form from its count on.
      const w = wire[1]!;
      const countAt = 2 + 1 + (events[40]!.seq < 128 ? 1 : 2);
      expect(w[countAt]).toBe(2);
      const old = Buffer.concat([Buffer.of(0x83), w.subarray(countAt)]);
      log.db.prepare('INSERT INTO frames (key, n, crc, body) VALUES (?, ?, ?, ?)').run(frameKey(1, events[40]!.seq), 2, crc32(w) | 0, old);
      const rows = log.db.prepare('SELECT key, body FROM frames ORDER BY key').raw(true).all() as [number, Buffer][];
      expect(rows[0]![1][0]).toBe(0x83);
      expect(rows[0]![1][1]).toBe(40);
      // 'O', version, session 1, first seq 1: four bytes for the tag's one.
      expect(rows[0]![1].length).toBe(wire[0]!.length - 4 + 1);
      expect([...log.frames(1, 1, 42)].map((f) => Buffer.from(f.bytes))).toEqual(wire.map((x) => Buffer.from(x)));
    } finally {
      log.close();
    }
    expect(replayed(path)).toEqual(events.slice(0, 42));
    expect(problems(path)).toEqual([]);
  });

  it('refuse a frame whose head names another row, and leave the log as it was', () => {
    const path = freshPath();
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      log.transaction(() => log.openSession(1, events[0]!.ts));
      const b = encodeFrame(1, events, 0, 2);
      expect(() => log.transaction(() => log.appendFrame(1, events[0]!.seq, events[0]!.seq, b))).toThrow(StoreError);
      expect(() => log.transaction(() => log.appendFrame(2, events[0]!.seq, events[1]!.seq, b))).toThrow(/its row says session 2/);
      expect(log.db.prepare('SELECT count(*) FROM frames').pluck().get()).toBe(0);
      expect(() => storedBody(b, 1, events[1]!.seq, 2)).toThrow(RangeError);
    } finally {
      log.close();
    }
  });

  it('a flipped bit anywhere in a row (body, n, crc, key) is found by verify; in the body or key it stops a replay', () => {
    const path = freshPath();
    const { frames } = small(path);
    const victim = frames[30]!;
    const key = frameKey(1, victim.first);
    const db = new Database(path);
    const original = db.prepare('SELECT n, crc, body FROM frames WHERE key = ?').get(key) as { n: number; crc: number; body: Buffer };
    db.close();
    const edit = (sql: string, ...args: unknown[]) => {
      const d = new Database(path);
      try {
        d.prepare(sql).run(...args);
      } finally {
        d.close();
      }
    };
    const restore = () => edit('UPDATE frames SET n = ?, crc = ?, body = ? WHERE key = ?', original.n, original.crc, original.body, key);
    const checksumAt = (first: number) => problems(path).some((p) => p.firstSeq === first && p.detail === 'checksum mismatch');
    // Every bit of the stored body: verify finds it, and a replay stops at it.
    for (let byte = 0; byte < original.body.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const b = Buffer.from(original.body);
        b[byte]! ^= 1 << bit;
        edit('UPDATE frames SET body = ? WHERE key = ?', b, key);
        expect(checksumAt(victim.first), `body byte ${byte} bit ${bit}`).toBe(true);
        if (bit === 0) expect(replayError(path), `body byte ${byte}`).toBeInstanceOf(CorruptionError);
      }
    }
    restore();
    expect(problems(path)).toEqual([]);
    // The row's count (n): checked against the frame's own.
    for (let bit = 0; bit < 4; bit++) {
      edit('UPDATE frames SET n = ? WHERE key = ?', original.n ^ (1 << bit), key);
      expect(
        problems(path).some((p) => p.firstSeq === victim.first && p.detail === 'frame header does not match its row'),
        `n bit ${bit}`,
      ).toBe(true);
    }
    restore();
    // The stored CRC itself.
    for (let bit = 0; bit < 32; bit++) {
      edit('UPDATE frames SET crc = ? WHERE key = ?', original.crc ^ (1 << bit), key);
      expect(checksumAt(victim.first), `crc bit ${bit}`).toBe(true);
    }
    restore();
    // The key (session and first seq): the row moved to a key no other row has.
    for (const bit of [20, 24, 30, 36, 40]) {
      const moved = key ^ 2 ** bit;
      edit('UPDATE frames SET key = ? WHERE key = ?', moved, key);
      const p = problems(path);
      expect(p.some((x) => x.rowId === moved && x.detail === 'checksum mismatch'), `key bit ${bit}`).toBe(true);
      expect(replayError(path), `key bit ${bit}`).toBeInstanceOf(CorruptionError);
      edit('UPDATE frames SET key = ? WHERE key = ?', key, moved);
    }
    expect(problems(path)).toEqual([]);
    expect(replayed(path)).toEqual(events.slice(0, replayed(path).length));
    // ~330 verifies and ~40 replays of a fresh process's log: 9 s alone, 28 s at load 18.
  }, 120_000);

  it('a stored-form frame of a newer codec version is one line saying so, not damage', () => {
    const path = freshPath();
    const { frames } = small(path);
    const victim = frames.at(-1)!;
    const d = new Database(path);
    const body = d.prepare('SELECT body FROM frames WHERE key = ?').pluck().get(frameKey(1, victim.first)) as Buffer;
    // Version 4 (low bits 0), count after the tag: this build reads up to 3.
    body[0] = 0x80;
    d.prepare('UPDATE frames SET body = ?, crc = ? WHERE key = ?').run(body, frameCrc(1, victim.first, body) | 0, frameKey(1, victim.first));
    d.close();
    const line = /an event frame of format version 4, written by a newer Ordo/;
    expect(() => replayed(path)).toThrow(StoreError);
    expect(() => replayed(path)).toThrow(line);
    expect(() => problems(path)).toThrow(line);
  });

  it('salvage copies a stored-form log that replays the same, and stops at a damaged frame', () => {
    const path = freshPath();
    const { frames } = small(path);
    const to = freshPath();
    const r = salvageLog(path, to);
    expect(r.stoppedAt).toBeUndefined();
    expect(replayed(to)).toEqual(replayed(path));
    const victim = frames[10]!;
    const d = new Database(path);
    const body = d.prepare('SELECT body FROM frames WHERE key = ?').pluck().get(frameKey(1, victim.first)) as Buffer;
    body[1]! ^= 4;
    d.prepare('UPDATE frames SET body = ? WHERE key = ?').run(body, frameKey(1, victim.first));
    d.close();
    const again = salvageLog(path, freshPath());
    expect(again.stoppedAt).toMatch(/checksum mismatch/);
    expect(again.end?.seq).toBe(victim.first - 1);
  });
});
