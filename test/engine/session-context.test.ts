import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { orderSession } from '../../bench/session.ts';
import { salvageLog } from '../../engine/cli/salvage.ts';
import { decodeFrame, encodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { compactSession } from '../../engine/store/compaction.ts';
import { CorruptionError } from '../../engine/store/errors.ts';
import { frameKey } from '../../engine/store/frame-key.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { storedSessions } from './helpers/stored-session.ts';

/*
 * Decision 278: a small stored frame (1-31 events, what a live host commits at 1 k orders/s) holds its base time
 * relative to its session's and names the session's repeated strings by index (session_strings, schema 7). Every
 * read path gives back the frame encodeFrame made; a damaged or missing row of the table is one line naming it.
 */
const { freshPath, replayed } = storedSessions('ordo-context-');

const events = [...orderSession(400)];

/** Session 1 of `events` appended as encodeFrame's frames of 1 and 2 events; their wire bytes. */
function written(path: string, upTo = events.length, from = 0): Uint8Array[] {
  const log = openWritableLog(path, { backgroundCheckpoint: false });
  const wire: Uint8Array[] = [];
  try {
    if (from === 0) log.transaction(() => log.openSession(1, events[0]!.ts));
    for (let i = from, k = 0; i < upTo; k++) {
      const j = Math.min(upTo, i + 1 + (k % 2));
      const b = encodeFrame(1, events, i, j);
      wire.push(b);
      log.transaction(() => log.appendFrame(1, events[i]!.seq, events[j - 1]!.seq, b));
      i = j;
    }
  } finally {
    log.close();
  }
  return wire;
}

function rows(path: string): [number, string][] {
  const d = new Database(path, { readonly: true });
  try {
    return (d.prepare('SELECT idx, value FROM session_strings WHERE session = 1 ORDER BY idx').raw(true).all() as [number, Buffer][]).map(([i, v]) => [i, v.toString('utf8')]);
  } finally {
    d.close();
  }
}

function edit(path: string, sql: string, ...args: unknown[]): void {
  const d = new Database(path);
  try {
    d.prepare(sql).run(...args);
  } finally {
    d.close();
  }
}

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('no error');
}

const decoded = (wire: Uint8Array[]): Sequenced[] => wire.flatMap((w) => decodeFrame(w).events);

describe('small stored frames refer to their session context (decision 278)', () => {
  it('store base time and repeated strings once a session, and every read path gives back the bytes encodeFrame made', () => {
    const path = freshPath();
    const wire = written(path);
    const table = rows(path);
    // The base time is the first small frame's; the strings are those seen three times (symbols, venues, clients).
    expect(table[0]).toEqual([0, String(events[0]!.ts)]);
    const strings = table.slice(1).map(([, v]) => v);
    expect(strings).toContain('ALPHA');
    expect(strings).toContain('CHARLIE');
    // A client order id is spelled out in its frame, not put in the table.
    // (One that happens to spell a symbol, 'BA', is that symbol's entry.)
    const symbols = new Set(events.flatMap((e) => (e.event.type === 'OrderPending' ? [e.event.symbol] : [])));
    const ids = new Set(events.flatMap((e) => (e.event.type === 'OrderPending' && !symbols.has(e.event.clientOrderId) ? [e.event.clientOrderId] : [])));
    expect(ids.size).toBeGreaterThan(10);
    expect(strings.filter((s) => ids.has(s))).toEqual([]);
    const r = openReadableLog(path);
    try {
      const bodies = r.db.prepare('SELECT body FROM frames ORDER BY key').pluck().all() as Buffer[];
      const storedBytes = bodies.reduce((a, b) => a + b.length, 0);
      const wireBytes = wire.reduce((a, b) => a + b.length, 0);
      // At least the head (4-5 bytes) and two bytes of base time a frame fewer, and the strings besides.
      expect(storedBytes).toBeLessThan(wireBytes - 6 * wire.length);
      expect([...r.frames(1, 1, events.length)].map((f) => Buffer.from(f.bytes))).toEqual(wire.map((w) => Buffer.from(w)));
      expect([...r.events(1)]).toEqual(decoded(wire));
      expect(r.verify()).toEqual([]);
    } finally {
      r.close();
    }
    expect(replayed(path)).toEqual(decoded(wire));
    // From the middle: the context is the session's, not the frames' before it.
    expect(replayed(path, 201)).toEqual(decoded(wire).filter((e) => e.seq >= 201));
  });

  it('a reader open while the writer adds strings rereads the table when a frame names one it has not read', () => {
    const path = freshPath();
    const wire = written(path, 20);
    const r = openReadableLog(path);
    try {
      const first: Sequenced[] = [];
      r.replay(1, (e) => first.push(e));
      expect(first).toEqual(decoded(wire));
      const before = rows(path).length;
      const more = written(path, events.length, 20);
      expect(rows(path).length).toBeGreaterThan(before);
      const all: Sequenced[] = [];
      r.replay(1, (e) => all.push(e));
      expect(all).toEqual(decoded([...wire, ...more]));
    } finally {
      r.close();
    }
  });

  it('a damaged, changed or missing row of the table is one line naming it (replay, frames, verify, salvage), never a crash', () => {
    const path = freshPath();
    written(path);
    const table = rows(path);
    const idx = table.find(([, v]) => v === 'ALPHA')![0];
    const d = new Database(path);
    const original = d.prepare('SELECT value, crc FROM session_strings WHERE session = 1 AND idx = ?').raw(true).get(idx) as [Buffer, number];
    d.close();
    const oneLine = (err: Error) => {
      expect(err).toBeInstanceOf(CorruptionError);
      expect(err.message.includes('\n')).toBe(false);
      return err.message;
    };
    // A flipped byte in the value, its checksum kept.
    const flipped = Buffer.from(original[0]);
    flipped[0]! ^= 1;
    edit(path, 'UPDATE session_strings SET value = ? WHERE session = 1 AND idx = ?', flipped, idx);
    const line = new RegExp(`corrupted frame in session 1, seq \\d+-\\d+: row ${idx} of session 1's string table fails its checksum`);
    expect(oneLine(caught(() => replayed(path)))).toMatch(line);
    const r = openReadableLog(path);
    try {
      expect(oneLine(caught(() => [...r.frames(1, 1, events.length)]))).toMatch(line);
      const problems = r.verify();
      expect(problems.length).toBeGreaterThan(0);
      expect(problems[0]!.detail).toBe(`row ${idx} of session 1's string table fails its checksum`);
    } finally {
      r.close();
    }
    const s = salvageLog(path, freshPath());
    expect(s.stoppedAt).toMatch(new RegExp(`row ${idx} of session 1's string table fails its checksum`));
    // Removed: the frame names a string the table does not hold.
    edit(path, 'DELETE FROM session_strings WHERE session = 1 AND idx = ?', idx);
    expect(oneLine(caught(() => replayed(path)))).toMatch(new RegExp(`string ${idx} is not in its session's string table`));
    // The base time's row damaged.
    edit(path, 'INSERT INTO session_strings (session, idx, value, crc) VALUES (1, ?, ?, ?)', idx, original[0], original[1]);
    expect(replayed(path).length).toBe(events.length);
    edit(path, "UPDATE session_strings SET value = CAST('1767225600000002' AS BLOB) WHERE session = 1 AND idx = 0");
    expect(oneLine(caught(() => replayed(path)))).toMatch(/row 0 of session 1's string table fails its checksum/);
  });

  it('the compactor merges small context frames into frames that read the same: a small merge refers to the context, a big one does not', () => {
    const path = freshPath();
    const wire = written(path);
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      const head = () => log.db.prepare('SELECT n, substr(body, 1, 1) FROM frames WHERE key = ?').raw(true).get(frameKey(1, 1)) as [number, Buffer];
      // A merge of the frames up to seq 20: a small frame, stored referring to the session's context (its count in the tag).
      compactSession(log, 1, 20, true);
      const n = head()[0];
      expect(n).toBeGreaterThan(10);
      expect(n).toBeLessThanOrEqual(31);
      expect(head()[1][0]).toBe(0x80 | (n << 2) | 3);
      expect([...log.events(1)]).toEqual(decoded(wire));
      expect(log.verify()).toEqual([]);
      // The whole session: one frame with its own string table and base time, its count after the tag.
      compactSession(log, 1, events.length, true);
      expect(head()[0]).toBe(events.length);
      expect(head()[1][0]).toBe(0x83);
      expect([...log.events(1)]).toEqual(decoded(wire));
      expect(log.verify()).toEqual([]);
    } finally {
      log.close();
    }
    expect(replayed(path)).toEqual(decoded(wire));
  });
});
