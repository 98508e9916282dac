import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { compactSession, compactStep, FrameCompactor, planStep, writeMerge } from '../../engine/store/compaction.ts';
import { CompactorThread, startCompactor } from '../../engine/store/compaction-thread.ts';
import { compiledFile } from '../../engine/host/compiled-file.ts';
import { openWritableLog, type WritableLog } from '../../engine/store/log.ts';
import { frameKey, MAX_SEQ } from '../../engine/store/frame-key.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

// The compactor's thread runs the compiled worker (dist/engine/store/compaction-worker.js): `npm run build` first.
const WORKER = compiledFile(new URL('../../engine/store/compaction-thread.ts', import.meta.url).href, 'compaction-worker.js');

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function freshLog(name = 'ordo.db'): { path: string; log: WritableLog } {
  const dir = tempDir('ordo-compact-thread-');
  dirs.push(dir);
  const path = join(dir, name);
  return { path, log: openWritableLog(path) };
}

function ev(seq: number): Sequenced {
  const ts = 1_767_225_600_000_000 + seq * 7;
  if (seq % 3 === 0) return { seq, ts, src: 'risk-1', cseq: seq, event: { type: 'OrderAccepted', orderId: seq - 1 } };
  if (seq % 3 === 1) {
    return {
      seq,
      ts,
      src: 'proxy-1',
      cseq: seq,
      event: { type: 'OrderPending', orderId: seq, clientId: 'ALPHA', clientOrderId: `C${seq}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 5, price: 101.25 },
    };
  }
  return { seq, ts, src: 'router-1', cseq: seq, event: { type: 'OrderRouted', orderId: seq - 2, venue: 'XNAS' } };
}

/** Session 1 in frames of the given sizes, one transaction a frame (as the sequencer commits them). */
function write(log: WritableLog, sizes: readonly number[]): number {
  let seq = 0;
  log.transaction(() => log.openSession(1, 1));
  for (const n of sizes) {
    const events = Array.from({ length: n }, () => ev(++seq));
    log.transaction(() => log.appendFrame(1, events[0]!.seq, seq, encodeFrame(1, events)));
  }
  return seq;
}

/** Every frame row of session 1: key, events, stored checksum and body. */
function frames(log: WritableLog): { key: number; n: number; crc: number; body: string }[] {
  return (log.db.prepare('SELECT key, n, crc, hex(body) AS body FROM frames WHERE key >= ? AND key <= ? ORDER BY key').all(frameKey(1, 0), frameKey(1, MAX_SEQ)) as {
    key: number;
    n: number;
    crc: number;
    body: string;
  }[]);
}

describe('the compactor on its own thread (decision 274)', () => {
  it('is built: the worker entry exists beside the compiled module', () => {
    expect(WORKER).toBeDefined();
  });

  it('leaves the same frames as FrameCompactor on the writer thread: reads planned on its thread, pieces and merged frames written on the writer', async () => {
    // 9,000 one-event frames: runs of 4,096 rows, each written in pieces of 128 rows before its merged frame.
    const sizes = Array.from({ length: 9000 }, () => 1);
    const a = freshLog('thread.db');
    const b = freshLog('turns.db');
    write(a.log, sizes);
    write(b.log, sizes);
    const lagEvents = 500;
    const onThread = startCompactor(a.log, { lagEvents, everyMs: 60_000 });
    expect(onThread).toBeInstanceOf(CompactorThread);
    const t = onThread as CompactorThread;
    try {
      await t.caughtUp();
    } finally {
      t.close();
    }
    const inline = new FrameCompactor(b.log, { lagEvents, everyMs: 60_000 });
    while (inline.step()) {
      /* every turn now */
    }
    inline.close();
    expect(t.stats).toEqual(inline.stats);
    expect(t.stats.events).toBe(8192);
    // Two runs of 4,096 rows, each 31 pieces of 128 rows and the merged frame (the last 128 rows are not a piece),
    // all through the writer; none found its rows changed.
    expect(t.writes.applied).toBe(2 * 32);
    expect(t.writes.changed).toBe(0);
    expect(frames(a.log)).toEqual(frames(b.log));
    expect(a.log.verify()).toEqual([]);
    // The newest lagEvents stay as written.
    expect(frames(a.log).slice(-lagEvents).every((f) => f.n === 1)).toBe(true);
    a.log.close();
    b.log.close();
  });

  it('a planned write whose rows changed since the plan is not applied, and the log keeps every event once', () => {
    const { path, log } = freshLog();
    write(log, Array.from({ length: 600 }, () => 1));
    const reader = new Database(path, { readonly: true });
    const plan = planStep(reader, 1, 1, 600, { writeRows: 64, events: 256 });
    reader.close();
    // A run of 256 rows: pieces of rows 1-64, 65-128, 129-192, then the merged frame over them and rows 193-256.
    expect(plan.writes.map((w) => [w.fromSeq, w.toSeq, w.rows])).toEqual([
      [1, 64, 64],
      [65, 128, 64],
      [129, 192, 64],
      [1, 256, 3 + 64],
    ]);
    // Another merge of part of the same rows lands first (nothing but the compactor changes them; the check must hold anyway).
    compactStep(log, 1, 100, 300, { maxWrites: 1, finish: true });
    const before = frames(log);
    const results = plan.writes.map((w) => writeMerge(log, 1, w));
    // The piece over untouched rows (1-64) still applies; those over rows the other merge replaced, and the
    // merged frame, do not.
    expect(results).toEqual([true, false, false, false]);
    expect(log.verify()).toEqual([]);
    const events = log.db.prepare('SELECT sum(n) FROM frames').pluck().get();
    expect(events).toBe(600);
    expect(frames(log).length).toBeLessThanOrEqual(before.length);
    log.close();
  });

  it('planStep calls its gate before every read (the compactor thread waits there while the writer restarts the WAL)', () => {
    const { path, log } = freshLog();
    write(log, Array.from({ length: 600 }, () => 1));
    const reader = new Database(path, { readonly: true });
    let gates = 0;
    const plan = planStep(reader, 1, 1, 600, { rows: 100, frames: 32, writeRows: 64, events: 256 }, () => gates++);
    reader.close();
    // Rows looked at 100 a read (3 reads to reach row 257), bodies 32 rows a read (256 / 32 = 8 reads).
    expect(plan.writes.length).toBe(4);
    expect(gates).toBe(3 + 8);
    log.close();
  });

  it('closes its read connection before returning from close: the writer, closing last, checkpoints fully and removes the WAL', async () => {
    const { path, log } = freshLog();
    write(log, Array.from({ length: 6000 }, () => 1));
    const t = startCompactor(log, { lagEvents: 100, everyMs: 60_000 }) as CompactorThread;
    await t.caughtUp();
    t.close();
    expect(t.stats.framesWritten).toBeGreaterThan(0);
    expect(existsSync(path + '-wal')).toBe(true);
    log.close();
    expect(existsSync(path + '-wal')).toBe(false);
    // The file holds the merged log on its own.
    const reopened = openWritableLog(path);
    expect(reopened.verify()).toEqual([]);
    expect(reopened.db.prepare('SELECT sum(n) FROM frames').pluck().get()).toBe(6000);
    reopened.close();
  });

  it('an in-memory log, or thread: false, keeps the compactor on the writer thread (FrameCompactor)', () => {
    const { log } = freshLog();
    const c = startCompactor(log, { thread: false, everyMs: 60_000 });
    expect(c).toBeInstanceOf(FrameCompactor);
    c.close();
    log.close();
    const twin = freshLog('twin.db');
    write(twin.log, [1, 1, 1]);
    expect(compactSession(twin.log, 1, 3, true).framesWritten).toBe(1);
    twin.log.close();
  });
});
