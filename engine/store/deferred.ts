import type Database from 'better-sqlite3';
import type { CommandBody } from '../protocol/events.ts';

/** A command taken while no session was open, to be applied when the next one opens (decision 130). */
export interface DeferredCommand {
  /** The closed session it was taken after. */
  readonly session: number;
  /** What makes two requests the same one (e.g. `cancel:42`): a repeat is not stored twice. */
  readonly key: string;
  /** The component (or host) that sent it. */
  readonly src: string;
  /** Sequencer time (µs) it was taken. */
  readonly ts: number;
  readonly body: CommandBody;
}

/**
 * The `deferred_commands` table: the one durable place for a request that
 * arrives between sessions. Only the sequencer writes it (one INSERT, its own
 * transaction: durable when it returns); the sequencer reads it once, when it
 * opens the next session, and turns it into that session's opening events, so
 * the log alone explains the outcome (replay, the time machine and standbys
 * never read this table).
 */
export class DeferredCommands {
  private readonly insert;
  private readonly bySession;

  constructor(db: Database.Database) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO deferred_commands (session, key, src, taken_ts, body) VALUES (?, ?, ?, ?, ?)`);
    this.bySession = db.prepare(`SELECT session, key, src, taken_ts, body FROM deferred_commands WHERE session = ? ORDER BY rowid`);
  }

  /** Stores `cmd` unless the same key is already stored for `session`; true when it was new. */
  add(cmd: DeferredCommand): boolean {
    return this.insert.run(cmd.session, cmd.key, cmd.src, cmd.ts, JSON.stringify(cmd.body)).changes === 1;
  }

  /** The commands taken after `session` closed, in the order they were taken. */
  of(session: number): DeferredCommand[] {
    const rows = this.bySession.all(session) as { session: number; key: string; src: string; taken_ts: number; body: string }[];
    return rows.map((r) => ({ session: r.session, key: r.key, src: r.src, ts: r.taken_ts, body: JSON.parse(r.body) as CommandBody }));
  }
}
