import type Database from 'better-sqlite3';
import { crc32 } from 'node:zlib';

/**
 * In-session projection checkpoints in the log database (decision 085): the
 * projection's bytes at (session, seq), so that restart and the time machine
 * replay only the events after it. Derivable data, never part of the log's
 * truth: a row that fails its checksum or does not decode is skipped (one
 * log line, the next older one is tried, then the session's start), `ordo
 * verify` reports it, `ordo repair --drop-checkpoints` removes them all, and
 * the next checkpoint round writes them again.
 *
 * The store keeps bytes and does not know what is in them (the OMS encodes
 * and decodes; engine/oms/checkpoint-codec.ts).
 */

export interface StoredCheckpoint {
  readonly session: number;
  readonly seq: number;
  readonly format: number;
  readonly bytes: Buffer;
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

export const DEFAULT_RETENTION: CheckpointRetention = { recent: 4, sparse: 1_000_000 };

/** Read side: works on a log written before checkpoints existed (schema 1: there are none). */
export class CheckpointReader {
  private readonly stmts:
    | {
        atOrBefore: Database.Statement;
        latest: Database.Statement;
        all: Database.Statement;
        seqs: Database.Statement;
      }
    | undefined;

  constructor(db: Database.Database) {
    const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'`).get() !== undefined;
    this.stmts = has
      ? {
          atOrBefore: db.prepare(`SELECT session, seq, format, crc, body FROM checkpoints WHERE session = ? AND seq <= ? ORDER BY seq DESC`),
          latest: db.prepare(`SELECT seq FROM checkpoints WHERE session = ? ORDER BY seq DESC LIMIT 1`).pluck(),
          all: db.prepare(`SELECT session, seq, crc, body FROM checkpoints ORDER BY session, seq`),
          seqs: db.prepare(`SELECT seq FROM checkpoints WHERE session = ? ORDER BY seq`).pluck(),
        }
      : undefined;
  }

  /**
   * Checkpoints of `session` at or before `seq`, newest first, each checked
   * against its checksum; a bad one is reported through `bad` and skipped.
   * Rows are read one at a time: the caller stops at the first it can use.
   */
  *atOrBefore(session: number, seq: number, bad: (p: CheckpointProblem) => void): Generator<StoredCheckpoint> {
    if (!this.stmts) return;
    for (const row of this.stmts.atOrBefore.iterate(session, seq) as IterableIterator<{ session: number; seq: number; format: number; crc: number; body: Buffer }>) {
      if (crc32(row.body) !== row.crc) {
        bad({ session: row.session, seq: row.seq, detail: 'checkpoint checksum mismatch' });
        continue;
      }
      yield { session: row.session, seq: row.seq, format: row.format, bytes: row.body };
    }
  }

  /** Seq of the newest checkpoint of `session` (0: none). */
  latestSeq(session: number): number {
    return (this.stmts?.latest.get(session) as number | undefined) ?? 0;
  }

  /** Seqs of `session`'s checkpoints, ascending. */
  seqs(session: number): number[] {
    return (this.stmts?.seqs.all(session) as number[] | undefined) ?? [];
  }

  /** Every checkpoint's bytes in (session, seq) order, for `verify` (which also decodes them). */
  *all(): Generator<StoredCheckpoint & { crcOk: boolean }> {
    if (!this.stmts) return;
    for (const row of this.stmts.all.iterate() as IterableIterator<{ session: number; seq: number; crc: number; body: Buffer }>) {
      yield { session: row.session, seq: row.seq, format: 0, bytes: row.body, crcOk: crc32(row.body) === row.crc };
    }
  }
}

/**
 * Write side: its own connection to the log database (the checkpoint
 * thread's, or the CLI's), never the sequencer's. Each checkpoint is one
 * short transaction of its own, so the sequencer's commits wait at most for
 * one row.
 */
export class CheckpointWriter {
  private readonly put: Database.Statement;
  private readonly del: Database.Statement;
  private readonly dropAll: Database.Statement;
  private readonly dropAfter: Database.Statement;
  readonly reader: CheckpointReader;

  constructor(private readonly db: Database.Database) {
    this.put = db.prepare(`INSERT OR REPLACE INTO checkpoints (session, seq, taken_ts, format, crc, body) VALUES (?, ?, ?, ?, ?, ?)`);
    this.del = db.prepare(`DELETE FROM checkpoints WHERE session = ? AND seq = ?`);
    this.dropAll = db.prepare(`DELETE FROM checkpoints`);
    this.dropAfter = db.prepare(`DELETE FROM checkpoints WHERE session > ? OR (session = ? AND seq > ?)`);
    this.reader = new CheckpointReader(db);
  }

  /** Stores the checkpoint of `session` at `seq` (replacing one there). `takenTs` is for the operator only. */
  write(session: number, seq: number, format: number, bytes: Uint8Array, takenTs = Date.now() * 1000): void {
    this.db.transaction(() => this.put.run(session, seq, takenTs, format, crc32(bytes), bytes)).immediate();
  }

  /** Removes the checkpoints `retention` does not keep; returns how many. */
  prune(session: number, retention: CheckpointRetention = DEFAULT_RETENTION): number {
    const seqs = this.reader.seqs(session);
    const drop = seqs.slice(0, Math.max(0, seqs.length - retention.recent)).filter((s) => s % retention.sparse !== 0);
    if (drop.length === 0) return 0;
    this.db.transaction(() => {
      for (const s of drop) this.del.run(session, s);
    }).immediate();
    return drop.length;
  }

  /** Removes every checkpoint (they are rebuilt from the log). */
  clear(): number {
    return this.dropAll.run().changes;
  }

  /** Removes the checkpoints past (session, seq): the log was cut back there. */
  dropPast(session: number, seq: number): number {
    return this.dropAfter.run(session, session, seq).changes;
  }
}
