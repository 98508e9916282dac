import type Database from 'better-sqlite3';

/**
 * Schema migrations, one per version, each run in its own transaction. The
 * version lives in `PRAGMA user_version`; a database written by a newer build
 * is refused (see openDatabase).
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sessions, event frames, snapshots',
    up(db) {
      db.exec(`
        CREATE TABLE sessions (
          id INTEGER PRIMARY KEY,
          opened_ts INTEGER NOT NULL,
          closed_ts INTEGER,
          state TEXT NOT NULL CHECK (state IN ('open', 'closed'))
        ) STRICT;
        CREATE TABLE frames (
          id INTEGER PRIMARY KEY,
          session INTEGER NOT NULL REFERENCES sessions(id),
          first_seq INTEGER NOT NULL,
          last_seq INTEGER NOT NULL,
          crc INTEGER NOT NULL,
          body BLOB NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX frames_by_seq ON frames (session, first_seq);
        CREATE TABLE snapshots (
          session INTEGER PRIMARY KEY REFERENCES sessions(id),
          seq INTEGER NOT NULL,
          taken_ts INTEGER NOT NULL,
          crc INTEGER NOT NULL,
          body TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    description: 'in-session projection checkpoints (derivable data, decision 085)',
    up(db) {
      db.exec(`
        CREATE TABLE checkpoints (
          session INTEGER NOT NULL REFERENCES sessions(id),
          seq INTEGER NOT NULL,
          part INTEGER NOT NULL,
          parts INTEGER NOT NULL,
          taken_ts INTEGER NOT NULL,
          format INTEGER NOT NULL,
          crc INTEGER NOT NULL,
          body BLOB NOT NULL,
          PRIMARY KEY (session, seq, part)
        ) STRICT;
      `);
    },
  },
  {
    version: 3,
    description: 'commands taken while no session is open, applied when the next one opens (decision 130)',
    up(db) {
      // One row per (closed session, key): a repeat of the same request is the same row. Read once, when the
      // session after `session` opens; kept afterwards as the record of what that open applied.
      db.exec(`
        CREATE TABLE deferred_commands (
          session INTEGER NOT NULL REFERENCES sessions(id),
          key TEXT NOT NULL,
          src TEXT NOT NULL,
          taken_ts INTEGER NOT NULL,
          body TEXT NOT NULL,
          PRIMARY KEY (session, key)
        ) STRICT;
      `);
    },
  },
  {
    version: 5,
    description: 'in-session checkpoints move to a file of their own (decision 252): the table is dropped',
    up(db) {
      // Their rows are derivable (decision 085) and are not moved: a migration is one transaction on the log,
      // which cannot ATTACH another file, and copying hundreds of MB there would hold the log's write lock
      // for as long. The first round after the upgrade (or `ordo checkpoint`) writes them again, from the log.
      db.exec(`DROP TABLE IF EXISTS checkpoints;`);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
