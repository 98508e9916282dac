import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { CorruptionError, StoreError } from '../../engine/store/errors.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { frameKey } from '../../engine/store/frame-key.ts';
import { SCHEMA_VERSION } from '../../engine/store/migrations/index.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function freshLog() {
  const dir = tempDir('ordo-store-');
  dirs.push(dir);
  const path = join(dir, 'ordo.db');
  return { path, log: openWritableLog(path) };
}

function ev(seq: number, orderId: number): Sequenced {
  return { seq, ts: 1_000_000 + seq, src: 'risk-1', cseq: seq, event: { type: 'OrderAccepted', orderId } };
}

function fill(log: ReturnType<typeof openWritableLog>, frames: number, per: number) {
  log.transaction(() => {
    log.openSession(1, 1);
    for (let f = 0; f < frames; f++) {
      const events = Array.from({ length: per }, (_, i) => ev(f * per + i + 1, f * per + i));
      log.appendFrame(1, events[0]!.seq, events[per - 1]!.seq, encodeFrame(1, events));
    }
  });
}

describe('event log', () => {
  it('stores frames and reads events back by inclusive range', () => {
    const { path, log } = freshLog();
    fill(log, 3, 10);
    expect(log.lastSeq(1)).toBe(30);
    expect([...log.events(1, 9, 12)].map((e) => e.seq)).toEqual([9, 10, 11, 12]);
    expect(log.sessions()).toEqual([{ id: 1, openedTs: 1, closedTs: null, state: 'open', lastSeq: 30, frames: 3 }]);
    expect(log.verify()).toEqual([]);
    log.close();
    const ro = openReadableLog(path);
    expect([...ro.events(1)].length).toBe(30);
    ro.close();
  });

  it('reports a flipped byte inside a stored frame with its session and seq range', () => {
    const { path, log } = freshLog();
    fill(log, 3, 10);
    log.close();
    const db = new Database(path);
    const body = db.prepare('SELECT body FROM frames WHERE key = ?').pluck().get(frameKey(1, 11)) as Buffer;
    body[body.length - 3]! ^= 0x40;
    db.prepare('UPDATE frames SET body = ? WHERE key = ?').run(body, frameKey(1, 11));
    db.close();
    const ro = openReadableLog(path);
    expect([...ro.events(1, 1, 10)].length).toBe(10);
    expect(() => [...ro.events(1)]).toThrow(CorruptionError);
    expect(() => [...ro.events(1)]).toThrow('corrupted frame in session 1, seq 11-20: checksum mismatch');
    expect(ro.verify()).toMatchObject([{ session: 1, firstSeq: 11, lastSeq: 20, detail: 'checksum mismatch' }]);
    ro.close();
  });

  it('repair cuts the log back to the last good frame and reopens the session', () => {
    const { path, log } = freshLog();
    fill(log, 3, 10);
    log.close();
    const db = new Database(path);
    db.prepare('UPDATE frames SET crc = crc + 1 WHERE key = ?').run(frameKey(1, 21));
    db.close();
    const w = openWritableLog(path);
    const bad = w.verify()[0]!;
    expect(w.transaction(() => w.truncateFrom(bad.session, bad.rowId))).toBe(1);
    expect(w.verify()).toEqual([]);
    expect(w.lastSeq(1)).toBe(20);
    w.close();
  });

  it('records the schema version and refuses a log from a newer build', () => {
    const { path, log } = freshLog();
    expect(log.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    log.close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openWritableLog(path)).toThrow(StoreError);
    expect(() => openReadableLog(path)).toThrow(/newer than this build/);
  });

  it('refuses a file that is not an Ordo log, and a missing one, with one clear line', () => {
    const dir = tempDir('ordo-store-');
    dirs.push(dir);
    expect(() => openReadableLog(join(dir, 'missing.db'))).toThrow(/^no event log at /);
    const other = join(dir, 'other.db');
    new Database(other).close();
    expect(() => openReadableLog(other)).toThrow(/is not an Ordo event log/);
  });

  it('closing a session writes its snapshot in the same transaction, once', () => {
    const { log } = freshLog();
    fill(log, 1, 5);
    log.transaction(() => log.closeSession(1, 99, { seq: 5, body: { orders: [] } }));
    expect(log.snapshot(1)).toEqual({ session: 1, seq: 5, takenTs: 99, body: { orders: [] } });
    expect(() => log.transaction(() => log.closeSession(1, 100, { seq: 5, body: {} }))).toThrow(/not open/);
    expect(log.sessions()[0]!.state).toBe('closed');
    log.close();
  });
});
