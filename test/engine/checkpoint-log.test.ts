import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { orderSession, storeSession } from '../../bench/session.ts';
import { checkpointProblems } from '../../engine/host/checkpoint-checks.ts';
import { checkpointRound } from '../../engine/host/checkpoint-maker.ts';
import { encodeProjection } from '../../engine/oms/checkpoint-codec.ts';
import { projectionAt } from '../../engine/oms/projection-at.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { CheckpointWriter } from '../../engine/store/checkpoints.ts';
import { checkpointFileOf } from '../../engine/store/checkpoint-file.ts';
import { openReadableLog, openWritableLog, type ReadableLog } from '../../engine/store/log.ts';
import { frameKey, MAX_SEQ } from '../../engine/store/frame-key.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';
import { runOrdo } from './helpers/cli.ts';

/**
 * Projection checkpoints in the log database (decision 085), on a real
 * SQLite file holding a 60 k-event session in live-sized (1-9 event) frames:
 * the time machine from checkpoint + tail equals the replay from seq 1 at
 * every kind of seq, a damaged checkpoint is skipped (the next older one or
 * the session's start is used), verify reports it, repair drops them, and a
 * cut log takes its checkpoints with it.
 */

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

const EVENTS = 60_000;
const EVERY = 10_000;

function storedLog(): { dir: string; path: string; last: number } {
  const dir = tempDir('ordo-ckpt-');
  dirs.push(dir);
  const path = join(dir, 'ordo.db');
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  const last = storeSession(w, orderSession(EVENTS), undefined, [1, 3, 8, 2, 9, 5]);
  w.close();
  return { dir, path, last };
}

function fullReplayHash(log: ReadableLog, seq: number): string {
  const p = new OmsProjection();
  if (seq > 0) log.replay(1, (e) => p.apply(e), 1, seq);
  return p.stateHash();
}

function round(path: string, every = EVERY) {
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  try {
    return checkpointRound(w.db, { every, retention: { recent: 100, sparse: 1_000_000 } });
  } finally {
    w.close();
  }
}

/** Overwrites a checkpoint's bytes; `fixCrc` keeps the row's checksum right (bytes of another kind, not a bit flip). */
function tamper(path: string, seq: number, change: (b: Buffer) => Buffer, fixCrc: boolean): void {
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  try {
    const row = checkpointFileOf(w.db, true)!.prepare('SELECT body FROM checkpoints WHERE session = 1 AND seq = ? AND part = 0').get(seq) as { body: Buffer };
    const body = change(Buffer.from(row.body));
    if (fixCrc) checkpointFileOf(w.db, true)!.prepare('UPDATE checkpoints SET body = ?, crc = ? WHERE session = 1 AND seq = ? AND part = 0').run(body, crc32(body), seq);
    else checkpointFileOf(w.db, true)!.prepare('UPDATE checkpoints SET body = ? WHERE session = 1 AND seq = ? AND part = 0').run(body, seq);
  } finally {
    w.close();
  }
}

describe('projection checkpoints in the log', () => {
  it('are written at every multiple of N, and the time machine from checkpoint + tail equals the replay from seq 1', () => {
    const { path, last } = storedLog();
    const r = round(path);
    expect(r?.written).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000].filter((s) => s <= last));
    // A second round has nothing to do: deterministic, idempotent.
    expect(round(path)?.written).toEqual([]);
    const log = openReadableLog(path);
    try {
      for (const seq of [0, 1, 9_999, 10_000, 10_001, 25_000, 39_999, 40_000, last - 1, last]) {
        const at = projectionAt(log, 1, seq);
        if (!at.ok) throw new Error(`seq ${seq}: ${at.problem}`);
        expect(at.fromCheckpoint, `seq ${seq}`).toBe(Math.floor(seq / EVERY) * EVERY);
        expect(at.projection.lastSeq).toBe(seq);
        expect(at.projection.stateHash(), `seq ${seq}`).toBe(fullReplayHash(log, seq));
      }
      expect(checkpointProblems(log)).toEqual({ damaged: [], foreign: [], sound: r!.written.length });
    } finally {
      log.close();
    }
  });

  it('skips a damaged checkpoint (bit flip, or sound bytes of the wrong kind) and uses the next older one, same state', () => {
    const { path } = storedLog();
    round(path);
    tamper(path, 30_000, (b) => {
      b[b.length >> 1]! ^= 0x40;
      return b;
    }, false);
    tamper(path, 20_000, () => Buffer.from('garbage that checks out'), true);
    const log = openReadableLog(path);
    try {
      const at = projectionAt(log, 1, 35_000);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBe(10_000);
      expect(at.projection.stateHash()).toBe(fullReplayHash(log, 35_000));
      const found = checkpointProblems(log);
      expect(found.damaged.map((d) => d.seq).sort()).toEqual([20_000, 30_000]);
    } finally {
      log.close();
    }
  });

  it('skips a checkpoint cut short (a part missing, as a crash mid-write leaves it); the next round writes it again', () => {
    const { path } = storedLog();
    round(path);
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    // One part more claimed than stored: the same as a crash after the first of two parts.
    checkpointFileOf(w.db, true)!.prepare('UPDATE checkpoints SET parts = parts + 1 WHERE session = 1 AND seq = 60000').run();
    expect(w.checkpoints.latestSeq(1)).toBe(50_000);
    w.close();
    const log = openReadableLog(path);
    try {
      const at = projectionAt(log, 1, log.lastSeq(1));
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBe(50_000);
      expect(at.projection.stateHash()).toBe(fullReplayHash(log, log.lastSeq(1)));
      // Harmless (a stop during a round leaves one): noted by verify, not an error.
      expect(checkpointProblems(log).damaged).toEqual([]);
      expect(checkpointProblems(log).foreign).toEqual([{ session: 1, seq: 60_000, detail: expect.stringMatching(/^incomplete: \d+ of \d+ parts$/) }]);
    } finally {
      log.close();
    }
    expect(round(path)?.written).toEqual([60_000]);
    const again = openReadableLog(path);
    expect(checkpointProblems(again).damaged).toEqual([]);
    again.close();
  });

  it('ignores a checkpoint that claims another seq than its row', () => {
    const { path } = storedLog();
    round(path);
    const log = openReadableLog(path);
    const at15 = projectionAt(log, 1, 15_000);
    log.close();
    if (!at15.ok) throw new Error(at15.problem);
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    // The projection at 15 000 stored as if it were the one at 20 000: its bytes check out, its content does not.
    new CheckpointWriter(w.db).write(1, 20_000, 1, encodeProjection(at15.projection));
    w.close();
    const again = openReadableLog(path);
    try {
      const at = projectionAt(again, 1, 25_000);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBe(10_000);
      expect(at.projection.stateHash()).toBe(fullReplayHash(again, 25_000));
      expect(checkpointProblems(again).damaged).toEqual([{ session: 1, seq: 20_000, detail: 'it holds session 1 seq 15000' }]);
    } finally {
      again.close();
    }
  });

  it('keeps the newest few and a sparse grid of older ones', () => {
    const { path } = storedLog();
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      checkpointRound(w.db, { every: 5_000, retention: { recent: 3, sparse: 20_000 } });
      expect(w.lastSeq(1)).toBeGreaterThanOrEqual(60_000);
      expect(w.lastSeq(1)).toBeLessThan(65_000);
      // Newest three: 50 000, 55 000, 60 000; older: only multiples of 20 000.
      expect(w.checkpoints.seqs(1)).toEqual([20_000, 40_000, 50_000, 55_000, 60_000]);
    } finally {
      w.close();
    }
  });

  it('a log cut back by repair loses the checkpoints past the cut', () => {
    const { path } = storedLog();
    round(path);
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      const row = w.db.prepare('SELECT key FROM frames WHERE key > ? AND key <= ? ORDER BY key LIMIT 1').pluck().get(frameKey(1, 25_000), frameKey(1, MAX_SEQ)) as number;
      w.transaction(() => w.truncateFrom(1, row));
      const kept = w.lastSeq(1);
      expect(kept).toBeGreaterThan(25_000);
      expect(kept).toBeLessThan(30_000);
      expect(w.checkpoints.seqs(1)).toEqual([10_000, 20_000]);
    } finally {
      w.close();
    }
  });

  it('verify reports a damaged checkpoint; repair --drop-checkpoints removes them; ordo checkpoint writes them again', async () => {
    const { dir, path } = storedLog();
    round(path);
    tamper(path, 40_000, (b) => {
      b[100]! ^= 1;
      return b;
    }, false);
    const bad = await runOrdo(['verify', '--data-dir', dir], 60_000);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('projection checkpoint of session 1 at seq 40000 is damaged: checksum mismatch');
    expect(bad.stderr).toContain('--drop-checkpoints');
    const drop = await runOrdo(['repair', '--data-dir', dir, '--drop-checkpoints'], 60_000);
    expect(drop.code).toBe(0);
    expect(drop.stdout).toMatch(/removed \d+ projection checkpoint/);
    const ok = await runOrdo(['verify', '--data-dir', dir], 60_000);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('0 projection checkpoints read back');
    const made = await runOrdo(['checkpoint', '--data-dir', dir, '--every', '20000'], 60_000);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('session 1: wrote 3 checkpoint(s) (seq 20000, 40000, 60000)');
    const badEvery = await runOrdo(['checkpoint', '--data-dir', dir, '--every', 'ten'], 60_000);
    expect(badEvery.code).not.toBe(0);
    expect(badEvery.stderr.trim().split('\n')).toHaveLength(1);
  });
});
