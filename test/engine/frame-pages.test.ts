import Database from 'better-sqlite3';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { storedTag, storedVersion } from '../../engine/protocol/codec.ts';
import { CorruptionError } from '../../engine/store/errors.ts';
import { crc32Range, FramePages } from '../../engine/store/frame-pages.ts';
import { frameCrc } from '../../engine/store/stored-frame.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { frameKey, KEYED } from '../../engine/store/frame-key.ts';
import { Prng } from '../../engine/venue/prng.ts';
import { cutFrame, flipFrameByte, storedSessions } from './helpers/stored-session.ts';

// replay() reads frames a page at a time (one blob of many bodies per SQLite call, frame-pages.ts);
// events() still reads row by row. These tests hold the two to the same events and the same errors.

const { freshPath, storedSession, replayed } = storedSessions('ordo-pages-');

function rowByRow(path: string, from?: number, to?: number): Sequenced[] {
  const log = openReadableLog(path);
  try {
    return [...log.events(1, from, to)];
  } finally {
    log.close();
  }
}

describe('paged frame reading (replay)', () => {
  it('replays the same events as the row-by-row reader, for small live-sized frames, big frames and ranges that cut frames', () => {
    // 1-event frames, mixed live sizes, and frames big enough that a page holds only a few.
    const prng = new Prng(15);
    const mixed = Array.from({ length: 500 }, () => prng.int(1, 12));
    for (const sizes of [[1], mixed, [1, 4096, 3, 9000]]) {
      const path = storedSession(30_000, sizes);
      const all = rowByRow(path);
      expect(all.length).toBeGreaterThan(30_000);
      expect(replayed(path)).toEqual(all);
      for (const [from, to] of [
        [1, 1],
        [2, 17],
        [4095, 13_301],
        [all.length - 5, all.length + 100],
      ] as const) {
        expect(replayed(path, from, to)).toEqual(rowByRow(path, from, to));
      }
    }
  });

  it('hands every body back byte for byte, whatever bytes it holds (NUL, invalid UTF-8), in row order', () => {
    const path = freshPath();
    openWritableLog(path, { backgroundCheckpoint: false }).close();
    const db = new Database(path);
    const prng = new Prng(7);
    db.prepare(`INSERT INTO sessions (id, opened_ts, state) VALUES (1, 1, 'open')`).run();
    const insert = db.prepare('INSERT INTO frames (key, n, crc, body) VALUES (?, 10, ?, ?)');
    const bodies: Buffer[] = [];
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        // Every byte value, runs of zeros and 0xff, lengths from 1 to ~70 k (a page adapts to them).
        const len = i % 500 === 0 ? 70_000 : prng.int(1, 300);
        const b = Buffer.alloc(len);
        for (let k = 0; k < len; k++) b[k] = i % 3 === 0 ? (k % 7 === 0 ? 0 : 0xff) : prng.int(0, 255);
        // A body that happens to begin with a stored-form tag (decision 275) holds its row's count, 10, as a frame does.
        if (storedVersion(b[0]!) !== 0) b[0] = storedTag(3, 10);
        bodies.push(b);
        // The checksum as the log stores it: a body that happens to begin with a stored-form tag (decision 269) gets its head from the row.
        insert.run(frameKey(1, i * 10 + 1), frameCrc(1, i * 10 + 1, b) | 0, b);
      }
    })();
    const pages = FramePages.open(db, KEYED)!;
    const seen: Buffer[] = [];
    pages.forEach(
      1,
      1,
      Number.MAX_SAFE_INTEGER,
      (bytes, begin, end, view) => {
        expect(view.byteLength).toBe(bytes.length);
        seen.push(Buffer.from(bytes.subarray(begin, end)));
      },
      () => {
        throw new Error('no frame is bad here');
      },
    );
    expect(seen.length).toBe(bodies.length);
    seen.forEach((b, i) => expect(b.equals(bodies[i]!)).toBe(true));
    db.close();
  });

  it('reports a flipped byte in a frame deep in a later page with that frame\'s seq range, after applying the events before it', () => {
    const path = storedSession(20_000, [3]);
    flipFrameByte(path, 15001);
    const log = openReadableLog(path);
    let applied = 0;
    const run = () => log.replay(1, () => applied++);
    expect(run).toThrow(CorruptionError);
    expect(run).toThrow('corrupted frame in session 1, seq 15001-15003: checksum mismatch');
    expect(applied).toBe(2 * 15_000);
    log.close();
  });

  it('names a frame that does not decode (checksum right, content cut short) exactly as the row-by-row reader does', () => {
    const path = storedSession(20_000, [3]);
    cutFrame(path, 12001);
    const log = openReadableLog(path);
    let rowError: unknown;
    try {
      for (const _ of log.events(1)) void _;
    } catch (err) {
      rowError = err;
    }
    expect(rowError).toBeInstanceOf(CorruptionError);
    expect(() => log.replay(1, () => undefined)).toThrow((rowError as Error).message);
    expect((rowError as Error).message).toMatch(/^corrupted frame in session 1, seq 12001-12003: /);
    log.close();
  });

  it('switches between pages and rows as frame sizes change (big compacted runs, then small live frames, then big again), with the same events', () => {
    // 40 frames of 4,096 events (~80 KiB each: read row by row), 3,000 of 2 (paged), then big ones again.
    const sizes = [...Array<number>(40).fill(4096), ...Array<number>(3000).fill(2), ...Array<number>(10).fill(4096)];
    const path = storedSession(210_000, sizes);
    const all = rowByRow(path);
    expect(replayed(path)).toEqual(all);
    expect(replayed(path, 150_000, 170_000)).toEqual(rowByRow(path, 150_000, 170_000));
  });

  it('reports a flipped byte and an undecodable frame in a big frame read row by row exactly as the row-by-row reader does', () => {
    // The first page holds 64 frames; frame 70 comes in a row-by-row page (the frames before it were ~80 KiB).
    const path = storedSession(80 * 4096, [4096]);
    const firstSeq = 70 * 4096 + 1;
    flipFrameByte(path, firstSeq);
    const log = openReadableLog(path);
    let applied = 0;
    const run = () => log.replay(1, () => applied++);
    expect(run).toThrow(`corrupted frame in session 1, seq ${firstSeq}-${firstSeq + 4095}: checksum mismatch`);
    expect(applied).toBe(firstSeq - 1);
    log.close();

    cutFrame(path, firstSeq);
    const log2 = openReadableLog(path);
    let rowError: unknown;
    try {
      for (const _ of log2.events(1)) void _;
    } catch (err) {
      rowError = err;
    }
    expect((rowError as Error).message).toMatch(new RegExp(`^corrupted frame in session 1, seq ${firstSeq}-${firstSeq + 4095}: `));
    expect(() => log2.replay(1, () => undefined)).toThrow((rowError as Error).message);
    log2.close();
  });

  it('reports a missing frame as a seq gap', () => {
    const path = storedSession(5_000, [2]);
    const db = new Database(path);
    db.prepare('DELETE FROM frames WHERE key = ?').run(frameKey(1, 2001));
    db.close();
    const log = openReadableLog(path);
    expect(() => log.replay(1, () => undefined)).toThrow('seq gap: expected 2001, found 2003');
    log.close();
  });

  it('computes the log\'s CRC-32 (zlib\'s) over any byte range', () => {
    const prng = new Prng(3);
    const buf = Buffer.alloc(4000);
    for (let k = 0; k < buf.length; k++) buf[k] = prng.int(0, 255);
    for (const [start, end] of [
      [0, 0],
      [0, 1],
      [5, 17],
      [100, 211],
      [100, 212],
      [100, 356],
      [7, 3999],
    ] as const) {
      expect(crc32Range(buf, start, end)).toBe(crc32(buf.subarray(start, end)));
    }
  });
});
