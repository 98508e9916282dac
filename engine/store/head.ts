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
    if (this.fd === undefined) return;
    this.buf.writeBigUInt64LE(BigInt(head.session), 8);
    this.buf.writeBigUInt64LE(BigInt(head.seq), 16);
    this.buf.writeUInt32LE(mix(head.session, head.seq), 24);
    writeSync(this.fd, this.buf, 0, SIZE, 0);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
