import type Database from 'better-sqlite3';
import { crc32 } from 'node:zlib';
import { anchorHolds, checkpointFileOf, checkpointFileProblem, logAnchor, type CheckpointAnchor } from './checkpoint-file.ts';

/**
 * In-session projection checkpoints (decision 085), in a database file of
 * their own beside the log (checkpoint-file.ts, decision 252): the
 * projection's bytes at (session, seq), so that restart and the time machine
 * replay only the events after it. Derivable data, never part of the log's
 * truth: a row that fails its checksum or does not decode is skipped (one
 * log line, the next older one is tried, then the session's start), `ordo
 * verify` reports it, `ordo repair --drop-checkpoints` removes them all, and
 * the next checkpoint round writes them again. A checkpoint whose anchor is
 * not the log's (another log's file, or one beside a restored backup that
 * ends before it) is never read: "not of this log".
 *
 * The store keeps bytes and does not know what is in them (the OMS encodes
 * and decodes; engine/oms/checkpoint-codec.ts).
 */

export interface StoredCheckpoint {
  readonly session: number;
  readonly seq: number;
  readonly format: number;
  /** The bytes as stored, one buffer per part, each checked against its checksum: a reader that decodes part by part (decision 209). */
  readonly parts: readonly Buffer[];
  /** The parts assembled into one buffer of its own (made on first use, then kept); only of a checkpoint read whole. */
  readonly bytes: Buffer;
  /** False when only the leading parts a reader asked for were read (`need`). */
  readonly whole: boolean;
}

/**
 * How many leading bytes of a checkpoint a reader needs, told from its first part; undefined: all. The
 * parts past them are neither read nor checked (decision 209: the time machine leaves what only start-up
 * reads at the end).
 */
export type CheckpointNeed = (first: Buffer) => number | undefined;

/** A checkpoint read back: its parts, assembled only when asked for the whole. */
class ReadCheckpoint implements StoredCheckpoint {
  private assembled: Buffer | undefined;

  constructor(
    readonly session: number,
    readonly seq: number,
    readonly format: number,
    readonly parts: readonly Buffer[],
    readonly whole: boolean,
  ) {}

  get bytes(): Buffer {
    if (!this.whole) throw new Error(`checkpoint session ${this.session} seq ${this.seq} was read in part`);
    if (this.assembled === undefined) {
      this.assembled = Buffer.allocUnsafe(this.parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of this.parts) {
        p.copy(this.assembled, at);
        at += p.length;
      }
    }
    return this.assembled;
  }
}

/** A checkpoint row whose bytes are not what was written. */
export interface CheckpointProblem {
  readonly session: number;
  readonly seq: number;
  readonly detail: string;
}

/** Which checkpoints stay (see `prune`): the newest few, and older ones on a sparse grid. */
export interface CheckpointRetention {
  /** The newest this many of a session stay. */
  readonly recent: number;
  /** Older ones stay only at a seq that is a multiple of this. */
  readonly sparse: number;
}

/**
 * The newest 4 (a 250,000-event tail at most in the newest million) and every 500,000th before: the time
 * machine's longest tail is then 500,000 events, not a million (decision 209: `?at=` at any seq within 1 s).
 */
export const DEFAULT_RETENTION: CheckpointRetention = { recent: 4, sparse: 500_000 };

/**
 * Bytes per part a reader is handed at most: a replay-service answer to a joining component (a part per
 * request, decision 140) groups the stored rows of a checkpoint up to this size.
 */
export const CHECKPOINT_PART_BYTES = 4 << 20;

/**
 * Bytes per stored row of a checkpoint, each its own transaction (decision 239). A row holds SQLite's write
 * lock, which every commit of the host's sequencer needs, for as long as its write takes: a 4 MiB row took
 * ~16 ms (8 ms of CPU) and the sequencer's BEGIN IMMEDIATE slept 1 + 2 + 5 + 10 ms in the busy handler
 * meanwhile; a 256 KiB row takes ~0.5 ms, under the handler's first 1 ms sleep.
 */
export const CHECKPOINT_ROW_BYTES = 256 << 10;

interface PartMeta {
  part: number;
  parts: number;
  format: number;
  crc: number;
  n: number;
}

type ReaderStmts = {
  seqsAtOrBefore: Database.Statement;
  completeBelow: Database.Statement;
  all: Database.Statement;
  seqs: Database.Statement;
  meta: Database.Statement;
  body: Database.Statement;
  part: Database.Statement;
  rowLength: Database.Statement;
  anchor: Database.Statement;
};

/** The detail of a checkpoint whose anchor is not the log's (verify counts it as skipped, not damaged). */
export const NOT_OF_THIS_LOG = 'not of this log';

/**
 * Read side, on the checkpoint file of the log connection `logDb` (opened on first use, and looked for again
 * while it is missing); every checkpoint it gives is bound to that log. A checkpoint file that cannot be read
 * is no checkpoints (one log line): start-up then replays from the session's start.
 */
export class CheckpointReader {
  private stmts: ReaderStmts | undefined;
  private stmtsOf: Database.Database | undefined;

  constructor(private readonly logDb: Database.Database) {}

  private get s(): ReaderStmts | undefined {
    const db = checkpointFileOf(this.logDb);
    if (!db) return undefined;
    if (this.stmts && this.stmtsOf === db) return this.stmts;
    this.stmtsOf = db;
    this.stmts = {
      seqsAtOrBefore: db.prepare(`SELECT DISTINCT seq FROM checkpoints WHERE session = ? AND seq <= ? ORDER BY seq DESC`).pluck(),
      completeBelow: db
        .prepare(`SELECT seq FROM checkpoints WHERE session = ? AND (? IS NULL OR format = ?) AND seq < ? GROUP BY seq HAVING COUNT(*) = MAX(parts) ORDER BY seq DESC`)
        .pluck(),
      all: db.prepare(`SELECT DISTINCT session, seq FROM checkpoints ORDER BY session, seq`),
      seqs: db.prepare(`SELECT DISTINCT seq FROM checkpoints WHERE session = ? ORDER BY seq`).pluck(),
      meta: db.prepare(`SELECT part, parts, format, crc, length(body) AS n FROM checkpoints WHERE session = ? AND seq = ? ORDER BY part`),
      body: db.prepare(`SELECT body FROM checkpoints WHERE session = ? AND seq = ? AND part = ?`).pluck(),
      part: db.prepare(`SELECT parts, format, crc, body FROM checkpoints WHERE session = ? AND seq = ? AND part = ?`),
      rowLength: db.prepare(`SELECT length(body) AS n, parts FROM checkpoints WHERE session = ? AND seq = ? AND part = 0`),
      anchor: db.prepare(`SELECT opened_ts AS openedTs, frame_first AS frameFirst, frame_crc AS frameCrc FROM anchors WHERE session = ? AND seq = ?`),
    };
    return this.stmts;
  }

  /** Why the checkpoint file cannot be read (undefined: it can, or there is none): for `verify`. */
  fileProblem(): string | undefined {
    return checkpointFileProblem(this.logDb);
  }

  /**
   * Whether the checkpoint at (session, seq) was folded from this log: its anchor is the log's (the
   * session's open and the event at seq, wherever compaction put it: decision 289; or, stored by a build
   * before, the frame that holds seq). A checkpoint without an anchor, or past the log's end, is not.
   */
  bound(session: number, seq: number): boolean {
    const kept = this.s?.anchor.get(session, seq) as CheckpointAnchor | undefined;
    return kept !== undefined && anchorHolds(this.logDb, session, seq, kept);
  }

  /**
   * Checkpoints of `session` at or before `seq`, newest first, each whole
   * (every part there), bound to this log and checked against its checksums;
   * a bad one is reported through `bad` and skipped. One is read at a time:
   * the caller stops at the first it can use.
   */
  *atOrBefore(session: number, seq: number, bad: (p: CheckpointProblem) => void, need?: CheckpointNeed): Generator<StoredCheckpoint> {
    let seqs: number[];
    try {
      seqs = (this.s?.seqsAtOrBefore.all(session, seq) as number[] | undefined) ?? [];
    } catch (err) {
      bad({ session, seq, detail: `checkpoint file unreadable: ${(err as Error).message}` });
      return;
    }
    for (const at of seqs) {
      const r = this.read(session, at, need);
      if ('detail' in r) bad(r);
      else yield r;
    }
  }

  /**
   * One checkpoint (its parts, each checked; assembled on demand), or what is wrong with it. With `need`,
   * only the leading parts that hold the bytes it names.
   */
  read(session: number, seq: number, need?: CheckpointNeed): StoredCheckpoint | CheckpointProblem {
    try {
      return this.readChecked(session, seq, need);
    } catch (err) {
      return { session, seq, detail: `checkpoint file unreadable: ${(err as Error).message}` };
    }
  }

  private readChecked(session: number, seq: number, need?: CheckpointNeed): StoredCheckpoint | CheckpointProblem {
    const stmts = this.s;
    if (!stmts) return { session, seq, detail: 'no checkpoint file' };
    const meta = stmts.meta.all(session, seq) as PartMeta[];
    const parts = meta[0]?.parts ?? 0;
    if (meta.length === 0 || meta.length !== parts || meta.some((m, i) => m.part !== i || m.parts !== parts)) {
      return { session, seq, detail: `incomplete: ${meta.length} of ${parts} parts` };
    }
    if (!this.bound(session, seq)) return { session, seq, detail: `${NOT_OF_THIS_LOG}: the log does not hold the events it was taken from` };
    const bodies: Buffer[] = [];
    let wanted = Number.POSITIVE_INFINITY;
    let have = 0;
    for (const m of meta) {
      if (have >= wanted) break;
      const body = stmts.body.get(session, seq, m.part) as Buffer;
      if (body.length !== m.n || crc32(body) !== m.crc) return { session, seq, detail: `checksum mismatch in part ${m.part}` };
      bodies.push(body);
      have += body.length;
      if (m.part === 0 && need !== undefined) wanted = need(body) ?? wanted;
    }
    return new ReadCheckpoint(session, seq, meta[0]!.format, bodies, bodies.length === meta.length);
  }

  /**
   * One part of a checkpoint, checked against its checksum and bound to this log, or what is wrong with it:
   * the replay service hands a joining component a checkpoint a part per request (decision 140), so no
   * request reads more than one part.
   */
  readPart(session: number, seq: number, part: number): { parts: number; format: number; bytes: Buffer } | CheckpointProblem {
    try {
      return this.readPartChecked(session, seq, part);
    } catch (err) {
      return { session, seq, detail: `checkpoint file unreadable: ${(err as Error).message}` };
    }
  }

  private readPartChecked(session: number, seq: number, part: number): { parts: number; format: number; bytes: Buffer } | CheckpointProblem {
    // Parts as a reader sees them group the stored rows up to CHECKPOINT_PART_BYTES (decision 239: rows are
    // small so that each write is short; a joining component still fetches a few large parts, as before).
    // Rows of 4 MiB (written before) are a part each.
    const stmts = this.s;
    const first = stmts?.rowLength.get(session, seq) as { n: number; parts: number } | undefined;
    if (stmts === undefined || first === undefined) return { session, seq, detail: `part ${part} is not there` };
    // Asked part by part: a joining component must never be handed another log's state, whichever part it asks.
    if (!this.bound(session, seq)) return { session, seq, detail: `${NOT_OF_THIS_LOG}: the log does not hold the events it was taken from` };
    const group = Math.max(1, Math.floor(CHECKPOINT_PART_BYTES / Math.max(1, first.n)));
    const parts = Math.ceil(first.parts / group);
    const from = part * group;
    const to = Math.min(first.parts, from + group);
    if (from >= to) return { session, seq, detail: `part ${part} is not there` };
    const bodies: Buffer[] = [];
    let format = 0;
    for (let row = from; row < to; row++) {
      const got = stmts.part.get(session, seq, row) as { parts: number; format: number; crc: number; body: Buffer } | undefined;
      if (got === undefined) return { session, seq, detail: `part ${row} is not there` };
      if (crc32(got.body) !== got.crc) return { session, seq, detail: `checksum mismatch in part ${row}` };
      format = got.format;
      bodies.push(got.body);
    }
    return { parts, format, bytes: bodies.length === 1 ? bodies[0]! : Buffer.concat(bodies) };
  }

  /**
   * Seq of the newest complete checkpoint of `session` bound to this log (0: none); with `format`, only of
   * that format; with `below`, only before that seq (exclusive).
   */
  latestSeq(session: number, format?: number, below = Number.MAX_SAFE_INTEGER): number {
    const f = format ?? null;
    try {
      const stmts = this.s;
      if (!stmts) return 0;
      for (const seq of stmts.completeBelow.iterate(session, f, f, below) as Iterable<number>) if (this.bound(session, seq)) return seq;
    } catch {
      // A checkpoint file that cannot be read is none (checkpointFileOf logged it once).
    }
    return 0;
  }

  /** Seqs of `session`'s stored checkpoints, ascending (complete or not, bound to this log or not). */
  seqs(session: number): number[] {
    try {
      return (this.s?.seqs.all(session) as number[] | undefined) ?? [];
    } catch {
      return [];
    }
  }

  /** Every checkpoint in (session, seq) order, read back whole or with what is wrong, for `verify` (which also decodes them). */
  *all(): Generator<StoredCheckpoint | CheckpointProblem> {
    const stmts = this.s;
    if (!stmts) return;
    for (const { session, seq } of stmts.all.all() as { session: number; seq: number }[]) yield this.read(session, seq);
  }
}

/**
 * Write side: the checkpoint file of the log connection `logDb` (created if missing, decision 252), on a
 * connection of its own: never the log's, so the sequencer's commits never wait for it. A checkpoint is
 * stored in rows of CHECKPOINT_ROW_BYTES, each its own short transaction, after its anchor (what binds it
 * to the log: the session's open and the event at its seq, read from `logDb`; decision 289); one cut short (a crash)
 * is incomplete, skipped on read and written again by the next round.
 */
export class CheckpointWriter {
  private readonly db: Database.Database;
  private readonly put: Database.Statement;
  private readonly del: Database.Statement;
  private readonly delAnchor: Database.Statement;
  private readonly putAnchor: Database.Statement;
  readonly reader: CheckpointReader;

  constructor(private readonly logDb: Database.Database) {
    const db = checkpointFileOf(logDb, true);
    if (!db) throw new Error(`no checkpoint file for ${logDb.name}`);
    this.db = db;
    this.put = db.prepare(`INSERT INTO checkpoints (session, seq, part, parts, taken_ts, format, crc, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.del = db.prepare(`DELETE FROM checkpoints WHERE session = ? AND seq = ?`);
    this.delAnchor = db.prepare(`DELETE FROM anchors WHERE session = ? AND seq = ?`);
    this.putAnchor = db.prepare(`INSERT INTO anchors (session, seq, opened_ts, frame_first, frame_crc) VALUES (?, ?, ?, ?, ?)`);
    this.reader = new CheckpointReader(logDb);
  }

  /**
   * Stores the checkpoint of `session` at `seq` (replacing one there). `takenTs` is for the operator only.
   * `stopped` is asked between parts: true leaves it incomplete (skipped on read, rewritten by the next
   * round) and returns false. Parts are rows of CHECKPOINT_ROW_BYTES, each its own transaction; with the
   * checkpoints in a file of their own (decision 252) nothing else writes there, so nothing waits between them.
   * Throws when the log holds no frame with `seq` of `session` (nothing to bind the checkpoint to).
   */
  write(session: number, seq: number, format: number, bytes: Uint8Array, takenTs = Date.now() * 1000, stopped?: () => boolean): boolean {
    const anchor = logAnchor(this.logDb, session, seq);
    if (!anchor) throw new Error(`checkpoint at session ${session} seq ${seq}: the log holds no such event`);
    const parts = Math.max(1, Math.ceil(bytes.length / CHECKPOINT_ROW_BYTES));
    this.db
      .transaction(() => {
        this.del.run(session, seq);
        this.delAnchor.run(session, seq);
        this.putAnchor.run(session, seq, anchor.openedTs, anchor.frameFirst, anchor.frameCrc);
      })
      .immediate();
    for (let i = 0; i < parts; i++) {
      if (i > 0 && stopped?.()) return false;
      const part = bytes.subarray(i * CHECKPOINT_ROW_BYTES, Math.min(bytes.length, (i + 1) * CHECKPOINT_ROW_BYTES));
      const crc = crc32(part);
      this.db.transaction(() => this.put.run(session, seq, i, parts, takenTs, format, crc, part)).immediate();
    }
    return true;
  }

  /** Removes the checkpoints `retention` does not keep, each in a transaction of its own; returns how many. */
  prune(session: number, retention: CheckpointRetention = DEFAULT_RETENTION): number {
    const seqs = this.reader.seqs(session);
    const drop = seqs.slice(0, Math.max(0, seqs.length - retention.recent)).filter((s) => s % retention.sparse !== 0);
    for (const s of drop) this.drop(session, s);
    return drop.length;
  }

  /**
   * Removes every stored checkpoint that is not bound to this log (another log's, or past where this one now
   * ends: a restored backup, a repair's cut); returns how many. A round runs it first, so such a file heals.
   */
  dropUnbound(): number {
    const stored = this.db.prepare(`SELECT DISTINCT session, seq FROM checkpoints UNION SELECT session, seq FROM anchors`).all() as { session: number; seq: number }[];
    let n = 0;
    for (const { session, seq } of stored) {
      if (this.reader.bound(session, seq)) continue;
      this.drop(session, seq);
      n++;
    }
    return n;
  }

  /** Removes the checkpoints past (session, seq) (exclusive): a repair's cut. */
  dropPast(session: number, seq: number): void {
    this.db
      .transaction(() => {
        this.db.prepare(`DELETE FROM checkpoints WHERE session > ? OR (session = ? AND seq > ?)`).run(session, session, seq);
        this.db.prepare(`DELETE FROM anchors WHERE session > ? OR (session = ? AND seq > ?)`).run(session, session, seq);
      })
      .immediate();
  }

  /** Removes every checkpoint (they are rebuilt from the log); returns how many. */
  clear(): number {
    const n = (this.db.prepare(`SELECT COUNT(*) FROM (SELECT session, seq FROM checkpoints UNION SELECT session, seq FROM anchors)`).pluck().get() as number) ?? 0;
    this.db
      .transaction(() => {
        this.db.exec(`DELETE FROM checkpoints; DELETE FROM anchors;`);
      })
      .immediate();
    return n;
  }

  private drop(session: number, seq: number): void {
    this.db
      .transaction(() => {
        this.del.run(session, seq);
        this.delAnchor.run(session, seq);
      })
      .immediate();
  }
}
