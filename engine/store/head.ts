import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * The log's high-water mark, kept beside the database as `<db>.head`: the
 * session and seq of the last commit the writer made (and so the last one
 * that may have been acknowledged). SQLite checks its own WAL frames with a
 * running checksum and, finding a bad one, silently treats the WAL as ending
 * there; a deleted WAL or database loses commits just as quietly. Frame
 * checksums cannot see rows that are not there, so the writer records how
 * far the log reached in a file SQLite does not manage, after every commit
 * (one 32-byte pwrite, no fsync: it must survive a process crash, like the
 * log at synchronous=NORMAL). A log that ends before its head has lost
 * acknowledged events; start-up and `ordo verify` say so (decision 081).
 */
export interface LogHead {
  readonly session: number;
  readonly seq: number;
}

const MAGIC = 'ORDOHEAD';
const SIZE = 32;

/** The head file of the log at `dbPath`. */
export function headPath(dbPath: string): string {
  return dbPath + '.head';
}

/** Reads a head file; undefined when there is none or it is not one (a torn first write). */
export function readHead(dbPath: string): LogHead | undefined {
  const file = headPath(dbPath);
  if (!existsSync(file)) return undefined;
  const b = readFileSync(file);
  if (b.length < SIZE || b.toString('latin1', 0, 8) !== MAGIC) return undefined;
  const session = Number(b.readBigUInt64LE(8));
  const seq = Number(b.readBigUInt64LE(16));
  // A checksum of the two, so a torn or damaged head is not taken for a real one.
  if (b.readUInt32LE(24) !== mix(session, seq)) return undefined;
  return { session, seq };
}

/** True when the log's end (session, seq) is before `head`. */
export function isBehind(end: LogHead, head: LogHead): boolean {
  return end.session < head.session || (end.session === head.session && end.seq < head.seq);
}

/** Writes a non-negative integer below 2^53 as a little-endian u64 at `at`. */
function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32LE(value % 0x1_0000_0000, at);
  buf.writeUInt32LE(Math.floor(value / 0x1_0000_0000), at + 4);
}

function mix(session: number, seq: number): number {
  return (Math.imul(session ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((seq % 0x1_0000_0000) ^ Math.floor(seq / 0x1_0000_0000), 0xc2b2ae35)) >>> 0;
}

/** Writes the head in place after each commit (the writer holds it open). */
export class HeadWriter {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(SIZE);

  constructor(dbPath: string) {
    this.fd = openSync(headPath(dbPath), 'a+', 0o600);
    closeSync(this.fd);
    this.fd = openSync(headPath(dbPath), 'r+');
    this.buf.write(MAGIC, 0, 'latin1');
  }

  write(head: LogHead): void {
    this.writeAt(head.session, head.seq);
  }

  /**
   * As write, from two numbers: the writer calls this after every commit, so it makes no object and no BigInt
   * (the same bytes: each u64 as two u32 halves, little-endian; session and seq stay below 2^53).
   */
  writeAt(session: number, seq: number): void {
    if (this.fd === undefined) return;
    writeU64(this.buf, session, 8);
    writeU64(this.buf, seq, 16);
    this.buf.writeUInt32LE(mix(session, seq), 24);
    writeSync(this.fd, this.buf, 0, SIZE, 0);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
