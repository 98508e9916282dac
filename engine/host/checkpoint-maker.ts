import Database from 'better-sqlite3';
import { CHECKPOINT_FORMAT, encodeCheckpoint } from '../oms/checkpoint-codec.ts';
import { CheckpointFold } from '../oms/checkpoint-fold.ts';
import { startingState } from '../oms/projection-at.ts';
import { CheckpointReader, CheckpointWriter, DEFAULT_RETENTION, type CheckpointRetention } from '../store/checkpoints.ts';
import { closeCheckpointFile } from '../store/checkpoint-file.ts';
import { ReadableLog } from '../store/log.ts';

/** Events between two checkpoints of a session (decision 085). */
export const CHECKPOINT_EVERY = 250_000;

export interface CheckpointRound {
  readonly session: number;
  /** Seqs written in this round, ascending. */
  readonly written: number[];
  readonly pruned: number;
}

export interface CheckpointOptions {
  readonly every?: number;
  readonly retention?: CheckpointRetention;
  /** Asked between checkpoints and between the parts of one: true ends the round there (a stop). */
  readonly stopped?: () => boolean;
  /**
   * Where the checkpoints are written and pruned (default: a CheckpointWriter on `db`). The checkpoint
   * process gives its writing thread (checkpoint-store-thread.ts, decision 239): the fold at background
   * priority, the write lock held only at normal priority.
   */
  readonly store?: CheckpointStore;
}

/** The write side a round uses: CheckpointWriter's `write` and `prune`. */
export interface CheckpointStore {
  write(session: number, seq: number, format: number, bytes: Uint8Array, takenTs?: number, stopped?: () => boolean): boolean;
  prune(session: number, retention: CheckpointRetention): number;
  /** Removes checkpoints not bound to the log (decision 252); returns how many. */
  dropUnbound(): number;
}

/**
 * One round of in-session checkpoints for the newest session: from its
 * newest usable checkpoint (or its start), replays the log up to the last
 * multiple of `every` it holds, and stores the start state (projection,
 * risk state, awaiting set: CheckpointFold) at each multiple
 * on the way; then prunes by `retention`. Reads only the log (never a live
 * projection), so a checkpoint is exactly the fold of the events before it
 * and nothing on the event handlers' path waits for it. Uses its own
 * connection `db` (never the sequencer's); each checkpoint is its own short
 * transaction. Deterministic: the same log gives the same checkpoints.
 */
export function checkpointRound(db: Database.Database, opts: CheckpointOptions = {}): CheckpointRound | undefined {
  const every = opts.every ?? CHECKPOINT_EVERY;
  const log = new ReadableLog(db);
  const reader = new CheckpointReader(db);
  const writer = opts.store ?? new CheckpointWriter(db);
  const end = log.end();
  if (!end) return undefined;
  const session = end.session;
  const target = Math.floor(end.seq / every) * every;
  const written: number[] = [];
  const retention = opts.retention ?? DEFAULT_RETENTION;
  // A checkpoint file beside a restored backup or another log holds checkpoints this log never had: gone first.
  let pruned = writer.dropUnbound();
  // Only checkpoints of this build's format count: older ones (format 1, the projection alone) are rewritten.
  if (target > 0 && reader.latestSeq(session, CHECKPOINT_FORMAT) < target) {
    const start = startingState(log, session, target, true);
    const fold = CheckpointFold.from(start.state);
    let at = start.seq;
    while (at < target && !opts.stopped?.()) {
      const next = Math.min(target, (Math.floor(at / every) + 1) * every);
      log.replay(session, (e) => fold.apply(e), at + 1, next);
      at = next;
      if (!writer.write(session, at, CHECKPOINT_FORMAT, encodeCheckpoint(fold.state), undefined, opts.stopped)) break;
      written.push(at);
      // Pruned as it goes: a first round over a long session never holds every checkpoint at once.
      pruned += writer.prune(session, retention);
    }
  }
  pruned += writer.prune(session, retention);
  return { session, written, pruned };
}

/**
 * Opens the log database at `path` for a checkpoint round (a connection of the round's own, which only
 * reads the log); the checkpoints go to the log's checkpoint file (decision 252), opened on first use.
 */
export function openForCheckpoints(path: string): Database.Database {
  const db = new Database(path, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Closes what openForCheckpoints opened, the checkpoint file's connection first (its WAL is checkpointed then). */
export function closeForCheckpoints(db: Database.Database): void {
  closeCheckpointFile(db);
  db.close();
}
