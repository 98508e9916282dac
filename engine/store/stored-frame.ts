import { crc32 } from 'node:zlib';
import { DecodeError, putUint } from '../protocol/bytes.ts';
import { FRAME_MAGIC, storedTag, storedTagCount, storedTagVersion, storedVersion, TS_EPOCH } from '../protocol/codec.ts';
import { contextBase, contextString, type FrameContext } from '../protocol/frame-context.ts';
import type { WriterContext } from './session-context.ts';
import { crc32Range } from './frame-pages.ts';
import { keyMix } from './frame-key.ts';

/**
 * A frame as the log stores it (schema version 6, decision 269). The wire form
 * (the bus, the replay service, encodeFrame) begins `'O' version session
 * firstSeq count`; the row's key already holds session and first seq, so the
 * stored body begins with one byte, the tag (codec.ts storedTag: the version,
 * and the count when it is 1-31, decision 275), and goes on with the wire
 * form's bytes after the count (base timestamp, string table, events), or from
 * the count on for a larger frame. 5-6 bytes a frame fewer: ~3.8 bytes an
 * event at the 1-2 events a frame a live host commits at 1 k orders/s. The
 * count is not read from `n` (the page reader, frame-pages.ts, gets each
 * frame's length and CRC from SQLite as text, and one more number a row there
 * cost more replay CPU than a byte saves: decision 269) but from the tag.
 *
 * The row's CRC is that of the stored body with the row's key mixed in
 * (rowCrc, decision 278), so it covers the session and first seq too: a
 * flipped bit in the key or the body is a checksum mismatch; `verify` checks
 * `n` against the count as before. Rows of decision 269's and 275's branch
 * builds hold the wire form's CRC-32 and still match (crcMatches). A row whose body begins with 'O' (written by a build before
 * schema 6, or an older codec version) is the wire form itself, read as before.
 */

/**
 * The stored body of `wire`, a frame of `session` holding seqs firstSeq..firstSeq+n-1; the bytes themselves when
 * they are not a frame of a version that has a stored form, or when a small frame has no session context `ctx`
 * to refer to. Throws when the head names another row.
 *
 * A frame of 1-31 events (a live host's at 1 k orders/s) refers to its session's context (decision 278): after
 * the tag, its base time as `x`, 0 then the time itself, else the session's base + x - 1 (the first small frame's
 * base time becomes the session's); then its string table's count and per entry `v`: odd, the session's string
 * (v + 1) / 2; even, v / 2 bytes spelled out. The events follow as on the wire (they index the frame's table).
 */
export function storedBody(wire: Uint8Array, session: number, firstSeq: number, n: number, ctx?: WriterContext): Uint8Array {
  if (wire.length < 6 || wire[0] !== FRAME_MAGIC || storedVersion(storedTag(wire[1]!, 0)) === 0) return wire;
  const at = { p: 2 };
  const s = readUint(wire, at);
  const f = readUint(wire, at);
  const from = at.p;
  const c = readUint(wire, at);
  if (s !== session || f !== firstSeq || c !== n) {
    throw new RangeError(`frame head says session ${s}, seq ${f}, ${c} events; its row says session ${session}, seq ${firstSeq}, ${n} events`);
  }
  const tag = storedTag(wire[1]!, c);
  if (storedTagCount(tag) === 0) {
    // A larger frame: its count after the tag, the rest as on the wire.
    const out = Buffer.allocUnsafe(wire.length - from + 1);
    out[0] = tag;
    out.set(wire.subarray(from), 1);
    return out;
  }
  if (ctx === undefined) return wire;
  const x = readUint(wire, at);
  const ts = x === 0 ? readUint(wire, at) : x - 1 + TS_EPOCH;
  const nStr = readUint(wire, at);
  if (x < 0 || ts < 0 || nStr < 0 || nStr > wire.length - at.p) throw new RangeError('frame head does not parse');
  if (ctx.base < 0) ctx.setBase(ts);
  // An entry grows by a byte at most (a length from 64 takes two bytes doubled), a reference never.
  const out = Buffer.allocUnsafe(wire.length + nStr + 12);
  out[0] = tag;
  let p = 1;
  if (ts >= ctx.base) p = putUint(out, p, ts - ctx.base + 1);
  else {
    out[p++] = 0;
    p = putUint(out, p, ts);
  }
  p = putUint(out, p, nStr);
  for (let i = 0; i < nStr; i++) {
    const len = readUint(wire, at);
    const a = at.p;
    if (len < 0 || a + len > wire.length) throw new RangeError('frame string table does not parse');
    const id = ctx.idOf(wire, a, a + len);
    if (id > 0) p = putUint(out, p, 2 * id - 1);
    else {
      p = putUint(out, p, 2 * len);
      for (let j = a; j < a + len; j++) out[p++] = wire[j]!;
    }
    at.p = a + len;
  }
  out.set(wire.subarray(at.p), p);
  return out.subarray(0, p + wire.length - at.p);
}

const scratch = new Uint8Array(2 + 3 * 10);

/** The wire head of a stored frame (`'O' version session firstSeq`, and its count when the tag holds it) into `scratch`; returns its length. */
function wireHead(b0: number, session: number, firstSeq: number): number {
  scratch[0] = FRAME_MAGIC;
  scratch[1] = storedTagVersion(b0);
  const p = putUint(scratch, 2, session);
  const q = putUint(scratch, p, firstSeq);
  const k = storedTagCount(b0);
  return k !== 0 ? putUint(scratch, q, k) : q;
}

/** Whether body[start] begins a stored-form frame (else the bytes are the wire form, or damage). */
export function isStored(body: Uint8Array, start = 0): boolean {
  return start < body.length && storedVersion(body[start]!) !== 0;
}

/**
 * The wire form of the frame stored in body[start, end) for its row's session and first seq (`ctx`: the session's
 * context, which a small frame's stored form refers to): the same bytes when it is already one. DecodeError when a
 * small frame names a base time or string its session's context does not hold (a missing or damaged row).
 */
export function wireFrame(session: number, firstSeq: number, body: Uint8Array, start = 0, end = body.length, ctx?: FrameContext): Uint8Array {
  if (!isStored(body, start)) return start === 0 && end === body.length ? body : body.subarray(start, end);
  const h = wireHead(body[start]!, session, firstSeq);
  if (storedTagCount(body[start]!) !== 0) return contextWire(body, start, end, h, ctx);
  const out = Buffer.allocUnsafe(h + end - start - 1);
  for (let i = 0; i < h; i++) out[i] = scratch[i]!;
  // Short bodies by hand (a subarray view costs more than the copy), long ones in one native copy.
  if (end - start > 65) out.set(body.subarray(start + 1, end), h);
  else for (let i = start + 1, o = h; i < end; i++, o++) out[o] = body[i]!;
  return out;
}

/** The number of bytes putUint writes for `v`. */
function uintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/**
 * The wire form of a small stored frame (its head `scratch[0, h)`): its base time and strings spelled out from
 * `ctx`, in one Buffer sized by a first pass over its table.
 */
function contextWire(body: Uint8Array, start: number, end: number, h: number, ctx: FrameContext | undefined): Uint8Array {
  const out = Buffer.allocUnsafe(contextSize(body, start, end, h, ctx));
  contextWriteInto(out, 0, body, end, h, ctx!);
  return out;
}

/** What contextSize read of a small stored frame's head, for contextWriteInto right after it. */
const small = { ts: 0, tsField: 0, nStr: 0, tableAt: 0, eventsAt: 0 };

/**
 * The length of the wire form of the small stored frame body[start, end) (its wire head `scratch[0, h)`), with
 * its head's fields kept in `small` for contextWriteInto. DecodeError when it does not parse or names what `ctx`
 * does not hold.
 */
function contextSize(body: Uint8Array, start: number, end: number, h: number, ctx: FrameContext | undefined): number {
  if (ctx === undefined) throw new DecodeError("a stored frame refers to its session's string table, and none was read");
  const at = headAt;
  at.p = start + 1;
  const x = readUint(body, at);
  const ts = x === 0 ? readUint(body, at) : x > 0 ? contextBase(ctx) + x - 1 : -1;
  const nStr = readUint(body, at);
  if (ts < 0 || nStr < 0 || at.p > end || nStr > end - at.p) throw new DecodeError('stored frame head does not parse');
  const tableAt = at.p;
  const tsField = ts >= TS_EPOCH ? ts - TS_EPOCH + 1 : ts;
  let size = h + (ts >= TS_EPOCH ? 0 : 1) + uintSize(tsField) + uintSize(nStr);
  for (let i = 0; i < nStr; i++) {
    const v = readUint(body, at);
    if (v < 0) throw new DecodeError('stored frame string table does not parse');
    if ((v & 1) === 1) {
      const idx = (v + 1) / 2;
      contextString(ctx, idx);
      const n = ctx.utf8[idx]!.length;
      size += uintSize(n) + n;
    } else {
      const len = v / 2;
      if (at.p + len > end) throw new DecodeError(`truncated string at byte ${at.p - start}`);
      size += uintSize(len) + len;
      at.p += len;
    }
  }
  small.ts = ts;
  small.tsField = tsField;
  small.nStr = nStr;
  small.tableAt = tableAt;
  small.eventsAt = at.p;
  return size + end - at.p;
}

/** Writes the wire form of the small stored frame contextSize last measured into out at `o`; returns the end. */
function contextWriteInto(out: Uint8Array, o: number, body: Uint8Array, end: number, h: number, ctx: FrameContext): number {
  const { ts, tsField, nStr, eventsAt } = small;
  const at = headAt;
  for (let i = 0; i < h; i++) out[o + i] = scratch[i]!;
  let p = o + h;
  if (ts < TS_EPOCH) out[p++] = 0;
  p = putUint(out, p, tsField);
  p = putUint(out, p, nStr);
  at.p = small.tableAt;
  for (let i = 0; i < nStr; i++) {
    const v = readUint(body, at);
    if ((v & 1) === 1) {
      const u = ctx.utf8[(v + 1) / 2]!;
      p = putUint(out, p, u.length);
      for (let j = 0; j < u.length; j++) out[p++] = u[j]!;
    } else {
      const len = v / 2;
      p = putUint(out, p, len);
      for (let j = at.p; j < at.p + len; j++) out[p++] = body[j]!;
      at.p += len;
    }
  }
  if (end - eventsAt > 64) out.set(body.subarray(eventsAt, end), p);
  else for (let i = eventsAt; i < end; i++) out[p++] = body[i]!;
  return p + (end - eventsAt > 64 ? end - eventsAt : 0);
}

/**
 * The wire forms of a page of stored frames, written back to back into one growing array and handed out as one
 * Buffer (the replay service's reader, decision 286): one allocation a page instead of one a frame.
 */
export class WirePage {
  private buf = new Uint8Array(64 << 10);
  /** Bytes written so far (the next frame's offset). */
  pos = 0;

  /** Appends the wire form of the frame stored in body[start, end) (see wireFrame); returns its offset. DecodeError as wireFrame. */
  add(session: number, firstSeq: number, body: Uint8Array, start: number, end: number, ctx?: FrameContext): number {
    const at = this.pos;
    if (!isStored(body, start)) {
      this.room(end - start);
      this.buf.set(body.subarray(start, end), at);
      this.pos = at + end - start;
      return at;
    }
    const h = wireHead(body[start]!, session, firstSeq);
    if (storedTagCount(body[start]!) !== 0) {
      this.room(contextSize(body, start, end, h, ctx));
      this.pos = contextWriteInto(this.buf, at, body, end, h, ctx!);
      return at;
    }
    this.room(h + end - start - 1);
    const b = this.buf;
    for (let i = 0; i < h; i++) b[at + i] = scratch[i]!;
    b.set(body.subarray(start + 1, end), at + h);
    this.pos = at + h + end - start - 1;
    return at;
  }

  /** The page written so far as a Buffer of its own, and the writer emptied for the next page. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }
}

/** The crc a row of `session` and `firstSeq` stores for `body` (a stored-form body's, or a wire form's own CRC-32). */
export function rowCrc(session: number, firstSeq: number, body: Uint8Array): number {
  return isStored(body) ? (crc32(body) ^ keyMix(session, firstSeq)) >>> 0 : crc32(body);
}

/** The CRC of the frame stored in body[start, end) as its row keeps it (rowCrc), without building anything. */
export function frameCrc(session: number, firstSeq: number, body: Uint8Array, start = 0, end = body.length): number {
  if (!isStored(body, start)) return start === 0 && end === body.length ? crc32(body) : crc32Range(body, start, end);
  // A row's own Buffer in one native call (as a wire-form row's); a frame within a page by the loop.
  const c = start === 0 && end === body.length ? crc32(body) : crc32Range(body, start, end);
  return (c ^ keyMix(session, firstSeq)) >>> 0;
}

/**
 * Whether a row's `crc` matches the frame stored in body[start, end): its rowCrc, or (a stored-form row of round
 * 13's and 14's branch builds, decisions 269 and 275, never merged) the CRC-32 of its wire form. The second is
 * tried only when the first fails, so damage costs it and a sound row never does.
 */
export function crcMatches(session: number, firstSeq: number, body: Uint8Array, crc: number, start = 0, end = body.length): boolean {
  if ((frameCrc(session, firstSeq, body, start, end) | 0) === (crc | 0)) return true;
  // Only decision 269's form (the count after the tag); a small frame's stored form is this decision's alone.
  if (!isStored(body, start) || storedTagCount(body[start]!) !== 0) return false;
  const h = wireHead(body[start]!, session, firstSeq);
  return (crc32Range(body, start + 1, end, crc32Range(scratch, 0, h)) | 0) === (crc | 0);
}

const headAt = { p: 0 };

function readUint(b: Uint8Array, at: { p: number }): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (at.p >= b.length) return -1;
    const x = b[at.p++]!;
    v += (x & 0x7f) * mul;
    if (x < 0x80) return v;
    mul *= 128;
  }
  return -1;
}

/**
 * The first seq and count a frame's bytes in body[start, end) give (a wire-form head names both; a stored one
 * its count, its first seq is `firstSeq`), into `out`; false when they do not parse (damage: its CRC fails).
 */
export function headOf(body: Uint8Array, start: number, end: number, firstSeq: number, out: { first: number; count: number }): boolean {
  // A stored frame of 1-31 events (a live host's) has its count in the tag (decision 275); one of decision 269's
  // build, or of fewer than 128 events, in the byte after it.
  if (start < end && isStored(body, start)) {
    const k = storedTagCount(body[start]!);
    if (k !== 0 || (start + 1 < end && body[start + 1]! < 0x80 && body[start + 1]! > 0)) {
      out.first = firstSeq;
      out.count = k !== 0 ? k : body[start + 1]!;
      return true;
    }
  }
  const at = headAt;
  at.p = start + 1;
  let first = firstSeq;
  if (!isStored(body, start)) {
    if (body[start] !== FRAME_MAGIC) return false;
    at.p++;
    readUint(body, at);
    first = readUint(body, at);
  }
  const count = at.p < end ? readUint(body, at) : -1;
  if (first < 0 || count < 1) return false;
  out.first = first;
  out.count = count;
  return true;
}
