import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { decodeFrame, visitFrame } from '../protocol/codec.ts';
import { DecodeError } from '../protocol/bytes.ts';
import type { Sequenced } from '../protocol/events.ts';
import { CorruptionError, StoreError } from './errors.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations/index.ts';

export interface SessionRow {
  readonly id: number;
  readonly openedTs: number;
  readonly closedTs: number | null;
  readonly state: 'open' | 'closed';
  /** Last seq stored in the session (0 when empty). */
  readonly lastSeq: number;
  readonly frames: number;
}

export interface StoredFrame {
  readonly session: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly bytes: Uint8Array;
}

export interface StoredSnapshot {
  readonly session: number;
  readonly seq: number;
  readonly takenTs: number;
  readonly body: unknown;
}

/** A corrupted frame found by `verify`. */
export interface CorruptionReport {
  readonly session: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly rowId: number;
  readonly detail: string;
}

declare const readable: unique symbol;
declare const writable: unique symbol;

interface FrameRow {
  id: number;
  session: number;
  first_seq: number;
  last_seq: number;
  crc: number;
  body: Buffer;
}

/**
 * The event log: read side. Every frame is checked against its CRC-32 and
 * decoded on read; a mismatch throws CorruptionError with its location.
 */
export class ReadableLog {
  declare readonly [readable]: true;
  protected readonly stmts;

  constructor(readonly db: Database.Database) {
    this.stmts = {
      sessions: db.prepare(
        `SELECT s.id, s.opened_ts, s.closed_ts, s.state,
                COALESCE((SELECT f.last_seq FROM frames f WHERE f.session = s.id ORDER BY f.first_seq DESC LIMIT 1), 0) AS last_seq,
                (SELECT COUNT(*) FROM frames f WHERE f.session = s.id) AS frames
         FROM sessions s ORDER BY s.id`,
      ),
      lastSeq: db
        .prepare(`SELECT last_seq FROM frames WHERE session = ? ORDER BY first_seq DESC LIMIT 1`)
        .pluck(),
      framesFrom: db.prepare(
        `SELECT id, session, first_seq, last_seq, crc, body FROM frames
         WHERE session = ? AND last_seq >= ? AND first_seq <= ? ORDER BY first_seq`,
      ),
      snapshot: db.prepare(`SELECT session, seq, taken_ts, crc, body FROM snapshots WHERE session = ?`),
      allFrames: db.prepare(`SELECT id, session, first_seq, last_seq, crc, body FROM frames ORDER BY session, first_seq`),
      framesRaw: db
        .prepare(`SELECT first_seq, last_seq, crc, body FROM frames WHERE session = ? AND last_seq >= ? AND first_seq <= ? ORDER BY first_seq`)
        .raw(true),
    };
  }

  /** All sessions, oldest first. */
  sessions(): SessionRow[] {
    return (this.stmts.sessions.all() as { id: number; opened_ts: number; closed_ts: number | null; state: 'open' | 'closed'; last_seq: number; frames: number }[]).map(
      (r) => ({ id: r.id, openedTs: r.opened_ts, closedTs: r.closed_ts, state: r.state, lastSeq: r.last_seq, frames: r.frames }),
    );
  }

  /** The newest session, or undefined for an empty log. */
  latestSession(): SessionRow | undefined {
    const all = this.sessions();
    return all[all.length - 1];
  }

  lastSeq(session: number): number {
    return (this.stmts.lastSeq.get(session) as number | undefined) ?? 0;
  }

  /**
   * Frames of `session` overlapping seq range [from, to] (both inclusive),
   * each verified against its checksum. Frames may start before `from`.
   */
  *frames(session: number, from: number, to: number): Generator<StoredFrame> {
    for (const row of this.stmts.framesFrom.iterate(session, from, to) as IterableIterator<FrameRow>) {
      const bytes = row.body;
      if (crc32(bytes) !== row.crc) {
        throw new CorruptionError(row.session, row.first_seq, row.last_seq, 'checksum mismatch');
      }
      yield { session: row.session, firstSeq: row.first_seq, lastSeq: row.last_seq, bytes };
    }
  }

  /** Events of `session` with seq in [from, to], both inclusive, in order. */
  *events(session: number, from = 1, to = Number.MAX_SAFE_INTEGER): Generator<Sequenced> {
    for (const f of this.frames(session, from, to)) {
      let decoded;
      try {
        decoded = decodeFrame(f.bytes);
      } catch (err) {
        if (err instanceof DecodeError) throw new CorruptionError(f.session, f.firstSeq, f.lastSeq, err.message);
        throw err;
      }
      for (const e of decoded.events) {
        if (e.seq >= from && e.seq <= to) yield e;
      }
    }
  }

  /**
   * Rewinds: calls `apply` with every event of `session` with seq in
   * [from, to] (both inclusive), in order, and returns how many it applied.
   * The fast path for replaying a log into a projection: rows come as arrays,
   * each frame's checksum is checked, and frames are decoded event by event
   * without building arrays. Throws CorruptionError (with the frame's
   * location) for a bad checksum or encoding; events before it were applied.
   */
  replay(session: number, apply: (e: Sequenced) => void, from = 1, to = Number.MAX_SAFE_INTEGER): number {
    let n = 0;
    const count = (e: Sequenced) => {
      n++;
      apply(e);
    };
    for (const row of this.stmts.framesRaw.iterate(session, from, to) as IterableIterator<[number, number, number, Buffer]>) {
      const [firstSeq, lastSeq, crc, bytes] = row;
      if (crc32(bytes) !== crc) throw new CorruptionError(session, firstSeq, lastSeq, 'checksum mismatch');
      try {
        visitFrame(bytes, count, from, to);
      } catch (err) {
        if (err instanceof DecodeError) throw new CorruptionError(session, firstSeq, lastSeq, err.message);
        throw err;
      }
    }
    return n;
  }

  snapshot(session: number): StoredSnapshot | undefined {
    const row = this.stmts.snapshot.get(session) as { session: number; seq: number; taken_ts: number; crc: number; body: string } | undefined;
    if (!row) return undefined;
    if (crc32(row.body) !== row.crc) {
      throw new CorruptionError(row.session, row.seq, row.seq, 'snapshot checksum mismatch');
    }
    return { session: row.session, seq: row.seq, takenTs: row.taken_ts, body: JSON.parse(row.body) };
  }

  /** Checks every frame's checksum, encoding and seq continuity; returns what is wrong. */
  verify(): CorruptionReport[] {
    const problems: CorruptionReport[] = [];
    let session = -1;
    let next = 1;
    for (const row of this.stmts.allFrames.iterate() as IterableIterator<FrameRow>) {
      if (row.session !== session) {
        session = row.session;
        next = 1;
      }
      const at = { session: row.session, firstSeq: row.first_seq, lastSeq: row.last_seq, rowId: row.id };
      if (crc32(row.body) !== row.crc) {
        problems.push({ ...at, detail: 'checksum mismatch' });
      } else {
        try {
          const f = decodeFrame(row.body);
          if (f.session !== row.session || f.firstSeq !== row.first_seq || f.firstSeq + f.count - 1 !== row.last_seq) {
            problems.push({ ...at, detail: 'frame header does not match its row' });
          }
        } catch (err) {
          problems.push({ ...at, detail: (err as Error).message });
        }
      }
      if (row.first_seq !== next) problems.push({ ...at, detail: `seq gap: expected ${next}` });
      next = row.last_seq + 1;
    }
    return problems;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Appended bytes after which the WAL is checkpointed (on the background thread). */
const CHECKPOINT_AFTER_BYTES = 4 << 20;
/** Appended bytes without a finished checkpoint after which the writer checkpoints itself. */
const CHECKPOINT_OVERDUE_BYTES = 256 << 20;
/** WAL size at which the checkpointer makes the next commit start the WAL over (see the thread's source). */
const WAL_RESTART_BYTES = 64 << 20;

/*
 * The checkpointer thread: its own connection to the log, running a PASSIVE
 * checkpoint (copy committed WAL pages into the database file, then fsync it)
 * whenever asked; it never blocks the writer. Under steady writing a PASSIVE
 * checkpoint never catches up with the last commit, and SQLite only starts
 * the WAL over when it has; so once the WAL holds more than restartBytes, a
 * RESTART checkpoint follows, which waits for the writer to be between
 * commits and holds it off while it copies what the PASSIVE one left (little)
 * and syncs. CommonJS, evaluated by Worker; `driver` is better-sqlite3's
 * resolved path.
 */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const closed = new Int32Array(workerData.closed);
let db;
let pageSize = 4096;
try {
  db = new Database(workerData.path, { fileMustExist: true, timeout: 5000 });
  db.pragma('synchronous = ' + workerData.synchronous);
  pageSize = db.pragma('page_size', { simple: true });
} catch (err) {
  parentPort.postMessage({ error: String(err && err.message) });
}
parentPort.on('message', (m) => {
  if (m === 'checkpoint') {
    let answer;
    try {
      answer = db.pragma('wal_checkpoint(PASSIVE)')[0];
      if (answer.log * pageSize > workerData.restartBytes) answer = db.pragma('wal_checkpoint(RESTART)')[0];
    } catch (err) {
      answer = { error: String(err && err.message) };
    }
    parentPort.postMessage(answer);
  } else if (m === 'close') {
    try {
      if (db && db.open) db.close();
    } finally {
      Atomics.store(closed, 0, 1);
      Atomics.notify(closed, 0);
      parentPort.close();
    }
  }
});
`;

/**
 * Moves WAL checkpoints off the committing thread. SQLite's automatic
 * checkpoint runs inside the commit that crosses the WAL size limit and, at
 * synchronous=NORMAL, fsyncs twice: a commit that normally takes tens of
 * microseconds then takes tens of milliseconds (the latency tail). Here the
 * writer connection never checkpoints; a worker thread with its own
 * connection runs a PASSIVE checkpoint (which never blocks the writer or
 * readers) after every few MB appended. The worker starts with the first
 * checkpoint, so short-lived logs (CLI, tests) never start one. If it cannot
 * start, or falls far behind, the writer checkpoints itself as before.
 */
class BackgroundCheckpointer {
  private worker: Worker | undefined;
  private readonly closed = new Int32Array(new SharedArrayBuffer(4));
  private busy = false;
  private failed = false;
  private errors = 0;
  /** Bytes appended since the last checkpoint was asked for, and since the last one finished. */
  private sinceRequest = 0;
  private sinceDone = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly synchronous: 'NORMAL' | 'FULL',
  ) {
    db.pragma('wal_autocheckpoint = 0');
    // When the WAL starts over, it is cut back to this size.
    db.pragma(`journal_size_limit = ${WAL_RESTART_BYTES}`);
  }

  appended(bytes: number): void {
    this.sinceRequest += bytes;
    this.sinceDone += bytes;
  }

  /** After a commit (outside any transaction): ask for a checkpoint when enough was written. */
  committed(): void {
    if (this.sinceDone >= CHECKPOINT_OVERDUE_BYTES || this.failed) {
      if (this.sinceDone < CHECKPOINT_AFTER_BYTES) return;
      // The thread is gone or stuck: do it here, as SQLite would have.
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.sinceDone = this.sinceRequest = 0;
      return;
    }
    if (this.busy || this.sinceRequest < CHECKPOINT_AFTER_BYTES) return;
    const worker = this.worker ?? this.start();
    if (!worker) return;
    this.busy = true;
    this.sinceRequest = 0;
    const doneUpTo = this.sinceDone;
    worker.once('message', (answer: { error?: string }) => {
      this.busy = false;
      if (answer.error !== undefined) {
        console.error(`event log: background checkpoint failed: ${answer.error}`);
        if (++this.errors >= 3) this.failed = true;
        return;
      }
      this.errors = 0;
      this.sinceDone = Math.max(0, this.sinceDone - doneUpTo);
    });
    worker.postMessage('checkpoint');
  }

  private start(): Worker | undefined {
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      const worker = new Worker(CHECKPOINTER_SOURCE, {
        eval: true,
        workerData: { driver, path: this.path, synchronous: this.synchronous, closed: this.closed.buffer, restartBytes: WAL_RESTART_BYTES },
      });
      worker.unref();
      worker.on('error', (err) => {
        console.error(`event log: checkpoint thread stopped: ${err.message}`);
        this.failed = true;
        this.busy = false;
      });
      this.worker = worker;
      return worker;
    } catch (err) {
      console.error(`event log: no checkpoint thread (${(err as Error).message}); checkpointing inline`);
      this.failed = true;
      return undefined;
    }
  }

  /** Closes the thread's connection before the writer's, so the writer's close is the last (it checkpoints and removes the WAL). */
  close(): void {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    worker.postMessage('close');
    // Waits for the thread to finish a checkpoint in progress and close its connection.
    Atomics.wait(this.closed, 0, 0, 10_000);
    void worker.terminate();
  }
}

/**
 * The event log: write side. Only the sequencer holds one. Appends happen in
 * the caller's transaction (group commit) and are durable when it returns.
 */
export class WritableLog extends ReadableLog {
  declare readonly [writable]: true;
  private readonly w;
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly checkpointer: BackgroundCheckpointer | undefined;

  constructor(db: Database.Database, checkpointer?: { path: string; synchronous: 'NORMAL' | 'FULL' }) {
    super(db);
    this.w = {
      append: db.prepare(`INSERT INTO frames (session, first_seq, last_seq, crc, body) VALUES (?, ?, ?, ?, ?)`),
      openSession: db.prepare(`INSERT INTO sessions (id, opened_ts, state) VALUES (?, ?, 'open')`),
      closeSession: db.prepare(`UPDATE sessions SET state = 'closed', closed_ts = ? WHERE id = ? AND state = 'open'`),
      snapshot: db.prepare(`INSERT INTO snapshots (session, seq, taken_ts, crc, body) VALUES (?, ?, ?, ?, ?)`),
      truncateFrames: db.prepare(`DELETE FROM frames WHERE id >= ?`),
      dropSnapshotsFrom: db.prepare(`DELETE FROM snapshots WHERE session >= ?`),
      dropSessionsAfter: db.prepare(`DELETE FROM sessions WHERE id > ?`),
      reopen: db.prepare(`UPDATE sessions SET state = 'open', closed_ts = NULL WHERE id = ?`),
    };
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.checkpointer = checkpointer ? new BackgroundCheckpointer(db, checkpointer.path, checkpointer.synchronous) : undefined;
  }

  /** Runs `fn` in one write transaction: all of it is stored, or none. */
  transaction<T>(fn: () => T): T {
    const result = this.inTransaction.immediate(fn) as T;
    this.checkpointer?.committed();
    return result;
  }

  appendFrame(session: number, firstSeq: number, lastSeq: number, bytes: Uint8Array): void {
    this.w.append.run(session, firstSeq, lastSeq, crc32(bytes), bytes);
    this.checkpointer?.appended(bytes.length);
  }

  override close(): void {
    this.checkpointer?.close();
    super.close();
  }

  openSession(id: number, ts: number): void {
    this.w.openSession.run(id, ts);
  }

  closeSession(id: number, ts: number, snapshot: { seq: number; body: unknown }): void {
    const changed = this.w.closeSession.run(ts, id).changes;
    if (changed !== 1) throw new StoreError(`session ${id} is not open`);
    const body = JSON.stringify(snapshot.body);
    this.w.snapshot.run(id, snapshot.seq, ts, crc32(body), body);
  }

  /**
   * Removes every frame from row `rowId` (in `session`) on, every later
   * session, and the session's close (for explicit repair only). A session
   * left without any frame is removed too: nothing says it ever opened, and
   * the one before stays closed with its snapshot, ready for the next open.
   * Returns the number of frames removed.
   */
  truncateFrom(session: number, rowId: number): number {
    const removed = this.w.truncateFrames.run(rowId).changes;
    this.w.dropSnapshotsFrom.run(session);
    this.w.dropSessionsAfter.run(session);
    if (this.lastSeq(session) === 0) this.w.dropSessionsAfter.run(session - 1);
    else this.w.reopen.run(session);
    return removed;
  }
}

export interface OpenOptions {
  /** `normal` (default) survives a process crash; `full` also survives power loss. */
  readonly synchronous?: 'normal' | 'full';
  /** Checkpoint the WAL on a background thread (default) rather than inside commits. */
  readonly backgroundCheckpoint?: boolean;
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(`${path} has schema version ${version}, newer than this build (${SCHEMA_VERSION}); upgrade Ordo`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= version) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

function open(path: string, readonly: boolean): Database.Database {
  if (readonly && !existsSync(path)) throw new StoreError(`no event log at ${path}`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new StoreError(`cannot open event log ${path}: ${(err as Error).message}`);
  }
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    db.close();
    throw new StoreError(`${path} is not a readable SQLite database: ${(err as Error).message}`);
  }
  return db;
}

/** Opens (creating and migrating if needed) the log for writing. */
export function openWritableLog(path: string, options: OpenOptions = {}): WritableLog {
  const db = open(path, false);
  const synchronous = options.synchronous === 'full' ? 'FULL' : 'NORMAL';
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('foreign_keys = ON');
    migrate(db, path);
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(`cannot prepare event log ${path}: ${(err as Error).message}`);
  }
  return new WritableLog(db, options.backgroundCheckpoint === false ? undefined : { path, synchronous });
}

/** Opens an existing log read-only (CLI, replay service, time machine). */
export function openReadableLog(path: string): ReadableLog {
  const db = open(path, true);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === 0) {
    db.close();
    throw new StoreError(`${path} is not an Ordo event log (no schema)`);
  }
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new StoreError(`${path} has schema version ${version}, newer than this build (${SCHEMA_VERSION}); upgrade Ordo`);
  }
  return new ReadableLog(db);
}
