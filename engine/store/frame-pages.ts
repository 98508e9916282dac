import type Database from 'better-sqlite3';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { MAX_SEQ, SEQ_SPAN, seqOfKey, type FramesLayout } from './frame-key.ts';
import { CorruptionError } from './errors.ts';
import { crcMatches, headOf } from './stored-frame.ts';

/**
 * Reading a session's frames a page at a time: one SQLite call returns up to
 * `limit` consecutive frames as ONE blob (their bodies back to back) and one
 * text of their rows' numbers (`crc,length,first_seq,last_seq,` per frame).
 *
 * Why: a live host commits 1–10 events per frame, and reading such a log row
 * by row spent most of its time per row, not per byte (profile of a 1 M-event
 * log of 1-event frames: 2.7 of 4.4 s in the row iterator, chiefly the
 * Buffer better-sqlite3 copies each blob into, plus ~0.25 µs per native
 * crc32 call). A page costs one Buffer and one string whatever its frame
 * count. Nothing on disk changes: the same rows, read another way. Rows are
 * found by their key (frame-key.ts): a session's frames from a seq on are a
 * rowid range.
 *
 * Each frame is still checked against its own row's CRC-32 before it is
 * decoded; bodies and numbers come from the same rows in the same order (one
 * sub-select feeds both aggregates), and the replay's seq-continuity check
 * catches any frame out of place.
 *
 * Big frames (a compacted log, or a burst at 100 k orders/s: thousands of
 * events each) come row by row instead, a page of rows per call: the row's
 * cost is nothing beside its bytes there, and the concatenation copies every
 * byte twice more (SQLite's group_concat, then the cast), which made a replay
 * of 4,096-event frames ~13 % dearer in CPU than reading rows (paired runs,
 * round 5). Each page's mean frame size picks the next page's way.
 */
/**
 * A frame handed out by FramePages: bytes[begin, end) of a page (the stored form, checksum checked), a DataView
 * over the page, and the frame's first seq and event count.
 */
export type FrameVisit = (bytes: Uint8Array, begin: number, end: number, view: DataView, firstSeq: number, count: number) => void;

export class FramePages {
  private readonly stmt: Database.Statement;
  private readonly rowAt: Database.Statement;
  private readonly rows: Database.Statement;
  /**
   * Frames per page: adapted so a page is about PAGE_BYTES. The first page is
   * a small probe: small frames grow the next one at once, big ones are not
   * concatenated by the megabyte before the way is known.
   */
  private limit = 8;
  /** Mean stored bytes a frame of the last whole page (0: none read yet). */
  private mean = 0;
  /** Whether the next page comes row by row (the last page's frames were big). */
  private byRow = false;
  /** The head of the frame in hand (headOf). */
  private readonly head = { first: 0, count: 0 };

  /** The page reader for `db`, or undefined when its text encoding is not UTF-8 (blob-as-text would be converted). */
  static open(db: Database.Database, layout: FramesLayout): FramePages | undefined {
    return db.pragma('encoding', { simple: true }) === 'UTF-8' ? new FramePages(db, layout) : undefined;
  }

  private constructor(
    db: Database.Database,
    private readonly layout: FramesLayout,
  ) {
    const L = layout;
    // group_concat reads a blob's bytes as they are (UTF-8 database: no conversion), and CAST back to
    // BLOB keeps them: the result is the bodies concatenated byte for byte. Only the checksum and the
    // length come per frame, and the page's first key: a stored-form frame (schema 6, stored-frame.ts) gets its
    // first seq from the frame before it (first seq + count), and a gap shows as its CRC failing, then told
    // apart by its row (failAt). One more number a row here cost ~60-75 ns a frame of SQLite's text building
    // (measured: decision 269). The CRC is stored signed (frame-key.ts): the text may carry a minus sign.
    this.stmt = db
      .prepare(
        `SELECT count(*), CAST(group_concat(body, '') AS BLOB), group_concat(crc || ',' || length(body) || ',', ''), max(key), min(key)
         FROM (SELECT ${L.key} AS key, f.crc AS crc, f.body AS body FROM frames f WHERE ${L.range} ORDER BY ${L.order} LIMIT ?)`,
      )
      .raw(true);
    this.rowAt = db.prepare(`SELECT ${L.key} % ${SEQ_SPAN}, ${L.key} % ${SEQ_SPAN} + ${L.n} - 1 FROM frames f WHERE ${L.range} ORDER BY ${L.order} LIMIT 1 OFFSET ?`).raw(true);
    this.rows = db.prepare(`SELECT ${L.key}, ${L.n}, f.crc, f.body FROM frames f WHERE ${L.range} ORDER BY ${L.order} LIMIT ?`).raw(true);
  }

  /**
   * Calls `frame` for every frame of `session` with first_seq in
   * [start, to] (both inclusive), in seq order, with the page's bytes, the
   * frame's range in them and a DataView over the page, once the frame's
   * checksum has matched. For the first frame whose checksum does not match
   * (`err` undefined), or whose `frame` call throws, calls `fail` (which must
   * throw) with its row's seq range and its bytes alone.
   */
  forEach(
    session: number,
    start: number,
    to: number,
    frame: FrameVisit,
    fail: (err: unknown, firstSeq: number, lastSeq: number, frame: Uint8Array) => never,
  ): void {
    let next: number | undefined = start;
    while (next !== undefined) next = this.page(session, next, to, frame, fail);
  }

  /**
   * One page: forEach's work for one SQLite call, over at most `most` frames (fewer when the adapted page size is
   * smaller) and, by the mean frame size of the pages before, about `mostBytes`. Returns the first seq to go on from, or undefined when this page reached `to` or the session's end.
   */
  page(
    session: number,
    next: number,
    to: number,
    frame: FrameVisit,
    fail: (err: unknown, firstSeq: number, lastSeq: number, frame: Uint8Array) => never,
    most = MAX_FRAMES,
    mostBytes = Number.POSITIVE_INFINITY,
  ): number | undefined {
    let limit = Math.min(this.limit, Math.max(1, most));
    // A caller taking about `mostBytes` gets about that many frames' worth, by the last page's mean frame size.
    if (this.mean > 0 && mostBytes < Number.POSITIVE_INFINITY) limit = Math.min(limit, Math.max(1, Math.ceil(mostBytes / this.mean)));
    if (this.byRow) return this.rowPage(session, next, to, limit, frame, fail);
    const row = this.stmt.get(...this.layout.bind(session, next, to), limit) as [number, Buffer | null, string | null, number | null, number | null];
    const count = row[0];
    if (count === 0) return undefined;
    const bytes = row[1]!;
    const meta = row[2]!;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    let m = 0;
    // As a small integer: a key's arithmetic gives a double (codec.ts frameHead).
    let first = seqOfKey(row[4]!);
    first = first < 0x40000000 ? first | 0 : first;
    const head = this.head;
    for (let i = 0; i < count; i++) {
      // Two decimals (the first may be negative), each ended by a comma.
      let crc = 0;
      let c: number;
      let sign = 1;
      if (meta.charCodeAt(m) === 45) {
        sign = -1;
        m++;
      }
      while ((c = meta.charCodeAt(m++)) !== 44) crc = crc * 10 + c - 48;
      crc *= sign;
      let len = 0;
      while ((c = meta.charCodeAt(m++)) !== 44) len = len * 10 + c - 48;
      const end = at + len;
      if (end > bytes.length) this.failAt(session, next, i, undefined, bytes.subarray(at, bytes.length), fail);
      // Bytes that are no frame head (damage, or a newer Ordo's frame): its row says where it is; its CRC or
      // its decoding names what is wrong.
      if (!headOf(bytes, at, end, first, head)) this.rowHead(session, next, i, head);
      if (!crcMatches(session, head.first, bytes, crc, at, end)) this.failAt(session, next, i, undefined, bytes.subarray(at, end), fail, first);
      try {
        frame(bytes, at, end, view, head.first, head.count);
      } catch (err) {
        this.failAt(session, next, i, err, bytes.subarray(at, end), fail);
      }
      at = end;
      first = head.first + head.count;
    }
    // A short page was the last one.
    if (count < limit) return undefined;
    // About PAGE_BYTES a page: small frames come many at a time, big (compacted) ones a few.
    this.adapt(count, bytes.length);
    return seqOfKey(row[3]!) + 1;
  }

  /**
   * One page of up to `limit` frames read row by row (each its own Buffer);
   * returns the first_seq to go on from, or undefined after the last page.
   */
  private rowPage(
    session: number,
    next: number,
    to: number,
    limit: number,
    frame: FrameVisit,
    fail: (err: unknown, firstSeq: number, lastSeq: number, frame: Uint8Array) => never,
  ): number | undefined {
    let total = 0;
    let count = 0;
    let last = next;
    for (const [key, n, crc, body] of this.rows.iterate(...this.layout.bind(session, next, to), limit) as IterableIterator<[number, number, number, Buffer]>) {
      const firstSeq = seqOfKey(key);
      const lastSeq = firstSeq + n - 1;
      count++;
      last = firstSeq;
      if (!crcMatches(session, firstSeq, body, crc)) fail(undefined, firstSeq, lastSeq, body);
      try {
        frame(body, 0, body.length, new DataView(body.buffer, body.byteOffset, body.byteLength), firstSeq, n);
      } catch (err) {
        fail(err, firstSeq, lastSeq, body);
      }
      total += body.length;
    }
    if (count < limit) return undefined;
    this.adapt(count, total);
    return last + 1;
  }

  /** The next page's size and way from this one's: about PAGE_BYTES, row by row when its frames were big. */
  private adapt(count: number, bytes: number): void {
    this.mean = bytes / Math.max(1, count);
    this.limit = Math.max(1, Math.min(MAX_FRAMES, Math.floor((PAGE_BYTES * count) / Math.max(1, bytes))));
    this.byRow = bytes >= ROW_FROM_BYTES * count;
  }

  /** The first seq and count of the `index`-th frame (from 0) of the page that started at `pageStart`, from its row. */
  private rowHead(session: number, pageStart: number, index: number, head: { first: number; count: number }): void {
    const row = this.rowAt.get(...this.layout.bind(session, pageStart, MAX_SEQ), index) as [number, number] | undefined;
    head.first = row?.[0] ?? pageStart;
    head.count = row ? row[1] - row[0] + 1 : 1;
  }

  /**
   * Calls `fail` with the seq range of the `index`-th frame (from 0) of the page that started at `pageStart`;
   * a frame that does not start at `expected` (the seq after the frame before it) is a seq gap, as the
   * replay's own check names one.
   */
  private failAt(
    session: number,
    pageStart: number,
    index: number,
    err: unknown,
    frame: Uint8Array,
    fail: (err: unknown, firstSeq: number, lastSeq: number, frame: Uint8Array) => never,
    expected?: number,
  ): never {
    const row = this.rowAt.get(...this.layout.bind(session, pageStart, MAX_SEQ), index) as [number, number] | undefined;
    if (err === undefined && row && expected !== undefined && row[0] !== expected) {
      return fail(new CorruptionError(session, expected, row[0], `seq gap: expected ${expected}, found ${row[0]}`), row[0], row[1], frame);
    }
    return fail(err, row?.[0] ?? pageStart, row?.[1] ?? pageStart, frame);
  }
}

const PAGE_BYTES = 1 << 20;
const MAX_FRAMES = 4096;
/**
 * Mean frame size from which rows beat a concatenated page. A row costs ~2.7 µs
 * (round 4's profile of 1-event frames), the concatenation's two extra copies
 * well under 1 ns a byte: rows win from a few KiB; 16 KiB leaves a margin.
 */
const ROW_FROM_BYTES = 16 * 1024;

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** From this many bytes zlib's native CRC-32 wins; below, its call (~120 ns) costs more than a table loop (~2 ns a byte). */
const NATIVE_CRC_FROM = 112;

/** CRC-32 (the zlib polynomial, what the log stores) of bytes[start, end), continuing from `crc` (that of the bytes before them). */
export function crc32Range(bytes: Uint8Array, start: number, end: number, crc = 0): number {
  if (end - start >= NATIVE_CRC_FROM) return zlibCrc32(bytes.subarray(start, end), crc);
  const t = CRC_TABLE;
  let c = ~crc;
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
