import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { orderSession, storeSession } from '../../../bench/session.ts';
import type { Sequenced } from '../../../engine/protocol/events.ts';
import { openReadableLog, openWritableLog } from '../../../engine/store/log.ts';
import { frameKey } from '../../../engine/store/frame-key.ts';
import { frameCrc } from '../../../engine/store/stored-frame.ts';
import { removeDir, tempDir } from './backbone.ts';

/**
 * Log files for the replay tests: fresh paths in temp folders (removed after each test), a session of the
 * bench's order mix stored in frames of given sizes, and the one-thread replay (`log.replay`) the other read
 * paths are held to. Call once per test file.
 */
export function storedSessions(prefix: string) {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));
  const freshPath = (): string => {
    const dir = tempDir(prefix);
    dirs.push(dir);
    return join(dir, 'ordo.db');
  };
  /** A stored session of about `events` events in frames of `frameSizes` (repeated; 4,096-event frames if none). */
  const storedSession = (events: number, frameSizes?: readonly number[]): string => {
    const path = freshPath();
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    storeSession(log, orderSession(events), undefined, frameSizes);
    log.close();
    return path;
  };
  /** Session 1's events (from..to) as `log.replay` gives them. */
  const replayed = (path: string, from?: number, to?: number): Sequenced[] => {
    const log = openReadableLog(path);
    try {
      const out: Sequenced[] = [];
      log.replay(1, (e) => out.push(e), from, to);
      return out;
    } finally {
      log.close();
    }
  };
  return { freshPath, storedSession, replayed };
}

/** Flips a bit in the second-to-last byte of the frame starting at `firstSeq`, keeping its stored checksum (which then fails). */
export function flipFrameByte(path: string, firstSeq: number): void {
  const db = new Database(path);
  try {
    const body = db.prepare('SELECT body FROM frames WHERE key = ?').pluck().get(frameKey(1, firstSeq)) as Buffer;
    body[body.length - 2]! ^= 0x10;
    db.prepare('UPDATE frames SET body = ? WHERE key = ?').run(body, frameKey(1, firstSeq));
  } finally {
    db.close();
  }
}

/** Cuts the last 4 bytes off the frame starting at `firstSeq` and stores its checksum anew: it checks, but does not decode. */
export function cutFrame(path: string, firstSeq: number): void {
  const db = new Database(path);
  try {
    const row = db.prepare('SELECT body FROM frames WHERE key = ?').get(frameKey(1, firstSeq)) as { body: Buffer };
    const cut = row.body.subarray(0, row.body.length - 4);
    // The checksum of the frame's wire form (a stored-form body gets its head from the row: decision 269).
    db.prepare('UPDATE frames SET body = ?, crc = ? WHERE key = ?').run(cut, frameCrc(1, firstSeq, cut) | 0, frameKey(1, firstSeq));
  } finally {
    db.close();
  }
}
