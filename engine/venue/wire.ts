/**
 * Byte-level writer and reader for the venue's binary frames (engine/venue/protocol.ts, decision 277): unsigned
 * bytes, u32 and float64 little-endian, strings as u32 byte length + UTF-8. The writer fills blocks of 64 KiB frame after
 * frame and hands out a view of each frame (never written over); the reader reads a frame in place. Neither builds an intermediate
 * array per message (the msgpack tuples they replace did, both ways).
 */

/** Thrown by the reader when a frame ends inside a field: the frame is not a venue frame. */
export class WireEndError extends Error {
  override name = 'WireEndError';
}

/** Thrown by the reader for a number tag other than 0 and 1: the frame is not a venue frame. */
export class WireTagError extends Error {
  override name = 'WireTagError';
}

export class WireWriter {
  private buf = Buffer.allocUnsafeSlow(BLOCK);
  /** Where the frame being written starts: frames handed out before it are never written over. */
  private start = 0;
  private pos = 0;

  /** Starts a frame after the last one handed out (in a new block when this one is nearly full). */
  reset(): void {
    if (this.buf.length - this.pos < BLOCK / 16) {
      this.buf = Buffer.allocUnsafeSlow(BLOCK);
      this.pos = 0;
    }
    this.start = this.pos;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafeSlow(Math.max(BLOCK, (used + n) * 2));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = used;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /**
   * A number that is usually a whole number (ids, quantities, reason codes): a tag byte 0 and four bytes when it is
   * a whole number below 2^31, else a tag byte 1 and a float64. Read back from four bytes it is a small integer to
   * V8 (a Smi), as msgpack's integers were; a float64 read is a boxed double that widens every object field it lands
   * in (decision 277).
   */
  int(v: number): void {
    if (v >= 0 && v < 0x80000000 && (v | 0) === v && (v !== 0 || 1 / v > 0)) {
      this.room(5);
      const b = this.buf;
      let p = this.pos;
      b[p++] = 0;
      b[p++] = v & 0xff;
      b[p++] = (v >>> 8) & 0xff;
      b[p++] = (v >>> 16) & 0xff;
      b[p++] = v >>> 24;
      this.pos = p;
    } else {
      this.u8(1);
      this.f64(v);
    }
  }

  str(s: string): void {
    this.room(4 + s.length * 3);
    const n = s.length === 0 ? 0 : this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4 + n;
  }

  /**
   * The frame written since reset: a view of the writer's block, as msgpackr's `pack` hands out. The next frame
   * is written after it (or in a new block), so the view stays the caller's for as long as it is kept.
   */
  take(): Buffer {
    return this.buf.subarray(this.start, this.pos);
  }
}

/** Bytes of one writer block: many frames are written one after another into it. */
const BLOCK = 64 * 1024;

export class WireReader {
  private buf: Buffer = Buffer.alloc(0);
  pos = 0;

  /** Reads `bytes` from `start`, in place (a Uint8Array is viewed, not copied). */
  reset(bytes: Uint8Array, start: number): void {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get left(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) throw new WireEndError(`frame ends inside ${what} at byte ${this.pos} (${this.buf.length} bytes)`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(what: string): number {
    this.need(8, what);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A number written by WireWriter.int. */
  int(what: string): number {
    const tag = this.u8(what);
    if (tag === 1) return this.f64(what);
    if (tag !== 0) throw new WireTagError(`bad number tag ${tag} in ${what} at byte ${this.pos - 1}`);
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  str(what: string): string {
    const n = this.u32(what);
    if (n === 0) return '';
    this.need(n, what);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}
