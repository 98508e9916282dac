/** Thrown for input that does not decode; the message names what is wrong. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * `len` ASCII bytes from `at` as a string, made in one step up to 8
 * characters (and in halves above): building it a character at a time
 * allocates a string per character.
 */
export function asciiString(b: Uint8Array, at: number, len: number): string {
  const c = String.fromCharCode;
  switch (len) {
    case 0: return '';
    case 1: return c(b[at]!);
    case 2: return c(b[at]!, b[at + 1]!);
    case 3: return c(b[at]!, b[at + 1]!, b[at + 2]!);
    case 4: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
    case 5: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!);
    case 6: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!);
    case 7: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!);
    case 8: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
    default: {
      // Two halves, each built the same way.
      const h = len >> 1;
      return asciiString(b, at, h) + asciiString(b, at + h, len - h);
    }
  }
}

/**
 * The varint of `v` (a safe whole number >= 0) into `b` at `p`; returns the
 * position after it. `b` must have 8 bytes of room from `p`. The generated
 * encoders write a message's fields through this with a local position after
 * one ByteWriter.ensure for the whole message (decision 237).
 */
export function putUint(b: Uint8Array, p: number, v: number): number {
  if (v < 0x80) {
    b[p] = v;
    return p + 1;
  }
  if (v < 0x80000000) {
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p] = v;
    return p + 1;
  }
  // 2^31 and up (timestamps, exec ids): the low 28 bits in int32 arithmetic, then the rest.
  const low = v % 0x10000000;
  let high = (v - low) / 0x10000000;
  b[p++] = (low & 0x7f) | 0x80;
  b[p++] = ((low >>> 7) & 0x7f) | 0x80;
  b[p++] = ((low >>> 14) & 0x7f) | 0x80;
  b[p++] = ((low >>> 21) & 0x7f) | 0x80;
  while (high >= 0x80) {
    b[p++] = (high & 0x7f) | 0x80;
    high >>>= 7;
  }
  b[p] = high;
  return p + 1;
}

/**
 * Decimal floats (codec version 3, decision 260): a finite number that is `m / 10^k` exactly (k 0..6, |m| < 2^47),
 * as prices and limits are, is the varint `zigzag(m) * 8 + k`: 158.59 takes 3 bytes where a float64 takes 8.
 * Any other number (and -0) is the varint 7 and its 8 float64 bytes. The decoder divides m by the same power of
 * ten; the encoder wrote the decimal form only after checking that this division gives back exactly `v`.
 */
export const DECIMAL_SCALES = [1, 10, 100, 1000, 10000, 100000, 1000000] as const;
const DECIMAL_RAW = 7;
const DECIMAL_LIMIT = 2 ** 47;

/** The decimal form of `v` (finite) into `b` at `p` (9 bytes of room); returns the position after it. */
export function putDecimal(b: Uint8Array, view: DataView, p: number, v: number): number {
  if (v !== 0 || 1 / v > 0) {
    for (let k = 0; k < DECIMAL_RAW; k++) {
      const scale = DECIMAL_SCALES[k]!;
      const m = Math.round(v * scale);
      if (m / scale === v) {
        if (m >= DECIMAL_LIMIT || m <= -DECIMAL_LIMIT) break;
        return putUint(b, p, (m >= 0 ? m * 2 : -m * 2 - 1) * 8 + k);
      }
    }
  }
  b[p++] = DECIMAL_RAW;
  view.setFloat64(p, v, true);
  return p + 8;
}

/** A growable byte buffer with varint, f64 and UTF-8 writers. */
export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(initial = 4096) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  reset(): void {
    this.pos = 0;
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Unsigned varint for integers 0 .. 2^53-1. */
  uint(v: number): void {
    this.ensure(8);
    if (v < 0x80) {
      this.buf[this.pos++] = v;
      return;
    }
    this.pos = putUint(this.buf, this.pos, v);
  }

  /** Zig-zag signed varint for safe integers. */
  int(v: number): void {
    this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A finite number in the decimal form (putDecimal). */
  dec(v: number): void {
    this.ensure(9);
    this.pos = putDecimal(this.buf, this.view, this.pos, v);
  }

  str(s: string): void {
    const n = s.length;
    if (n < 0x80) {
      // ASCII (ids, symbols): one length byte and the characters, no encoder call.
      this.ensure(n + 1);
      const b = this.buf;
      const at = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[at + i] = c;
      }
      if (i === n) {
        b[this.pos] = n;
        this.pos = at + n;
        return;
      }
    }
    this.ensure(s.length * 3 + 5);
    // Length-prefix with room for a 5-byte varint, then shift if shorter.
    const start = this.pos;
    this.pos += 1;
    const { written } = textEncoder.encodeInto(s, this.buf.subarray(this.pos));
    if (written < 0x80) {
      this.buf[start] = written;
      this.pos += written;
      return;
    }
    const bytes = this.buf.slice(this.pos, this.pos + written);
    this.pos = start;
    this.uint(written);
    this.ensure(written);
    this.buf.set(bytes, this.pos);
    this.pos += written;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads what ByteWriter wrote; every read checks bounds and throws DecodeError. */
export class ByteReader {
  readonly view: DataView;
  pos: number;
  readonly end: number;

  /**
   * Reads `buf` from `start` to `end` (exclusive). `view` is a DataView over
   * exactly `buf`: a caller reading many small ranges of one buffer (a page of
   * frames) passes one, so each range costs no DataView of its own.
   */
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
    view?: DataView,
  ) {
    this.view = view ?? new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) throw new DecodeError(`truncated at byte ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  uint(): number {
    const b = this.buf;
    const p = this.pos;
    // Up to four bytes (28 bits) in int32 arithmetic without a bounds check per byte, unrolled. Every
    // branch has type feedback before V8 optimizes a caller (warmUint below): without it, the first
    // three-byte value (orderIds from 16,384) deoptimized every decoder that inlined this.
    if (p + 4 <= this.end) {
      let x = b[p]!;
      if (x < 0x80) {
        this.pos = p + 1;
        return x;
      }
      let v = x & 0x7f;
      x = b[p + 1]!;
      v |= (x & 0x7f) << 7;
      if (x < 0x80) {
        this.pos = p + 2;
        return v;
      }
      x = b[p + 2]!;
      v |= (x & 0x7f) << 14;
      if (x < 0x80) {
        this.pos = p + 3;
        return v;
      }
      x = b[p + 3]!;
      v |= (x & 0x7f) << 21;
      if (x < 0x80) {
        this.pos = p + 4;
        return v;
      }
    }
    return this.uintLong();
  }

  /** Any varint, byte by byte with bounds checks: near the end of the input, and values of 2^28 and up. */
  private uintLong(): number {
    const b = this.buf;
    let p = this.pos;
    if (p + 8 <= this.end && b[p]! >= 0x80 && b[p + 1]! >= 0x80 && b[p + 2]! >= 0x80 && b[p + 3]! >= 0x80) {
      // 5 to 8 bytes (timestamps, exec ids): the low 28 bits in int32 arithmetic, the rest scaled by 2^28.
      const low = (b[p]! & 0x7f) | ((b[p + 1]! & 0x7f) << 7) | ((b[p + 2]! & 0x7f) << 14) | ((b[p + 3]! & 0x7f) << 21);
      let high = 0;
      let mul = 1;
      for (let i = 4; i < 8; i++) {
        const byte = b[p + i]!;
        high += (byte & 0x7f) * mul;
        if (byte < 0x80) {
          const v = low + high * 0x10000000;
          this.pos = p + i + 1;
          if (v > Number.MAX_SAFE_INTEGER) throw new DecodeError(`varint too large at byte ${p + i + 1}`);
          return v;
        }
        mul *= 0x80;
      }
      throw new DecodeError(`varint too long at byte ${p + 8}`);
    }
    if (p >= this.end) throw new DecodeError(`truncated varint at byte ${p}`);
    let byte = b[p++]!;
    if (byte < 0x80) {
      this.pos = p;
      return byte;
    }
    let result = byte & 0x7f;
    let mul = 0x80;
    for (let i = 1; i < 8; i++) {
      if (p >= this.end) throw new DecodeError(`truncated varint at byte ${p}`);
      byte = b[p++]!;
      result += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        this.pos = p;
        if (result > Number.MAX_SAFE_INTEGER) throw new DecodeError(`varint too large at byte ${p}`);
        return result;
      }
      mul *= 0x80;
    }
    throw new DecodeError(`varint too long at byte ${p}`);
  }

  int(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  f64(): number {
    if (this.pos + 8 > this.end) throw new DecodeError(`truncated float at byte ${this.pos}`);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A number in the decimal form (putDecimal); always finite. */
  dec(): number {
    const x = this.uint();
    if (x === DECIMAL_RAW) {
      const v = this.f64();
      if (v - v !== 0) throw new DecodeError(`not a finite number at byte ${this.pos - 8}`);
      return v;
    }
    const k = x % 8;
    if (k === DECIMAL_RAW) throw new DecodeError(`bad decimal scale at byte ${this.pos}`);
    const z = (x - k) / 8;
    return (z % 2 === 0 ? z / 2 : -(z + 1) / 2) / DECIMAL_SCALES[k]!;
  }

  /** A string of `len` bytes (its length read already: a stored frame's table, engine/protocol/frame-context.ts). */
  strOf(len: number): string {
    if (this.pos + len > this.end) throw new DecodeError(`truncated string at byte ${this.pos}`);
    const start = this.pos;
    this.pos += len;
    try {
      return textDecoder.decode(this.buf.subarray(start, start + len));
    } catch {
      throw new DecodeError(`invalid UTF-8 at byte ${start}`);
    }
  }

  str(): string {
    const len = this.uint();
    if (this.pos + len > this.end) throw new DecodeError(`truncated string at byte ${this.pos}`);
    const start = this.pos;
    this.pos += len;
    // Short ASCII strings are the common case (symbols, ids): skip TextDecoder.
    if (len <= 16) {
      const b = this.buf;
      let high = 0;
      for (let i = start; i < start + len; i++) high |= b[i]!;
      if (high < 0x80) return asciiString(b, start, len);
    }
    try {
      return textDecoder.decode(this.buf.subarray(start, start + len));
    } catch {
      throw new DecodeError(`invalid UTF-8 at byte ${start}`);
    }
  }
}

/**
 * Runs ByteReader.uint over varints of one to four bytes, enough times for V8
 * to keep type feedback for each of its branches (feedback is recorded once a
 * function has been called a few times). A replay then reaches three-byte
 * values (orderIds from 16,384) in code optimized for them, and the unrolled
 * reader costs fewer instructions than a loop (issue #9, docs/decisions/200).
 */
function warmUint(): void {
  const w = new ByteWriter(64);
  for (const v of [1, 200, 20_000, 3_000_000, 0, 0, 0, 0]) w.uint(v);
  const bytes = w.finish();
  let sum = 0;
  for (let round = 0; round < 64; round++) {
    const r = new ByteReader(bytes);
    for (let i = 0; i < 4; i++) sum += r.uint();
  }
  if (sum !== 64 * 3_020_201) throw new Error('varint reader warm-up read back wrong values');
  // uintLong's paths too (decision 270): a 5-to-8-byte value with room behind it (timestamps, exec ids), and near
  // the input's end the byte-by-byte path (a long value, then a one-byte one; a two-byte one before them is read
  // by uint itself). Without their feedback, a long value near a frame's end deoptimized uintLong twice in every
  // cold replay.
  const tail = new ByteWriter(32);
  for (const v of [2 ** 40, 0, 0, 0, 0, 0, 0, 0, 0, 300, 2 ** 35, 7]) tail.uint(v);
  const t = tail.finish();
  let long = 0;
  for (let round = 0; round < 64; round++) {
    const r = new ByteReader(t);
    long += r.uint();
    r.pos = t.length - 9;
    long += r.uint() + r.uint() + r.uint();
  }
  if (long !== 64 * (2 ** 40 + 300 + 2 ** 35 + 7)) throw new Error('varint reader warm-up read back wrong values');
}
warmUint();
