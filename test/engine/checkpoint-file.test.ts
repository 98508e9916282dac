import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { orderSession, storeSession } from '../../bench/session.ts';
import { checkpointProblems } from '../../engine/host/checkpoint-checks.ts';
import { checkpointRound } from '../../engine/host/checkpoint-maker.ts';
import { projectionAt } from '../../engine/oms/projection-at.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { checkpointFilePath } from '../../engine/store/checkpoint-file.ts';
import { compactSession } from '../../engine/store/compaction.ts';
import { NOT_OF_THIS_LOG } from '../../engine/store/checkpoints.ts';
import { openReadableLog, openWritableLog, type ReadableLog, type WritableLog } from '../../engine/store/log.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../engine/store/migrations/index.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';
import { runOrdo } from './helpers/cli.ts';

/**
 * In-session checkpoints in a database file of their own beside the log
 * (decision 252), on real SQLite files: the log holds none, the file is the
 * user's only (0600) and leaves no WAL behind; a checkpoint is trusted only by
 * the log it was folded from (another log's file, or the file beside a
 * restored backup that went on differently, is never a silent wrong state);
 * a damaged file is skipped, reported and replaced; a log of the build before
 * (checkpoints in its own table) opens, the table dropped.
 */

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

const EVENTS = 30_000;
const EVERY = 10_000;
const FRAMES = [1, 3, 8, 2, 9, 5];
const OTHER_TS = 1_767_312_000_000_000;

/** `events` stored as a session of a log at `dir`/ordo.db; returns the log's path and last seq. */
function storedLog(events: Iterable<Sequenced>): { dir: string; path: string; last: number } {
  const dir = tempDir('ordo-ckfile-');
  dirs.push(dir);
  const path = join(dir, 'ordo.db');
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  const last = storeSession(w, events, undefined, FRAMES);
  w.close();
  return { dir, path, last };
}

/** The same session up to `keep`, then other events (other timestamps): a restored backup that went on. */
function* divergedAfter(keep: number): Generator<Sequenced> {
  for (const e of orderSession(EVENTS)) {
    if (e.seq > keep) break;
    yield e;
  }
  for (const e of orderSession(EVENTS, OTHER_TS)) if (e.seq > keep) yield e;
}

function round(path: string) {
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  try {
    return checkpointRound(w.db, { every: EVERY, retention: { recent: 100, sparse: 1_000_000 } });
  } finally {
    w.close();
  }
}

function fullReplayHash(log: ReadableLog, seq: number): string {
  const p = new OmsProjection();
  if (seq > 0) log.replay(1, (e) => p.apply(e), 1, seq);
  return p.stateHash();
}

describe('the checkpoint file', () => {
  it('holds the checkpoints beside the log (0600, no WAL left on close); the log has no checkpoint table', () => {
    const { path } = storedLog(orderSession(EVENTS));
    expect(round(path)?.written).toEqual([10_000, 20_000, 30_000]);
    const file = checkpointFilePath(path);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Closed cleanly: its WAL was checkpointed into it and removed, as the log's is.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.prepare(`SELECT name FROM sqlite_master WHERE name = 'checkpoints'`).get()).toBeUndefined();
    } finally {
      raw.close();
    }
    const log = openReadableLog(path);
    try {
      expect(log.checkpoints.latestSeq(1)).toBe(30_000);
    } finally {
      log.close();
    }
  });

  it("is never trusted beside another log: none of its checkpoints is read, served or verified as sound, and a round replaces them", async () => {
    const a = storedLog(orderSession(EVENTS));
    round(a.path);
    // Same shape of session (same generator), other events: every frame differs.
    const b = storedLog(orderSession(EVENTS, OTHER_TS));
    copyFileSync(checkpointFilePath(a.path), checkpointFilePath(b.path));
    const log = openReadableLog(b.path);
    try {
      expect(log.checkpoints.seqs(1)).toEqual([10_000, 20_000, 30_000]);
      expect(log.checkpoints.latestSeq(1)).toBe(0);
      const skipped: string[] = [];
      expect([...log.checkpoints.atOrBefore(1, b.last, (p) => skipped.push(p.detail))]).toEqual([]);
      expect(skipped).toHaveLength(3);
      expect(skipped.every((d) => d.startsWith(NOT_OF_THIS_LOG))).toBe(true);
      // What the replay service hands a joining component, part by part: refused.
      expect(log.checkpoints.readPart(1, 20_000, 0)).toMatchObject({ detail: expect.stringContaining(NOT_OF_THIS_LOG) });
      const at = projectionAt(log, 1, 25_000);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBe(0);
      expect(at.projection.stateHash()).toBe(fullReplayHash(log, 25_000));
      expect(checkpointProblems(log)).toMatchObject({ damaged: [], sound: 0 });
      expect(checkpointProblems(log).foreign).toHaveLength(3);
    } finally {
      log.close();
    }
    const v = await runOrdo(['verify', '--data-dir', b.dir], 60_000);
    expect(v.code).toBe(0);
    expect(v.stderr).toContain(`projection checkpoint of session 1 at seq 20000 is skipped: ${NOT_OF_THIS_LOG}`);
    expect(v.stdout).toContain('0 projection checkpoints read back');
    // The next round drops them (not this log's) and writes this log's own.
    const r = round(b.path);
    expect(r?.written).toEqual([10_000, 20_000, 30_000]);
    const again = openReadableLog(b.path);
    try {
      expect(checkpointProblems(again)).toMatchObject({ damaged: [], foreign: [], sound: 3 });
      const at = projectionAt(again, 1, 25_000);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBe(20_000);
      expect(at.projection.stateHash()).toBe(fullReplayHash(again, 25_000));
    } finally {
      again.close();
    }
  });

  it('beside a restored backup that went on differently: trusts what the backup holds, never what came after it', () => {
    const a = storedLog(orderSession(EVENTS));
    round(a.path);
    // The backup held the session up to ~15,000; restored, the host went on with other events.
    const b = storedLog(divergedAfter(15_000));
    copyFileSync(checkpointFilePath(a.path), checkpointFilePath(b.path));
    const log = openReadableLog(b.path);
    try {
      expect(log.checkpoints.latestSeq(1)).toBe(10_000);
      expect(log.checkpoints.read(1, 20_000)).toMatchObject({ detail: expect.stringContaining(NOT_OF_THIS_LOG) });
      for (const seq of [12_000, 25_000]) {
        const at = projectionAt(log, 1, seq);
        if (!at.ok) throw new Error(at.problem);
        expect(at.fromCheckpoint, `seq ${seq}`).toBe(10_000);
        expect(at.projection.stateHash(), `seq ${seq}`).toBe(fullReplayHash(log, seq));
      }
    } finally {
      log.close();
    }
    // The round keeps the one it shares with the backup and rewrites the others from this log.
    expect(round(b.path)).toMatchObject({ written: [20_000, 30_000], pruned: 2 });
    const again = openReadableLog(b.path);
    try {
      const at = projectionAt(again, 1, 25_000);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBe(20_000);
      expect(at.projection.stateHash()).toBe(fullReplayHash(again, 25_000));
    } finally {
      again.close();
    }
  });

  it('stays bound across compaction (the same events in other frames): read, served, verified sound and kept by the next round', () => {
    const { path, last } = storedLog(orderSession(EVENTS));
    round(path);
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      const framesBefore = w.db.prepare('SELECT count(*) FROM frames').pluck().get() as number;
      expect(compactSession(w, 1, last, true).framesRemoved).toBeGreaterThan(0);
      // Every checkpoint's seq now lies inside a merged frame that starts elsewhere.
      expect(w.db.prepare('SELECT count(*) FROM frames').pluck().get() as number).toBeLessThan(framesBefore / 100);
    } finally {
      w.close();
    }
    const log = openReadableLog(path);
    try {
      expect(log.checkpoints.latestSeq(1)).toBe(30_000);
      expect(checkpointProblems(log)).toMatchObject({ damaged: [], foreign: [], sound: 3 });
      expect(log.checkpoints.readPart(1, 20_000, 0)).not.toHaveProperty('detail');
      const at = projectionAt(log, 1, 25_000);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBe(20_000);
      expect(at.projection.stateHash()).toBe(fullReplayHash(log, 25_000));
    } finally {
      log.close();
    }
    // The next round finds them bound: it drops none and writes none again.
    expect(round(path)).toMatchObject({ written: [], pruned: 0 });
  });

  it('copied beside another log that was compacted is still refused', () => {
    const a = storedLog(orderSession(EVENTS));
    round(a.path);
    const b = storedLog(divergedAfter(15_000));
    const w = openWritableLog(b.path, { backgroundCheckpoint: false });
    try {
      compactSession(w, 1, b.last, true);
    } finally {
      w.close();
    }
    copyFileSync(checkpointFilePath(a.path), checkpointFilePath(b.path));
    const log = openReadableLog(b.path);
    try {
      expect(log.checkpoints.latestSeq(1)).toBe(10_000);
      expect(log.checkpoints.read(1, 20_000)).toMatchObject({ detail: expect.stringContaining(NOT_OF_THIS_LOG) });
      expect(log.checkpoints.readPart(1, 30_000, 0)).toMatchObject({ detail: expect.stringContaining(NOT_OF_THIS_LOG) });
      const at = projectionAt(log, 1, 25_000);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBe(10_000);
      expect(at.projection.stateHash()).toBe(fullReplayHash(log, 25_000));
    } finally {
      log.close();
    }
  });

  it('that is damaged is skipped (replay from the start), reported by verify, and replaced by the next round', async () => {
    const { dir, path, last } = storedLog(orderSession(EVENTS));
    round(path);
    const file = checkpointFilePath(path);
    // Its header overwritten: SQLite no longer reads it as a database.
    const bytes = Buffer.alloc(4096, 0x5a);
    writeFileSync(file, bytes);
    const log = openReadableLog(path);
    try {
      expect(log.checkpoints.latestSeq(1)).toBe(0);
      const at = projectionAt(log, 1, last);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBe(0);
      expect(at.projection.stateHash()).toBe(fullReplayHash(log, last));
    } finally {
      log.close();
    }
    const v = await runOrdo(['verify', '--data-dir', dir], 60_000);
    expect(v.code).toBe(1);
    expect(v.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ordo: checkpoint file .*ordo\.db\.checkpoints cannot be read: .*--drop-checkpoints/)]);
    expect(round(path)?.written).toEqual([10_000, 20_000, 30_000]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const ok = await runOrdo(['verify', '--data-dir', dir], 60_000);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('3 projection checkpoints read back');
  });

  it('that is missing is no checkpoints; repair --drop-checkpoints on a damaged one leaves an empty one', async () => {
    const { dir, path } = storedLog(orderSession(EVENTS));
    const log = openReadableLog(path);
    try {
      expect(log.checkpoints.latestSeq(1)).toBe(0);
      expect(checkpointProblems(log)).toMatchObject({ file: undefined, damaged: [], foreign: [], sound: 0 });
    } finally {
      log.close();
    }
    writeFileSync(checkpointFilePath(path), Buffer.alloc(1000, 1));
    const drop = await runOrdo(['repair', '--data-dir', dir, '--drop-checkpoints'], 60_000);
    expect(drop.code).toBe(0);
    const ok = await runOrdo(['verify', '--data-dir', dir], 60_000);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('0 projection checkpoints read back');
  });

  it('a log written by the build before (schema 3, checkpoints in a table of the log) opens; the table is dropped, the events unchanged', () => {
    const dir = tempDir('ordo-ckfile-v3-');
    dirs.push(dir);
    const path = join(dir, 'ordo.db');
    // The build before's schema (migrations 1-3 as it ran them) and rows as it wrote them, whatever the
    // layout of this build: frames in the version-1 columns, a checkpoint row in the log's own table.
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.filter((m) => m.version <= 3)) m.up(old);
    old.pragma('user_version = 3');
    const v3 = {
      transaction: (fn: () => void) => old.transaction(fn)(),
      openSession: (id: number, ts: number) => old.prepare(`INSERT INTO sessions (id, opened_ts, state) VALUES (?, ?, 'open')`).run(id, ts),
      appendFrame: (session: number, first: number, last: number, bytes: Uint8Array) =>
        old.prepare(`INSERT INTO frames (session, first_seq, last_seq, crc, body) VALUES (?, ?, ?, ?, ?)`).run(session, first, last, crc32(bytes), bytes),
    };
    const last = storeSession(v3 as unknown as WritableLog, orderSession(EVENTS), undefined, FRAMES);
    old.prepare(`INSERT INTO checkpoints (session, seq, part, parts, taken_ts, format, crc, body) VALUES (1, 10000, 0, 1, 1, 3, 0, x'00')`).run();
    old.close();
    // Read-only openers (verify, the time machine) read it as it is: the old table is not read.
    const ro = openReadableLog(path);
    let before: string;
    try {
      expect(ro.checkpoints.latestSeq(1)).toBe(0);
      before = fullReplayHash(ro, last);
    } finally {
      ro.close();
    }
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      expect(w.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(w.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'checkpoints'`).get()).toBeUndefined();
      expect(w.lastSeq(1)).toBe(last);
      expect(fullReplayHash(w, last)).toBe(before);
      expect(checkpointRound(w.db, { every: EVERY })?.written).toEqual([10_000, 20_000, 30_000]);
      expect(w.checkpoints.latestSeq(1)).toBe(30_000);
      const at = projectionAt(w, 1, last);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBe(30_000);
      expect(at.projection.stateHash()).toBe(before);
    } finally {
      w.close();
    }
  });
});
