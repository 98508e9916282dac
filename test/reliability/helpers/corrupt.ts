import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SEQ_SPAN } from '../../../engine/store/frame-key.ts';

export interface FrameRowInfo {
  id: number;
  session: number;
  firstSeq: number;
  lastSeq: number;
  body: Buffer;
}

/** Every frame row of a log file (opened read-only), in log order. */
export function frameRows(db: string): FrameRowInfo[] {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    // The version-4 layout (frame-key.ts): the row key is session * 2^36 + first seq, n the frame's events.
    return (d.prepare('SELECT key, n, body FROM frames ORDER BY key').all() as { key: number; n: number; body: Buffer }[]).map((r) => {
      const firstSeq = r.key % SEQ_SPAN;
      return { id: r.key, session: Math.floor(r.key / SEQ_SPAN), firstSeq, lastSeq: firstSeq + r.n - 1, body: r.body };
    });
  } finally {
    d.close();
  }
}

/**
 * Moves everything from the WAL into the main file and rewrites it compactly
 * (VACUUM with secure_delete), so the file holds each frame's bytes once.
 */
export function checkpoint(db: string): void {
  const d = new Database(db);
  try {
    d.pragma('secure_delete = ON');
    d.pragma('wal_checkpoint(TRUNCATE)');
    d.exec('VACUUM');
    d.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    d.close();
  }
}

/**
 * Flips one byte inside the stored body of `frame`, in the SQLite file
 * itself (as a bad disk sector would), at `at` (0..body length-1). The body
 * must sit whole in one page (small frames do). Stale copies of a page may
 * linger in the file, so the copy on a live page of the frames table (SQLite's
 * dbstat) is the one changed.
 */
export function flipByteInFrame(db: string, frame: FrameRowInfo, at: number): void {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  let live: Set<number>;
  let pageSize: number;
  try {
    pageSize = d.pragma('page_size', { simple: true }) as number;
    live = new Set((d.prepare(`SELECT pageno FROM dbstat WHERE name = 'frames'`).all() as { pageno: number }[]).map((r) => r.pageno));
  } finally {
    d.close();
  }
  const file = readFileSync(db);
  const hits: number[] = [];
  for (let p = file.indexOf(frame.body); p >= 0; p = file.indexOf(frame.body, p + 1)) {
    if (live.has(Math.floor(p / pageSize) + 1)) hits.push(p);
  }
  if (hits.length !== 1) throw new Error(`frame ${frame.id} found ${hits.length} times on live pages of ${db}`);
  file[hits[0]! + at] = file[hits[0]! + at]! ^ 0xff;
  writeFileSync(db, file);
}
