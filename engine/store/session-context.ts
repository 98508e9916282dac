import type Database from 'better-sqlite3';
import { crc32 } from 'node:zlib';
import type { FrameContext } from '../protocol/frame-context.ts';
import { keyMix } from './frame-key.ts';

/**
 * The per-session values the stored form of small frames refers to (decision 278), as the log keeps them:
 * `session_strings` (schema 7), a row per value, `idx` 0 the session's base time (its decimal digits) and from 1
 * the session's repeated strings (UTF-8), each with its CRC-32 mixed with its session and index. Rows are only
 * added, in the transaction of the frame that first refers to them.
 */

/** The crc a session_strings row stores for `value`. */
export function contextRowCrc(session: number, idx: number, value: Uint8Array): number {
  return (crc32(value) ^ keyMix(session, idx)) | 0;
}

/** A string's key in a writer's index: a hash of its UTF-8 bytes (what the wire form holds); equal bytes are checked apart. */
export function bytesHash(b: Uint8Array, start: number, end: number): number {
  let h = (end - start) | 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 0x01000193) ^ b[i]!) | 0;
  // A small integer (31 bits): a Map keyed by numbers beyond it boxes each key.
  return h & 0x3fffffff;
}

function sameBytes(u: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (u.length !== end - start) return false;
  for (let i = 0; i < u.length; i++) if (u[i] !== b[start + i]) return false;
  return true;
}

class SessionContext implements FrameContext {
  base = -1;
  readonly strings: (string | undefined)[] = [];
  readonly utf8: (Uint8Array | undefined)[] = [];
  /** The next index not read yet. */
  next = 0;
  private readonly bads = new Map<number, string>();

  constructor(
    readonly session: number,
    private readonly rows: Database.Statement | undefined,
  ) {}

  more(): void {
    if (this.rows === undefined) return;
    for (const [idx, value, crc] of this.rows.iterate(this.session, this.next) as IterableIterator<[number, Buffer, number]>) {
      this.next = idx + 1;
      if (contextRowCrc(this.session, idx, value) !== (crc | 0)) {
        this.bads.set(idx, `row ${idx} of session ${this.session}'s string table fails its checksum`);
        continue;
      }
      const text = value.toString('utf8');
      if (idx === 0) {
        const base = Number(text);
        if (Number.isSafeInteger(base) && base >= 0) this.base = base;
        else this.bads.set(0, `session ${this.session}'s base time row holds ${JSON.stringify(text.slice(0, 24))}`);
      } else {
        this.strings[idx] = text;
        this.utf8[idx] = new Uint8Array(value);
        this.added(text, idx, value);
      }
    }
  }

  bad(idx: number): string | undefined {
    return this.bads.get(idx);
  }

  /** What a string read means to a subclass (the writer's index). */
  protected added(_text: string, _idx: number, _value: Uint8Array): void {}

  /** Rows that failed their checksum, for verify. */
  problems(): string[] {
    return [...this.bads.values()];
  }
}

/** Strings a writer has seen this often in a session's small frames go into its table (a client order id, once or twice, does not). */
const PROMOTE_AT = 3;
/** The writer forgets the counts of strings not in the table past this many (bounded memory). */
const SEEN_LIMIT = 16_384;
/** At most this many strings a session's table: past it, strings are spelled out in their frames. */
const TABLE_LIMIT = 8_192;

/** A writer's context of one session: also the index from a string's bytes to its number, and the rows it adds. */
export class WriterContext extends SessionContext {
  /** By bytesHash: the string's index (a second string of the same hash is spelled out in its frames). */
  private readonly ids = new Map<number, number>();
  /** By bytesHash: how often a string not in the table was seen (strings of one hash count together: harmless). */
  private readonly seen = new Map<number, number>();

  constructor(
    session: number,
    rows: Database.Statement | undefined,
    private readonly insert: Database.Statement,
  ) {
    super(session, rows);
    this.more();
  }

  protected override added(_text: string, idx: number, value: Uint8Array): void {
    const h = bytesHash(value, 0, value.length);
    if (!this.ids.has(h)) this.ids.set(h, idx);
  }

  /** Sets the session's base time (the first small frame's), storing its row. */
  setBase(ts: number): void {
    const value = Buffer.from(String(ts), 'utf8');
    this.insert.run(this.session, 0, value, contextRowCrc(this.session, 0, value));
    this.base = ts;
    this.next = Math.max(this.next, 1);
  }

  /** The table index of the string in b[start, end), or 0 to spell it out; adds it (and its row) on its PROMOTE_AT-th sight. */
  idOf(b: Uint8Array, start: number, end: number): number {
    const key = bytesHash(b, start, end);
    const id = this.ids.get(key);
    if (id !== undefined) return sameBytes(this.utf8[id]!, b, start, end) ? id : 0;
    const n = (this.seen.get(key) ?? 0) + 1;
    if (n < PROMOTE_AT || this.strings.length > TABLE_LIMIT) {
      if (this.seen.size >= SEEN_LIMIT) this.seen.clear();
      this.seen.set(key, n);
      return 0;
    }
    this.seen.delete(key);
    const idx = Math.max(this.next, this.strings.length, 1);
    const value = Buffer.from(b.subarray(start, end));
    this.insert.run(this.session, idx, value, contextRowCrc(this.session, idx, value));
    this.next = idx + 1;
    this.strings[idx] = value.toString('utf8');
    this.utf8[idx] = new Uint8Array(value);
    this.ids.set(key, idx);
    return idx;
  }
}

/** The contexts of one connection's sessions, read as needed and kept. */
export class SessionContexts {
  private readonly bySession = new Map<number, SessionContext>();
  private readonly writers = new Map<number, WriterContext>();
  private readonly rows: Database.Statement | undefined;
  private insert: Database.Statement | undefined;

  constructor(private readonly db: Database.Database) {
    // A log from before schema 7 (a read-only reader does not migrate it) has no table and no frame that needs one.
    this.rows = hasTable(db) ? db.prepare('SELECT idx, value, crc FROM session_strings WHERE session = ? AND idx >= ? ORDER BY idx').raw(true) : undefined;
  }

  of(session: number): SessionContext {
    let c = this.writers.get(session) ?? this.bySession.get(session);
    if (c === undefined) {
      c = new SessionContext(session, this.rows);
      c.more();
      this.bySession.set(session, c);
    }
    return c;
  }

  /** The writer's context of `session`. */
  writer(session: number): WriterContext {
    let c = this.writers.get(session);
    if (c === undefined) {
      this.insert ??= this.db.prepare('INSERT INTO session_strings (session, idx, value, crc) VALUES (?, ?, ?, ?)');
      c = new WriterContext(session, this.rows, this.insert);
      this.writers.set(session, c);
      this.bySession.delete(session);
    }
    return c;
  }

  /** Drops what was read (a rolled-back transaction may have added rows that are not there). */
  forget(): void {
    this.bySession.clear();
    this.writers.clear();
  }
}

function hasTable(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_strings'`).get() !== undefined;
}

const byDb = new WeakMap<Database.Database, SessionContexts>();

/** The session contexts of connection `db`. */
export function contextsOf(db: Database.Database): SessionContexts {
  let c = byDb.get(db);
  if (c === undefined) {
    c = new SessionContexts(db);
    byDb.set(db, c);
  }
  return c;
}
