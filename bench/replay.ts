import Database from 'better-sqlite3';
import { execFile, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compactSession } from '../engine/store/compaction.ts';
import { frameKey, MAX_SEQ } from '../engine/store/frame-key.ts';
import { openWritableLog } from '../engine/store/log.ts';
import { orderSession, storeSession } from './session.ts';
import { tempFolder } from './util.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./replay-child.js', import.meta.url));

export interface ChildReplay {
  readonly events: number;
  readonly seconds: number;
  readonly eps: number;
  readonly maxRssBytes: number;
  readonly orders: number;
  readonly fills: number;
  readonly lastSeq: number;
  readonly hash?: string;
  /** CPU time (ns) of the replay on the replaying thread (-1 where /proc has none). */
  readonly mainCpuNs?: number;
  /** CPU time (ns) of the whole process in the same span: every thread (the column prefault worker, GC helpers, the compiler). */
  readonly processCpuNs?: number;
  /** Column chunks the prefault worker had ready / the replaying thread made itself (decision 261). */
  readonly prefaultChunks?: number;
  readonly ownChunks?: number;
}

/**
 * Replays in `runs` fresh processes, one after the other, and returns the run
 * with the median rate (a cold start is noisy on a shared machine).
 */
export async function medianReplayInChild(runs: number, mode: 'frames' | 'stream' | 'baseline', db: string, events: number, hash = false): Promise<ChildReplay> {
  const results: ChildReplay[] = [];
  for (let i = 0; i < runs; i++) results.push(await replayInChild(mode, db, events, hash));
  results.sort((a, b) => a.eps - b.eps);
  return results[Math.floor(results.length / 2)]!;
}

/** Replays `events` of the log at `db` in a fresh node process. */
export async function replayInChild(mode: 'frames' | 'stream' | 'baseline', db: string, events: number, hash = false): Promise<ChildReplay> {
  const args = [CHILD, mode, db, String(events), ...(hash ? ['hash'] : [])];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 20 });
  const last = stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as ChildReplay;
}

function fileBytes(path: string): number {
  let total = 0;
  for (const f of [path, `${path}-wal`]) {
    try {
      total += statSync(f).size;
    } catch {
      // no WAL file
    }
  }
  return total;
}

export interface StoredLog {
  readonly dir: string;
  readonly db: string;
  readonly events: number;
  readonly bytes: number;
  readonly writeSeconds: number;
  dispose(): void;
}

/**
 * Writes a session of about `orderEvents` order events as frames (the Ordo
 * log): frames of 4,096 events, or of `frameSizes` (what a live host wrote).
 */
export function writeFrameLog(orderEvents: number, frameSizes?: readonly number[]): StoredLog {
  const folder = tempFolder('replay');
  const db = join(folder.dir, 'ordo.db');
  const log = openWritableLog(db);
  const t0 = performance.now();
  const events = storeSession(log, orderSession(orderEvents), undefined, frameSizes);
  const writeSeconds = (performance.now() - t0) / 1000;
  log.db.pragma('wal_checkpoint(TRUNCATE)');
  log.close();
  return { dir: folder.dir, db, events, bytes: fileBytes(db), writeSeconds, dispose: folder.dispose };
}

/** The naive log: one row per event, the event as JSON (what §7 measured). */
export function writeBaselineLog(orderEvents: number): StoredLog {
  const folder = tempFolder('baseline');
  const db = join(folder.dir, 'naive.db');
  const sql = new Database(db);
  sql.pragma('journal_mode = WAL');
  sql.pragma('synchronous = NORMAL');
  sql.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, src TEXT NOT NULL, cseq INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL) STRICT');
  const insert = sql.prepare('INSERT INTO events (seq, ts, src, cseq, type, body) VALUES (?, ?, ?, ?, ?, ?)');
  const t0 = performance.now();
  let n = 0;
  let batch: Parameters<typeof insert.run>[] = [];
  const flush = sql.transaction((rows: Parameters<typeof insert.run>[]) => {
    for (const r of rows) insert.run(...r);
  });
  for (const e of orderSession(orderEvents)) {
    batch.push([e.seq, e.ts, e.src, e.cseq, e.event.type, JSON.stringify(e.event)]);
    n++;
    if (batch.length === 10_000) {
      flush(batch);
      batch = [];
    }
  }
  if (batch.length > 0) flush(batch);
  const writeSeconds = (performance.now() - t0) / 1000;
  sql.pragma('wal_checkpoint(TRUNCATE)');
  sql.close();
  return { dir: folder.dir, db, events: n, bytes: fileBytes(db), writeSeconds, dispose: folder.dispose };
}

const STATE_CHILD = fileURLToPath(new URL('./state-child.js', import.meta.url));

export interface StateAt {
  /** The command's exit code (0: it printed the state). */
  readonly code: number;
  /** The whole command as a user waits for it: from the spawn to the process's end (node's start and exit included). */
  readonly ms: number;
  /** The command inside its process (run() to its return), as rounds before 18 reported `ms`. */
  readonly innerMs?: number;
  readonly maxRssBytes: number;
  /** The command's error line when it failed. */
  readonly error?: string;
}

/** Times `ordo state --data-dir <dir> --at <seq>` in a fresh process (its output discarded), whole: start to exit. */
export function stateAtInChild(dir: string, seq: number, extra: readonly string[] = []): Promise<StateAt> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [STATE_CHILD, dir, String(seq), ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8');
      if (err.length > 1 << 16) err = err.slice(-(1 << 15));
    });
    child.on('error', reject);
    child.on('close', () => {
      const lines = err.trim().split('\n');
      try {
        const inner = JSON.parse(lines.pop()!) as StateAt;
        const r: StateAt = { ...inner, ms: performance.now() - t0, innerMs: inner.ms };
        resolve(r.code === 0 ? r : { ...r, error: lines.filter(Boolean).pop() ?? 'failed' });
      } catch {
        resolve({ code: -1, ms: 0, maxRssBytes: 0, error: lines.filter(Boolean).pop() ?? 'crashed' });
      }
    });
  });
}

/** The log's pages in use (file size less free pages): what its frames take once freed pages are reused. */
export function usedBytes(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    const page = db.pragma('page_size', { simple: true }) as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * page;
  } finally {
    db.close();
  }
}

/**
 * Compacts session 1 of a stored log as the host's FrameCompactor leaves it
 * once caught up (everything but the newest `lagEvents` merged) and returns
 * the time it took and the bytes in use afterwards.
 */
export function compactStoredLog(stored: StoredLog, lagEvents: number): { seconds: number; events: number; framesBefore: number; framesAfter: number; usedBytes: number } {
  const log = openWritableLog(stored.db, { backgroundCheckpoint: false });
  try {
    const frames = () => log.db.prepare('SELECT count(*) FROM frames WHERE key >= ? AND key <= ?').pluck().get(frameKey(1, 0), frameKey(1, MAX_SEQ)) as number;
    const framesBefore = frames();
    const t0 = performance.now();
    const r = compactSession(log, 1, log.lastSeq(1) - lagEvents);
    const seconds = (performance.now() - t0) / 1000;
    const framesAfter = frames();
    log.db.pragma('wal_checkpoint(TRUNCATE)');
    log.close();
    return { seconds, events: r.events, framesBefore, framesAfter, usedBytes: usedBytes(stored.db) };
  } finally {
    log.close();
  }
}
