import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { log as logger } from '../log.ts';
import { crc32 } from 'node:zlib';
import { encodeFrame, storedTagCount, visitFrameReusing } from '../protocol/codec.ts';
import type { Sequenced } from '../protocol/events.ts';
import { SEQ_SPAN } from './frame-key.ts';
import { contextsOf } from './session-context.ts';
import { isStored, wireFrame } from './stored-frame.ts';

/**
 * The database file that holds a log's in-session projection checkpoints
 * (decision 252): beside the log, `<log>.checkpoints`, with a WAL of its own.
 * The checkpoint writer never takes the log's write lock, so the sequencer's
 * commits never wait in SQLite's busy handler for a checkpoint (issue 11).
 *
 * Checkpoints are derivable (decision 085): a file that is missing is no
 * checkpoints; one that cannot be opened as this build's is skipped by
 * readers and replaced by the next writer. Each checkpoint is bound to the
 * log it was folded from (`CheckpointAnchor`): a file beside a restored
 * backup or another log is never trusted past what that log holds.
 */

/** The checkpoint file's own schema version (its PRAGMA user_version; the log's is separate). */
export const CHECKPOINT_FILE_VERSION = 1;
/** PRAGMA application_id of a checkpoint file ('OCK1'): a file that is not one is never read as one. */
export const CHECKPOINT_FILE_ID = 0x4f434b31;
/** The WAL of the checkpoint file is cut back to this size after it restarts (bytes). */
const WAL_LIMIT_BYTES = 4 << 20;

/** Where the checkpoints of the log at `logPath` live. */
export function checkpointFilePath(logPath: string): string {
  return `${logPath}.checkpoints`;
}

/**
 * What binds a checkpoint to its log: the session's open time and the event at the checkpoint's seq, named by
 * `frameFirst` (the seq the CRC is of) and `frameCrc`.
 *
 * - An **event anchor** (decision 289, what a writer stores): `frameFirst` is the checkpoint's seq itself and
 *   `frameCrc` the CRC-32 of that one event encoded alone (`encodeFrame(session, [event])`: its type, fields,
 *   sequencer timestamp, source and command seq, nothing of the frame around it). Compaction (decision 120)
 *   moves events into other frames but never changes one, so the anchor holds across it; another log, or a
 *   restored backup that went on past its end, has another event there (another timestamp at least).
 * - A **frame anchor** (decision 252, stored by builds before 289): the first seq and CRC of the frame that held
 *   the seq. Still honoured while that frame is in the log; once compaction merged it away such a checkpoint
 *   is "not of this log" and the next round writes it again as an event anchor. A frame anchor whose frame began
 *   at the seq is also read as an event anchor: a one-event frame's CRC is its event's (the same bytes).
 */
export interface CheckpointAnchor {
  readonly openedTs: number;
  readonly frameFirst: number;
  readonly frameCrc: number;
}

/** The frame of a log that holds a seq, as its row stores it. */
interface HeldBy {
  readonly openedTs: number;
  readonly first: number;
  readonly last: number;
  /** The frame's CRC as a frame anchor names it. */
  readonly crc: number;
  /** The frame's wire form (made on demand: only an event anchor's check needs it). */
  wire(): Uint8Array;
}

const anchorStmts = new WeakMap<Database.Database, (session: number, seq: number) => HeldBy | undefined>();

/*
 * The anchor is read from either frames layout (version 1's columns and index, or version 4's one key,
 * decision 254, frame-key.ts), so that a log converted between them keeps its checkpoints' anchors (the CRC
 * compared as a signed 32-bit value, as version 4 stores it).
 */

/**
 * The CRC an anchor names a frame by: its row's, or for a small stored frame (decision 278), whose row's CRC does
 * not cover its session's base time and strings, that of its wire form (what two logs' frames differ by).
 */
function anchorCrc(logDb: Database.Database, session: number, first: number, crc: number, body: Buffer): number {
  if (!isStored(body) || storedTagCount(body[0]!) === 0) return crc;
  try {
    return crc32(wireFrame(session, first, body, 0, body.length, contextsOf(logDb).of(session))) | 0;
  } catch {
    // Its context is damaged: no checkpoint is anchored to it (verify reports the frame).
    return ~crc;
  }
}

function anchorLookup(logDb: Database.Database): NonNullable<ReturnType<typeof anchorStmts.get>> {
  let lookup = anchorStmts.get(logDb);
  if (lookup) return lookup;
  const columns = new Set((logDb.prepare(`SELECT name FROM pragma_table_info('frames')`).pluck().all() as string[]));
  const opened = logDb.prepare(`SELECT opened_ts FROM sessions WHERE id = ?`).pluck();
  if (columns.has('first_seq')) {
    const frame = logDb.prepare(`SELECT first_seq AS first, last_seq AS last, crc, body FROM frames WHERE session = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1`);
    lookup = (session, seq) => {
      const f = frame.get(session, seq) as { first: number; last: number; crc: number; body: Buffer } | undefined;
      const ts = f && (opened.get(session) as number | undefined);
      if (!f || ts === undefined) return undefined;
      // Version 1's rows hold the wire form itself.
      return { openedTs: ts, first: f.first, last: f.last, crc: f.crc, wire: () => f.body };
    };
  } else {
    const frame = logDb.prepare(`SELECT key, n, crc, body FROM frames WHERE key >= ? AND key <= ? ORDER BY key DESC LIMIT 1`);
    lookup = (session, seq) => {
      const f = frame.get(session * SEQ_SPAN, session * SEQ_SPAN + seq) as { key: number; n: number; crc: number; body: Buffer } | undefined;
      const ts = f && (opened.get(session) as number | undefined);
      if (!f || ts === undefined) return undefined;
      const first = f.key - session * SEQ_SPAN;
      return {
        openedTs: ts,
        first,
        last: first + f.n - 1,
        crc: anchorCrc(logDb, session, first, f.crc, f.body),
        wire: () => wireFrame(session, first, f.body, 0, f.body.length, contextsOf(logDb).of(session)),
      };
    };
  }
  anchorStmts.set(logDb, lookup);
  return lookup;
}

/** The frame of the log at `logDb` that holds (session, seq); undefined when none does. */
function heldBy(logDb: Database.Database, session: number, seq: number): HeldBy | undefined {
  const row = anchorLookup(logDb)(session, seq);
  return row && row.last >= seq ? row : undefined;
}

/**
 * Event CRCs already worked out, per log connection, by the frame that held the event (its first seq and CRC
 * name its bytes): the replay service checks the anchor at every part a joining component asks for, and a
 * compacted frame of 4,096 events should be decoded once for them all, not once a part.
 */
const eventCrcs = new WeakMap<Database.Database, Map<string, number | undefined>>();
const EVENT_CRCS_KEPT = 256;

/**
 * The CRC-32 (signed) of the event at `seq` of the frame `f` encoded alone (see CheckpointAnchor); undefined
 * when the frame does not decode or does not hold it (damage: verify reports the frame, no checkpoint binds).
 */
function eventCrc(logDb: Database.Database, session: number, seq: number, f: HeldBy): number | undefined {
  let kept = eventCrcs.get(logDb);
  if (!kept) eventCrcs.set(logDb, (kept = new Map()));
  const key = `${session}:${seq}:${f.first}:${f.crc}`;
  if (kept.has(key)) return kept.get(key);
  let crc: number | undefined;
  try {
    // Encoded inside the visit: the reusing decoder makes no object for the events before it (a compacted frame
    // holds up to 4,096), and the one it hands over is valid until the visit returns.
    visitFrameReusing(f.wire(), (e: Sequenced) => (crc = crc32(encodeFrame(session, [e])) | 0), seq, seq);
  } catch {
    crc = undefined;
  }
  if (kept.size >= EVENT_CRCS_KEPT) kept.clear();
  kept.set(key, crc);
  return crc;
}

/**
 * The anchor a checkpoint of (session, seq) is stored with: an event anchor (decision 289) of the event at seq
 * as the log at `logDb` holds it; undefined when the log holds no such event (or its frame does not decode).
 */
export function logAnchor(logDb: Database.Database, session: number, seq: number): CheckpointAnchor | undefined {
  const f = heldBy(logDb, session, seq);
  const crc = f && eventCrc(logDb, session, seq, f);
  return f && crc !== undefined ? { openedTs: f.openedTs, frameFirst: seq, frameCrc: crc } : undefined;
}

/**
 * Whether the anchor `kept` (stored with the checkpoint of (session, seq)) names what the log at `logDb` holds:
 * the same session open, and the same event at seq (an event anchor), or the same frame holding it (a frame
 * anchor of a build before decision 289, while that frame is still there). The frame is compared first (two
 * integers, no decode); the event only when the frame differs (a compacted log), once per frame (eventCrc).
 */
export function anchorHolds(logDb: Database.Database, session: number, seq: number, kept: CheckpointAnchor): boolean {
  const f = heldBy(logDb, session, seq);
  if (!f || f.openedTs !== kept.openedTs) return false;
  // Signed: the same value whichever layout stored the CRC (unsigned before decision 254, signed after).
  if (f.first === kept.frameFirst && (f.crc | 0) === (kept.frameCrc | 0)) return true;
  return kept.frameFirst === seq && eventCrc(logDb, session, seq, f) === (kept.frameCrc | 0);
}

/** A checkpoint connection, or why the file could not be used. */
type Opened = { db: Database.Database } | { error: string };

/** The checkpoint connection of each log connection: everyone on one log connection shares one. */
const files = new WeakMap<Database.Database, Database.Database>();
/** Why a log's checkpoint file could not be read, once per file (a reader looks again at each use). */
const reported = new Set<string>();

/**
 * The checkpoint file's connection for the log connection `logDb`, opened on
 * first use and kept until `closeCheckpointFile(logDb)`. A read-only log
 * opens it read-only and gets undefined while it is missing or unusable (it
 * looks again at the next call: the host's checkpoint process creates it).
 * A writable log opens it read-write; with `create`, it is created (mode
 * 0600, like the log) or, when it is not a usable checkpoint file, replaced.
 * An in-memory log has an in-memory one.
 */
export function checkpointFileOf(logDb: Database.Database, create = false): Database.Database | undefined {
  const kept = files.get(logDb);
  if (kept?.open) return kept;
  const got = openCheckpointFile(logDb, create);
  if ('error' in got) return undefined;
  files.set(logDb, got.db);
  return got.db;
}

/** Why the checkpoint file of `logDb` cannot be read (undefined: it can, or there is none). */
export function checkpointFileProblem(logDb: Database.Database): string | undefined {
  if (files.get(logDb)?.open) return undefined;
  // Said by the caller (verify's one line), not logged as well; later readers do not log it either.
  const got = openCheckpointFile(logDb, false, true);
  if ('error' in got) return got.error || undefined;
  files.set(logDb, got.db);
  return undefined;
}

/**
 * Closes the checkpoint connection of `logDb` (if open). The last connection
 * to close checkpoints the file's WAL into it and removes the WAL, as the
 * log's does.
 */
export function closeCheckpointFile(logDb: Database.Database): void {
  const db = files.get(logDb);
  files.delete(logDb);
  if (db?.open) db.close();
}

function openCheckpointFile(logDb: Database.Database, create: boolean, quiet = false): Opened {
  if (logDb.memory) return { db: prepare(new Database(':memory:'), ':memory:') };
  const path = checkpointFilePath(logDb.name);
  const readonly = logDb.readonly;
  if (readonly || !create) {
    // An empty error: simply none there (not a problem to report).
    if (!existsSync(path)) return { error: '' };
    try {
      const db = new Database(path, { readonly, fileMustExist: true });
      try {
        db.pragma('busy_timeout = 5000');
        if (blank(db)) {
          // Created by a writer that has not yet given it its schema: none there yet.
          db.close();
          return { error: '' };
        }
        check(db, path, false);
        if (!readonly) db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
      } catch (err) {
        db.close();
        throw err;
      }
      reported.delete(path);
      return { db };
    } catch (err) {
      const error = `checkpoint file ${path} cannot be read: ${(err as Error).message}`;
      if (!reported.has(path) && !quiet) logger.warn(`${error}; its checkpoints are skipped (they are rebuilt from the log)`);
      reported.add(path);
      return { error };
    }
  }
  try {
    return { db: createFile(path) };
  } catch (err) {
    // Derivable data (decision 085): a file this build cannot use is replaced, and the next rounds fill it again.
    logger.warn(`checkpoint file ${path} cannot be used (${(err as Error).message}); it is replaced, checkpoints are rebuilt from the log`);
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    return { db: createFile(path) };
  }
}

function createFile(path: string): Database.Database {
  // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm the database file's mode.
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    return prepare(db, path);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Sets up a checkpoint file opened for writing: WAL, its schema if new, a bounded WAL. */
function prepare(db: Database.Database, path: string): Database.Database {
  db.pragma('journal_mode = WAL');
  // The WAL is checkpointed by the writer's commits (SQLite's default, 1,000 pages): its fsyncs are of this
  // file, under this file's locks, never the log's. After each restart it is cut back to WAL_LIMIT_BYTES.
  db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
  db.pragma('synchronous = NORMAL');
  check(db, path, true);
  db.transaction(() => {
    if ((db.pragma('user_version', { simple: true }) as number) !== 0) return;
    db.exec(`
      CREATE TABLE checkpoints (
        session INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        part INTEGER NOT NULL,
        parts INTEGER NOT NULL,
        taken_ts INTEGER NOT NULL,
        format INTEGER NOT NULL,
        crc INTEGER NOT NULL,
        body BLOB NOT NULL,
        PRIMARY KEY (session, seq, part)
      ) STRICT;
      CREATE TABLE anchors (
        session INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        opened_ts INTEGER NOT NULL,
        frame_first INTEGER NOT NULL,
        frame_crc INTEGER NOT NULL,
        PRIMARY KEY (session, seq)
      ) STRICT;
    `);
    db.pragma(`application_id = ${CHECKPOINT_FILE_ID}`);
    db.pragma(`user_version = ${CHECKPOINT_FILE_VERSION}`);
  }).immediate();
  return db;
}

function blank(db: Database.Database): boolean {
  db.prepare('SELECT count(*) FROM sqlite_master').get();
  return db.pragma('user_version', { simple: true }) === 0 && db.pragma('application_id', { simple: true }) === 0;
}

/** Throws unless `db` is a checkpoint file of this build (or, when `fresh` is allowed, an empty one). */
function check(db: Database.Database, path: string, fresh: boolean): void {
  db.prepare('SELECT count(*) FROM sqlite_master').get();
  const version = db.pragma('user_version', { simple: true }) as number;
  const id = db.pragma('application_id', { simple: true }) as number;
  if (version === 0 && id === 0 && fresh) return;
  if (id !== CHECKPOINT_FILE_ID) throw new Error(`${path} is not an Ordo checkpoint file`);
  if (version !== CHECKPOINT_FILE_VERSION) throw new Error(`${path} has checkpoint file version ${version}, this build reads ${CHECKPOINT_FILE_VERSION}`);
}
