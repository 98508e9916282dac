import type Database from 'better-sqlite3';
import { MAX_SEQ, MAX_SESSION, SEQ_SPAN } from '../frame-key.ts';

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
    version: 4,
    description: 'frames keyed by one integer (session, first seq): no index, no derivable columns (decision 254)',
    up(db) {
      // Every frame's (session, seq range) must fit the key; a row that does not is refused, and the
      // transaction this runs in leaves the version-3 log as it was.
      const misfit = db
        .prepare(
          `SELECT session, first_seq, last_seq FROM frames
           WHERE session < 0 OR session > ${MAX_SESSION} OR first_seq < 0 OR last_seq < first_seq OR last_seq > ${MAX_SEQ} LIMIT 1`,
        )
        .get() as { session: number; first_seq: number; last_seq: number } | undefined;
      if (misfit) throw new Error(`frame session ${misfit.session}, seq ${misfit.first_seq}-${misfit.last_seq} does not fit the version-4 key`);
      // One b-tree: the rowid is the key, `n` the frame's event count (last seq = first seq + n - 1, the
      // value 1 stored in no bytes), the CRC-32 signed so it always takes 4 bytes (frame-key.ts).
      db.exec(`
        CREATE TABLE frames_v4 (
          key INTEGER PRIMARY KEY,
          n INTEGER NOT NULL,
          crc INTEGER NOT NULL,
          body BLOB NOT NULL
        ) STRICT;
        INSERT INTO frames_v4 (key, n, crc, body)
          SELECT session * ${SEQ_SPAN} + first_seq, last_seq - first_seq + 1,
                 CASE WHEN crc >= 2147483648 THEN crc - 4294967296 ELSE crc END, body
          FROM frames ORDER BY session, first_seq;
        DROP TABLE frames;
        ALTER TABLE frames_v4 RENAME TO frames;
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
  {
    version: 6,
    description: 'frames stored without the head fields their row holds (decision 269): rows written before stay as they are',
    up() {
      // Nothing is converted: a row whose body begins with 'O' is the wire form and reads as it always did
      // (engine/store/stored-frame.ts); new rows, and rows the compactor merges, take the stored form. The
      // version says that a log may hold stored-form bodies, so a build before it refuses the log as newer
      // instead of reading those bodies as damage.
    },
  },
  {
    version: 7,
    description: "session contexts (decision 278): a session's base time and repeated strings, which its small stored frames refer to",
    up(db) {
      // Only added to: a row goes in with the frame that first refers to it. idx 0 is the base time (decimal
      // digits), from 1 the strings (UTF-8); crc is the value's CRC-32 mixed with session and idx (session-context.ts).
      // Rows written before stay as they are: a frame that refers to no context reads as before.
      db.exec(`CREATE TABLE session_strings (session INTEGER NOT NULL, idx INTEGER NOT NULL, value BLOB NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY (session, idx)) WITHOUT ROWID;`);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
