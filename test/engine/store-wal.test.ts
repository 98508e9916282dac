import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { openReadableLog, openWritableLog, WAL_BOUND_BYTES } from '../../engine/store/log.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function ev(seq: number): Sequenced {
  return { seq, ts: 1_000_000 + seq, src: 'risk-1', cseq: seq, event: { type: 'OrderAccepted', orderId: seq } };
}

const walSize = (path: string) => (existsSync(path + '-wal') ? statSync(path + '-wal').size : 0);

/**
 * Commits one small frame per transaction, as a live host does at normal
 * rates: each commit writes a few whole pages to the WAL for ~40 payload
 * bytes, so counting payload (the old trigger) let the WAL grow ~80x past it.
 */
async function writeSmallCommits(commits: number, yieldEvery: number | undefined) {
  const dir = tempDir('ordo-wal-');
  dirs.push(dir);
  const path = join(dir, 'ordo.db');
  const log = openWritableLog(path);
  log.transaction(() => log.openSession(1, 1));
  let maxWal = 0;
  for (let seq = 1; seq <= commits; seq++) {
    log.transaction(() => log.appendFrame(1, seq, seq, encodeFrame(1, [ev(seq)])));
    if (seq % 500 === 0) maxWal = Math.max(maxWal, walSize(path));
    if (yieldEvery !== undefined && seq % yieldEvery === 0) await new Promise((r) => setImmediate(r));
  }
  return { path, log, maxWal };
}

describe('event log: the database file holds the log', () => {
  it('keeps the WAL bounded under steady small commits, counting WAL pages rather than payload', async () => {
    // ~60 k commits write several hundred MiB of WAL pages; the payload is ~3 MiB.
    const { path, log, maxWal } = await writeSmallCommits(60_000, 50);
    expect(maxWal).toBeLessThanOrEqual(WAL_BOUND_BYTES);
    // Most of the log is already in the database file, not only in the WAL: more bytes than all frame bodies.
    const bodies = log.db.prepare('SELECT sum(length(body)) FROM frames').pluck().get() as number;
    expect(bodies).toBeGreaterThan(512 << 10);
    expect(statSync(path).size).toBeGreaterThan(bodies);
    log.close();
    expect(walSize(path)).toBe(0);
    const ro = openReadableLog(path);
    expect(ro.lastSeq(1)).toBe(60_000);
    ro.close();
  }, 120_000);

  it('keeps it bounded even while the writer never yields its event loop (the thread reports through shared memory)', async () => {
    const { path, log, maxWal } = await writeSmallCommits(40_000, undefined);
    expect(maxWal).toBeLessThanOrEqual(WAL_BOUND_BYTES);
    log.close();
    expect(walSize(path)).toBe(0);
  }, 120_000);

  it('checkpoints fully and removes the WAL on close once every connection is closed', () => {
    const dir = tempDir('ordo-wal-');
    dirs.push(dir);
    const path = join(dir, 'ordo.db');
    const log = openWritableLog(path);
    const reader = openReadableLog(path);
    log.transaction(() => {
      log.openSession(1, 1);
      log.appendFrame(1, 1, 1, encodeFrame(1, [ev(1)]));
    });
    expect(reader.lastSeq(1)).toBe(1);
    reader.close();
    log.close();
    expect(existsSync(path + '-wal')).toBe(false);
    const ro = openReadableLog(path);
    expect(ro.lastSeq(1)).toBe(1);
    ro.close();
  });

  it("runs the writer's checkpoint in the turn after the commit that made it due, not inside that commit; at the latest 256 commits later (decision 268)", async () => {
    const dir = tempDir('ordo-wal-');
    dirs.push(dir);
    const path = join(dir, 'ordo.db');
    // Without the thread the writer checkpoints every MiB of WAL itself: a checkpoint comes due at a known commit.
    const log = openWritableLog(path, { checkpointThread: false });
    log.transaction(() => log.openSession(1, 1));
    let seq = 0;
    const commit = () => {
      seq++;
      log.transaction(() => log.appendFrame(1, seq, seq, encodeFrame(1, [ev(seq)])));
    };
    // Commits until one makes a checkpoint due: it did not run in that commit, nor in anything else this turn does.
    while (log.writerCheckpoints.deferred === 0) commit();
    expect(log.writerCheckpoints.run).toBe(0);
    const walFrames = () => (log.db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
    const dueAt = seq;
    // The next turn runs it.
    await new Promise((r) => setImmediate(r));
    expect(log.writerCheckpoints).toEqual({ run: 1, deferred: 1 });
    // It reached the WAL's end, so the next commit starts the WAL over: a frame or two in it, not hundreds.
    commit();
    expect(walFrames()).toBeLessThan(8);
    // A writer that does not yield gets the due checkpoint after its commits, 256 commits later at the latest.
    while (log.writerCheckpoints.deferred === 1) commit();
    const secondDue = seq;
    expect(secondDue - dueAt).toBeGreaterThan(100);
    for (let i = 0; i < 255; i++) commit();
    expect(log.writerCheckpoints.run).toBe(1);
    commit();
    expect(log.writerCheckpoints).toEqual({ run: 2, deferred: 2 });
    log.close();
    expect(walSize(path)).toBe(0);
    const ro = openReadableLog(path);
    expect(ro.lastSeq(1)).toBe(seq);
    ro.close();
  });

  it("holds other threads' reads from the moment the writer's restart checkpoint is due until the commit that starts the WAL over (decision 274)", async () => {
    const dir = tempDir('ordo-wal-');
    dirs.push(dir);
    const path = join(dir, 'ordo.db');
    const log = openWritableLog(path, { checkpointThread: false });
    const hold = log.restartHold!;
    log.transaction(() => log.openSession(1, 1));
    let seq = 0;
    const commit = () => {
      seq++;
      log.transaction(() => log.appendFrame(1, seq, seq, encodeFrame(1, [ev(seq)])));
    };
    expect(Atomics.load(hold, 0)).toBe(0);
    while (log.writerCheckpoints.deferred === 0) {
      commit();
      // Never held before the commit that makes the checkpoint due.
      if (log.writerCheckpoints.deferred === 0) expect(Atomics.load(hold, 0)).toBe(0);
    }
    expect(Atomics.load(hold, 0)).toBe(1);
    // The checkpoint runs in the next turn; the WAL starts over only at the next commit: still held.
    await new Promise((r) => setImmediate(r));
    expect(log.writerCheckpoints.run).toBe(1);
    expect(Atomics.load(hold, 0)).toBe(1);
    // A reader on another thread waiting on the hold is woken by that commit.
    // (Atomics.waitAsync: in Node since 16, in TypeScript's lib from es2024.)
    const waitAsync = (Atomics as unknown as { waitAsync: (a: Int32Array, i: number, v: number, ms: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;
    const woken = waitAsync(hold, 0, 1, 10_000);
    expect(woken.async).toBe(true);
    commit();
    expect(Atomics.load(hold, 0)).toBe(0);
    expect(await woken.value).toBe('ok');
    // Close releases a hold left set (a due checkpoint the writer never ran).
    while (log.writerCheckpoints.deferred === 1) commit();
    expect(Atomics.load(hold, 0)).toBe(1);
    log.close();
    expect(Atomics.load(hold, 0)).toBe(0);
  });
});
