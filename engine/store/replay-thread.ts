import type { MessagePort } from 'node:worker_threads';

/**
 * The read side of a replay on a thread of its own (decision 218): the thread
 * reads a session's frames from SQLite, checks each frame's CRC-32 and copies
 * the checked frames into a ring in shared memory; the replaying thread decodes
 * and applies them. Reading (SQLite stepping, the row's Buffer, the checksum)
 * then runs on the second core while the first decodes and folds.
 */
export interface ReplayThreadData {
  /** better-sqlite3's resolved path (the thread loads it with require). */
  readonly driver: string;
  readonly path: string;
  readonly session: number;
  /** Last seq wanted (inclusive). */
  readonly to: number;
  /** Int32 control slots, see RING_* below. */
  readonly ctrl: SharedArrayBuffer;
  /** The ring's bytes; its length is a multiple of 4. */
  readonly ring: SharedArrayBuffer;
}

/** Control slots (Int32). Positions are byte offsets into the ring, always multiples of 4. */
/** Where the reader writes its next record (published after the record's bytes). */
export const RING_WRITE = 0;
/** Where the replaying thread reads next (published after it is done with the bytes before). */
export const RING_READ = 1;
/** 1 once the reader's connection and statements are ready. */
export const RING_READY = 2;
/** The seq the reader starts from (0 until the replaying thread sets it; -1: do not start, close). */
export const RING_START = 3;
/** The reader thread's own CPU time in clock ticks (user + system, from /proc), written as it ends; -1 where unknown. */
export const RING_CPU_TICKS = 4;
export const RING_SLOTS = 5;

/** Record kinds in a record's first Int32 (otherwise it is the record's frame count, >= 1). */
/** The rest of the ring (from here to its end) is unused: go on at 0. */
export const REC_WRAP = -1;
/** The session's frames up to `to` are all in the ring. */
export const REC_END = -2;
/**
 * The reader stopped before the end (a checksum that did not match, a frame too big for the ring, an error
 * of its own): the replaying thread goes on without it, through the one-thread path, from the next seq it
 * expects; that path finds (and reports) the same fault with its location.
 */
export const REC_STOP = -3;

interface Stmt {
  raw(on: boolean): Stmt;
  pluck(on?: boolean): Stmt;
  get(...args: unknown[]): unknown;
  iterate(...args: unknown[]): IterableIterator<unknown>;
}
interface Db {
  prepare(sql: string): Stmt;
  pragma(sql: string, options?: { simple: boolean }): unknown;
  close(): void;
}

/**
 * The reader thread's body. Started by `new Worker(source, { eval: true })`
 * with this function's compiled text (replayThreadSource), so it is
 * self-contained: all it uses at run time comes through `load`. It reads the
 * way FramePages does (a page of small frames as one concatenated blob, big
 * frames row by row; the page size adapted to about 1 MiB), but it only
 * checks and copies: decoding stays with the replaying thread, which owns the
 * projection.
 *
 * A record in the ring: Int32 frame count n, then n Int32 frame lengths, then
 * the frames' bytes back to back, padded to 4. The reader waits (Atomics.wait
 * on RING_READ) while the ring is full; it publishes RING_WRITE after each
 * record.
 */
export function replayThread(load: (id: string) => unknown): void {
  const threads = load('node:worker_threads') as { parentPort: MessagePort; workerData: ReplayThreadData };
  const zlib = load('node:zlib') as { crc32(data: Uint8Array): number };
  const { workerData } = threads;
  const ctrl = new Int32Array(workerData.ctrl);
  const ring = new Uint8Array(workerData.ring);
  const words = new Int32Array(workerData.ring);
  const cap = ring.length;
  // A record bigger than this stops the reader (the one-thread path takes over): a frame of a quarter of the ring.
  const maxRecord = cap >> 2;
  const PAGE_BYTES = 1 << 20;
  const MAX_FRAMES = 4096;
  const ROW_FROM_BYTES = 16 * 1024;
  const NATIVE_CRC_FROM = 112;
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  const crc32 = (b: Uint8Array, start: number, end: number): number => {
    if (end - start >= NATIVE_CRC_FROM) return zlib.crc32(b.subarray(start, end));
    let c = -1;
    for (let i = start; i < end; i++) c = table[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
    return (c ^ -1) >>> 0;
  };

  let w = 0;
  const publish = (): void => {
    Atomics.store(ctrl, 0, w);
    Atomics.notify(ctrl, 0);
  };
  /**
   * Waits until `bytes` are free and contiguous from w. One word always stays free, so a full ring and an
   * empty one differ (w === r is empty). A record that does not fit before the ring's end leaves a wrap mark
   * there and goes at 0, once the replaying thread has left 0.
   */
  const waitFor = (bytes: number): void => {
    for (;;) {
      const r = Atomics.load(ctrl, 1);
      if (r <= w) {
        if (bytes < cap - w || (bytes === cap - w && r > 0)) return;
        if (r > 0) {
          words[w >> 2] = -1;
          w = 0;
          publish();
          continue;
        }
      } else if (w + bytes < r) return;
      Atomics.wait(ctrl, 1, r, 1000);
    }
  };
  const fs = load('node:fs') as { readFileSync(path: string, encoding: 'utf8'): string };
  const marker = (kind: number): void => {
    // Its own CPU time first (the replaying thread reads it after the last record): how the work splits.
    let ticks = -1;
    try {
      const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks = Number(f[11]) + Number(f[12]);
    } catch {
      // not Linux
    }
    Atomics.store(ctrl, 4, ticks);
    waitFor(4);
    words[w >> 2] = kind;
    w += 4;
    if (w === cap) w = 0;
    publish();
  };
  /** One record of frames: bodies[i] is src.subarray(offs[i], offs[i] + lens[i]). */
  const put = (n: number, srcs: Uint8Array[], offs: number[], lens: number[]): boolean => {
    let total = 0;
    for (let i = 0; i < n; i++) total += lens[i]!;
    const size = 4 + 4 * n + ((total + 3) & ~3);
    if (size > maxRecord) return false;
    waitFor(size);
    let at = w >> 2;
    words[at++] = n;
    for (let i = 0; i < n; i++) words[at++] = lens[i]!;
    let p = at << 2;
    for (let i = 0; i < n; i++) {
      const o = offs[i]!;
      ring.set(srcs[i]!.subarray(o, o + lens[i]!), p);
      p += lens[i]!;
    }
    w += size;
    if (w === cap) w = 0;
    publish();
    return true;
  };

  let db: Db | undefined;
  try {
    const Database = load(workerData.driver) as new (path: string, options: object) => Db;
    db = new Database(workerData.path, { readonly: true, fileMustExist: true });
    const session = workerData.session;
    const to = workerData.to;
    const frameStart = db.prepare(`SELECT first_seq FROM frames WHERE session = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1`).pluck();
    const pageStmt = db
      .prepare(
        `SELECT count(*), CAST(group_concat(body, '') AS BLOB), group_concat(crc || ',' || length(body) || ',', ''), max(first_seq)
         FROM (SELECT first_seq, crc, body FROM frames WHERE session = ? AND first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?)`,
      )
      .raw(true);
    const rowStmt = db.prepare(`SELECT first_seq, crc, body FROM frames WHERE session = ? AND first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?`).raw(true);
    // The concatenated page reads blobs as text: only for a UTF-8 database (as FramePages.open).
    const utf8 = db.pragma('encoding', { simple: true }) === 'UTF-8';
    Atomics.store(ctrl, 2, 1);
    Atomics.notify(ctrl, 2);
    let start = Atomics.load(ctrl, 3);
    while (start === 0) {
      Atomics.wait(ctrl, 3, 0, 1000);
      start = Atomics.load(ctrl, 3);
    }
    if (start < 0) return;
    let next = (frameStart.get(session, start) as number | undefined) ?? start;
    let limit = 8;
    let byRow = !utf8;
    const srcs: Uint8Array[] = [];
    const offs: number[] = [];
    const lens: number[] = [];
    for (;;) {
      let count = 0;
      let bytes = 0;
      let last = next;
      let ok = true;
      if (byRow) {
        for (const row of rowStmt.iterate(session, next, to, limit) as IterableIterator<[number, number, Uint8Array]>) {
          const body = row[2];
          if (crc32(body, 0, body.length) !== row[1]) {
            ok = false;
            break;
          }
          srcs[count] = body;
          offs[count] = 0;
          lens[count] = body.length;
          count++;
          bytes += body.length;
          last = row[0];
        }
      } else {
        const row = pageStmt.get(session, next, to, limit) as [number, Uint8Array | null, string | null, number | null];
        count = row[0];
        if (count > 0) {
          const page = row[1]!;
          const meta = row[2]!;
          let at = 0;
          let m = 0;
          for (let i = 0; i < count; i++) {
            let crc = 0;
            let c: number;
            while ((c = meta.charCodeAt(m++)) !== 44) crc = crc * 10 + c - 48;
            let len = 0;
            while ((c = meta.charCodeAt(m++)) !== 44) len = len * 10 + c - 48;
            const end = at + len;
            if (end > page.length || crc32(page, at, end) !== crc) {
              // Frames before the bad one are good: hand them over, then stop.
              count = i;
              ok = false;
              break;
            }
            srcs[i] = page;
            offs[i] = at;
            lens[i] = len;
            at = end;
          }
          bytes = at;
          last = row[3]!;
        }
      }
      // Records of at most a quarter of the ring: a page is split where it must be.
      let i = 0;
      while (i < count) {
        let j = i;
        let size = 4;
        while (j < count && size + 4 + lens[j]! + 3 <= maxRecord) size += 4 + lens[j++]!;
        if (j === i) {
          // One frame too big for the ring.
          marker(-3);
          return;
        }
        put(j - i, srcs.slice(i, j), offs.slice(i, j), lens.slice(i, j));
        i = j;
      }
      if (!ok) {
        marker(-3);
        return;
      }
      if (count < limit) break;
      next = last + 1;
      limit = Math.max(1, Math.min(MAX_FRAMES, Math.floor((PAGE_BYTES * count) / Math.max(1, bytes))));
      byRow = !utf8 || bytes >= ROW_FROM_BYTES * count;
    }
    marker(-2);
  } catch {
    // Whatever went wrong here, the one-thread path takes over from where the replay got to.
    try {
      marker(-3);
    } catch {
      // nothing more to tell
    }
  } finally {
    if (db) db.close();
  }
}

/** The source a Worker evaluates: replayThread's compiled text, called with require. */
export function replayThreadSource(): string {
  return `(${replayThread.toString()})(require);`;
}
