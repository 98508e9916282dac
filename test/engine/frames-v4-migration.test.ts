import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { salvageLog } from '../../engine/cli/salvage.ts';
import { CorruptionError, StoreError } from '../../engine/store/errors.ts';
import { frameKey, MAX_SEQ, SEQ_SPAN } from '../../engine/store/frame-key.ts';
import { isBehind, readHead } from '../../engine/store/head.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../engine/store/migrations/index.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

/*
 * Schema version 4 (decision 254): frames keyed by (session, first seq) in one
 * integer. A log of schema 3 (what the previous build wrote: the same SQL it
 * ran, migrations 1-3 and its INSERT) is converted on the first writable open,
 * in one transaction; read-only readers read it unconverted.
 */

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function freshPath(): string {
  const dir = tempDir('ordo-v4-');
  dirs.push(dir);
  return join(dir, 'ordo.db');
}

function ev(seq: number): Sequenced {
  return { seq, ts: 1_767_225_600_000_000 + seq * 10, src: seq % 2 ? 'risk-1' : 'router-1', cseq: seq, event: { type: 'OrderAccepted', orderId: seq } };
}

/**
 * A schema-3 log as the previous build wrote it: sessions 1 and 2 closed (with
 * snapshots), session 3 open; frames of 1-3 events (`bigFrames`: some of 2,000),
 * checkpoint and deferred rows. Returns the events per session.
 */
function writeV3(path: string, eventsPerSession = 600, bigFrames = false): Map<number, Sequenced[]> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS.filter((m) => m.version <= 3)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  const insert = db.prepare('INSERT INTO frames (session, first_seq, last_seq, crc, body) VALUES (?, ?, ?, ?, ?)');
  const written = new Map<number, Sequenced[]>();
  db.transaction(() => {
    for (const session of [1, 2, 3]) {
      db.prepare(`INSERT INTO sessions (id, opened_ts, state) VALUES (?, ?, 'open')`).run(session, session * 1000);
      const events = Array.from({ length: eventsPerSession }, (_, i) => ev(i + 1));
      written.set(session, events);
      let at = 0;
      for (let f = 0; at < events.length; f++) {
        const n = Math.min(events.length - at, bigFrames && f % 5 === 4 ? 2000 : 1 + (f % 3));
        const body = encodeFrame(session, events, at, at + n);
        insert.run(session, at + 1, at + n, crc32(body), body);
        at += n;
      }
      if (session < 3) {
        db.prepare(`UPDATE sessions SET state = 'closed', closed_ts = ? WHERE id = ?`).run(session * 1000 + 1, session);
        const snap = JSON.stringify({ session, seq: eventsPerSession });
        db.prepare('INSERT INTO snapshots (session, seq, taken_ts, crc, body) VALUES (?, ?, ?, ?, ?)').run(session, eventsPerSession, 1, crc32(snap), snap);
      }
    }
    db.prepare('INSERT INTO deferred_commands (session, key, src, taken_ts, body) VALUES (2, ?, ?, ?, ?)').run('cancel:1', 'host', 5, '{"type":"CancelRequested","orderId":1}');
  })();
  db.close();
  return written;
}

function schema(path: string): { version: number; indexes: string[]; columns: string[] } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      indexes: db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'frames'`).pluck().all() as string[],
      columns: db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('frames') as string[],
    };
  } finally {
    db.close();
  }
}

describe('frames schema 4', () => {
  it('a schema-3 log is read unconverted by a read-only reader, converted on the first writable open, with the same events, and goes on', () => {
    const path = freshPath();
    const written = writeV3(path);
    expect(schema(path)).toEqual({ version: 3, indexes: ['frames_by_seq'], columns: ['id', 'session', 'first_seq', 'last_seq', 'crc', 'body'] });

    // Read-only: every read path on the old columns, nothing written.
    const ro = openReadableLog(path);
    const before = ro.sessions();
    expect(before.map((s) => [s.id, s.state, s.lastSeq])).toEqual([
      [1, 'closed', 600],
      [2, 'closed', 600],
      [3, 'open', 600],
    ]);
    for (const [session, events] of written) {
      expect([...ro.events(session)]).toEqual(events);
      const replayed: Sequenced[] = [];
      expect(ro.replay(session, (e) => replayed.push(e))).toBe(600);
      expect(replayed).toEqual(events);
      expect([...ro.events(session, 300, 302)].map((e) => e.seq)).toEqual([300, 301, 302]);
    }
    expect(ro.verify()).toEqual([]);
    expect(ro.latestSession()).toEqual(before[2]);
    ro.close();
    expect(schema(path).version).toBe(3);

    const log = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      expect(schema(path)).toEqual({ version: SCHEMA_VERSION, indexes: [], columns: ['key', 'n', 'crc', 'body'] });
      // The file was rewritten once: the old table's pages are not left free in it.
      expect(log.db.pragma('freelist_count', { simple: true })).toBe(0);
      expect(log.sessions()).toEqual(before);
      expect(log.latestSession()).toEqual(before[2]);
      for (const [session, events] of written) {
        expect([...log.events(session)]).toEqual(events);
        const replayed: Sequenced[] = [];
        log.replay(session, (e) => replayed.push(e));
        expect(replayed).toEqual(events);
      }
      expect(log.verify()).toEqual([]);
      expect(log.snapshot(1)?.body).toEqual({ session: 1, seq: 600 });
      expect(log.deferred.of(2).length).toBe(1);
      // Every key is the session and first seq; a frame stored with an unsigned CRC of 2^31 and more now
      // holds it signed (4 bytes), and still checks.
      const rows = log.db.prepare('SELECT key, n, crc FROM frames ORDER BY key').all() as { key: number; n: number; crc: number }[];
      expect(rows[0]).toMatchObject({ key: frameKey(1, 1), n: 1 });
      expect(rows.every((r) => r.crc >= -(2 ** 31) && r.crc < 2 ** 31)).toBe(true);
      // The open session goes on after the converted frames.
      const next = [ev(601), ev(602)];
      log.transaction(() => log.appendFrame(3, 601, 602, encodeFrame(3, next)));
      expect(log.lastSeq(3)).toBe(602);
      expect([...log.events(3, 600)].map((e) => e.seq)).toEqual([600, 601, 602]);
    } finally {
      log.close();
    }
  });

  it('a conversion that fails leaves the schema-3 log as it was, and a later open converts it', () => {
    const path = freshPath();
    const written = writeV3(path, 50);
    // A frame whose seq does not fit the key: the conversion refuses the log, in its transaction.
    const db = new Database(path);
    const body = encodeFrame(3, [ev(51)]);
    db.prepare('INSERT INTO frames (session, first_seq, last_seq, crc, body) VALUES (3, ?, ?, ?, ?)').run(SEQ_SPAN, SEQ_SPAN, crc32(body), body);
    db.close();
    expect(() => openWritableLog(path, { backgroundCheckpoint: false })).toThrow(StoreError);
    expect(() => openWritableLog(path, { backgroundCheckpoint: false })).toThrow(/does not fit the version-4 key/);
    expect(schema(path)).toEqual({ version: 3, indexes: ['frames_by_seq'], columns: ['id', 'session', 'first_seq', 'last_seq', 'crc', 'body'] });
    const ro = openReadableLog(path);
    expect([...ro.events(1)]).toEqual(written.get(1));
    ro.close();
    // The operator removes the bad row; the next open converts.
    const fix = new Database(path);
    fix.prepare('DELETE FROM frames WHERE first_seq = ?').run(SEQ_SPAN);
    fix.close();
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    expect(schema(path).version).toBe(SCHEMA_VERSION);
    expect([...log.events(3)]).toEqual(written.get(3));
    log.close();
  });

  it('a process killed inside the conversion (its pages already spilled to the WAL) leaves the schema-3 log, converted on the next open', () => {
    const path = freshPath();
    // Big enough that the copy spills uncommitted pages into the WAL before the kill (a 64 KiB cache).
    const written = writeV3(path, 20_000, true);
    // The built migration (npm run build), run as the host runs it: in a transaction, killed before its commit.
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const migrations = fileURLToPath(new URL('../../dist/engine/store/migrations/index.js', import.meta.url));
    const child = [
      `import { createRequire } from 'node:module';`,
      `import { statSync } from 'node:fs';`,
      `const Database = createRequire(import.meta.url)(${JSON.stringify(driver)});`,
      `const { MIGRATIONS } = await import(${JSON.stringify(migrations)});`,
      `const db = new Database(${JSON.stringify(path)});`,
      `db.pragma('cache_size = -64');`,
      `db.exec('BEGIN IMMEDIATE');`,
      `MIGRATIONS.find((m) => m.version === 4).up(db);`,
      `process.stdout.write(String(statSync(${JSON.stringify(path + '-wal')}).size));`,
      `process.kill(process.pid, 'SIGKILL');`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' });
    expect(run.signal).toBe('SIGKILL');
    // The killed conversion had written into the WAL (uncommitted): the crash is inside the copy, not before it.
    expect(Number(run.stdout)).toBeGreaterThan(64 * 1024);
    expect(schema(path)).toEqual({ version: 3, indexes: ['frames_by_seq'], columns: ['id', 'session', 'first_seq', 'last_seq', 'crc', 'body'] });
    const ro = openReadableLog(path);
    expect(ro.verify()).toEqual([]);
    expect([...ro.events(2)]).toEqual(written.get(2));
    ro.close();
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      expect(schema(path).version).toBe(SCHEMA_VERSION);
      expect(log.verify()).toEqual([]);
      for (const [session, events] of written) expect([...log.events(session)]).toEqual(events);
    } finally {
      log.close();
    }
  });

  it('one b-tree: a frame costs no index cell, and a session is a key range', () => {
    const path = freshPath();
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      log.transaction(() => {
        log.openSession(1, 1);
        log.appendFrame(1, 1, 1, encodeFrame(1, [ev(1)]));
      });
      expect(schema(path).indexes).toEqual([]);
      const plan = (log.db.prepare('EXPLAIN QUERY PLAN SELECT n FROM frames WHERE key >= ? AND key <= ? ORDER BY key').all(frameKey(1, 0), frameKey(1, MAX_SEQ)) as { detail: string }[]).map((r) => r.detail);
      expect(plan.join(' ')).toMatch(/USING INTEGER PRIMARY KEY/);
      // A frame past the key's range is refused before it is stored, with one line.
      expect(() => log.transaction(() => log.appendFrame(1, 2, SEQ_SPAN, encodeFrame(1, [ev(2)])))).toThrow(/cannot be stored/);
      expect(log.lastSeq(1)).toBe(1);
    } finally {
      log.close();
    }
  });

  it('a flipped CRC on a converted frame is found by verify and every read path', () => {
    const path = freshPath();
    writeV3(path, 30);
    openWritableLog(path, { backgroundCheckpoint: false }).close();
    const db = new Database(path);
    db.prepare('UPDATE frames SET crc = crc + 1 WHERE key = ?').run(frameKey(2, 10));
    db.close();
    const ro = openReadableLog(path);
    try {
      const problems = ro.verify();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ session: 2, firstSeq: 10, detail: 'checksum mismatch', rowId: frameKey(2, 10) });
      expect(() => [...ro.events(2)]).toThrow(CorruptionError);
      expect(() => ro.replay(2, () => undefined)).toThrow(CorruptionError);
      expect([...ro.events(2, 1, 9)]).toHaveLength(9);
    } finally {
      ro.close();
    }
  });
});

describe('a flipped byte in a keyed frame that only the WAL holds (as a killed host leaves it)', () => {
  it("cuts the log back to the commit before it (the WAL's own checksums), the same for every read path, and the head names what was acknowledged", () => {
    const path = freshPath();
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    log.db.pragma('wal_autocheckpoint = 0');
    const events = Array.from({ length: 600 }, (_, i) => ev(i + 1));
    log.transaction(() => log.openSession(1, 1));
    // One frame of 1-2 events per commit, as a live host at ordinary rates.
    for (let at = 0; at < events.length; ) {
      const n = at % 3 === 0 ? 1 : 2;
      log.transaction(() => log.appendFrame(1, at + 1, at + n, encodeFrame(1, events, at, at + n)));
      at += n;
    }
    // The files as a host killed now leaves them: the database, its WAL and the head, nothing checkpointed.
    const copy = freshPath();
    for (const ext of ['', '-wal', '.head']) copyFileSync(path + ext, copy + ext);
    const victim = log.db.prepare('SELECT key, n, body FROM frames WHERE key >= ? ORDER BY key LIMIT 1').get(frameKey(1, 300)) as { key: number; n: number; body: Buffer };
    log.close();
    const first = victim.key % SEQ_SPAN;
    // The frame's bytes in every copy of its page the WAL holds (from its own commit on), flipped in the middle.
    const wal = readFileSync(`${copy}-wal`);
    let hits = 0;
    for (let p = wal.indexOf(victim.body); p >= 0; p = wal.indexOf(victim.body, p + 1)) {
      wal[p + (victim.body.length >> 1)]! ^= 0x20;
      hits++;
    }
    expect(hits).toBeGreaterThan(0);
    writeFileSync(`${copy}-wal`, wal);
    expect(readFileSync(copy).indexOf(victim.body)).toBe(-1);

    // SQLite's recovery stops at the first WAL frame whose checksum fails: the log ends where the commit
    // before the damaged frame's left it, and every read path agrees on that end.
    const ro = openReadableLog(copy);
    try {
      expect(ro.end()).toEqual({ session: 1, seq: first - 1 });
      expect(ro.sessions()[0]).toMatchObject({ id: 1, lastSeq: first - 1 });
      expect(ro.verify()).toEqual([]);
      expect([...ro.events(1)]).toEqual(events.slice(0, first - 1));
      const replayed: Sequenced[] = [];
      expect(ro.replay(1, (e) => replayed.push(e))).toBe(first - 1);
      expect(replayed).toEqual(events.slice(0, first - 1));
      // The head the host wrote after each commit says 600 was acknowledged: the loss is named, not silent.
      expect(readHead(copy)).toEqual({ session: 1, seq: 600 });
      expect(isBehind(ro.end()!, readHead(copy)!)).toBe(true);
    } finally {
      ro.close();
    }
    // Salvage copies the same sound beginning.
    const salvaged = freshPath();
    const result = salvageLog(copy, salvaged);
    expect(result.stoppedAt).toBeUndefined();
    expect(result.end).toEqual({ session: 1, seq: first - 1 });
  });
});
