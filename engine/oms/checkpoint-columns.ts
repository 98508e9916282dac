import { DefaultDeserializer, DefaultSerializer } from 'node:v8';

/**
 * V8's structured serialization with the checkpoint's typed-array columns
 * stored narrow (decision 175): a Float64Array or Int32Array column whose
 * values are all integers that fit a smaller integer type (seqs, order ids,
 * quantities, codes) is written in that type and widened back on read. At 5 M
 * events this cuts a checkpoint by a third (248 → ~160 MiB): fewer bytes for
 * the host to read, checksum and encrypt, and for a joining component to
 * receive and decrypt. Lossless: a column is narrowed only when every value
 * (no fraction, no -0, no NaN) reads back equal, else written as it is.
 */

/**
 * Node's order of view classes (lib/v8.js arrayBufferViewTypes): the indices its default serializer writes
 * (9 DataView, 10 Buffer, 11 BigInt64Array, 12 BigUint64Array follow).
 */
const NODE_TYPES = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, DataView, Buffer, BigInt64Array, BigUint64Array] as const;

type View = NodeJS.TypedArray | DataView;
const writeDefault = (DefaultSerializer.prototype as unknown as { _writeHostObject(this: DefaultSerializer, v: View): void })._writeHostObject;

/** Tag of a narrowed column: above any index Node writes (0-12); then the wide type's and the narrow type's index. */
const NARROW_TAG = 0x4e00;

type Narrow = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
type NarrowCtor = { new (n: number): Narrow; readonly BYTES_PER_ELEMENT: number };

/** Narrow types, smallest first, with their value ranges. */
const NARROWS: readonly { ctor: NarrowCtor; min: number; max: number }[] = [
  { ctor: Uint8Array, min: 0, max: 0xff },
  { ctor: Int8Array, min: -0x80, max: 0x7f },
  { ctor: Uint16Array, min: 0, max: 0xffff },
  { ctor: Int16Array, min: -0x8000, max: 0x7fff },
  { ctor: Uint32Array, min: 0, max: 0xffffffff },
  { ctor: Int32Array, min: -0x80000000, max: 0x7fffffff },
];

/** The smallest narrow type holding every value of `a` exactly, or undefined (a fraction, -0, NaN, or too wide). */
function narrowFor(a: Float64Array | Int32Array): NarrowCtor | undefined {
  let min = 0;
  let max = 0;
  const float = a instanceof Float64Array;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (float && (!Number.isInteger(v) || Object.is(v, -0))) return undefined;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  const wide = float ? 8 : 4;
  for (const n of NARROWS) if (min >= n.min && max <= n.max && n.ctor.BYTES_PER_ELEMENT < wide) return n.ctor;
  return undefined;
}

/** The narrow type `view` can be stored as (decision 175), or undefined. */
function narrowing(view: View): NarrowCtor | undefined {
  return (view instanceof Float64Array || view instanceof Int32Array) && view.length >= 64 ? narrowFor(view) : undefined;
}

class CompactSerializer extends DefaultSerializer {
  _writeHostObject(view: View): void {
    const ctor = narrowing(view);
    if (ctor !== undefined) {
      const narrow = new ctor((view as Float64Array | Int32Array).length);
      narrow.set(view as Float64Array | Int32Array);
      this.writeUint32(NARROW_TAG | (NODE_TYPES.indexOf(view.constructor as never) << 4) | NODE_TYPES.indexOf(ctor as never));
      this.writeUint32(narrow.byteLength);
      this.writeRawBytes(new Uint8Array(narrow.buffer, narrow.byteOffset, narrow.byteLength));
      return;
    }
    writeDefault.call(this, view);
  }
}

/**
 * Tag of a column stored after the V8 stream (decision 209): the type it reads back as and the type it is
 * stored in (equal unless narrowed), then its stored byte length and its offset in the column region.
 */
const SPLIT_TAG = 0x5300;
/** Columns of at least this many stored bytes go after the stream; smaller ones stay in it. */
const SPLIT_MIN_BYTES = 4096;
/** First four bytes of the split layout ('ODCK'); V8's stream starts with 0xff. */
const SPLIT_MAGIC = 0x4b43444f;
const align8 = (n: number): number => (n + 7) & ~7;

/**
 * Writes the object graph as a V8 stream that holds the large columns by reference; their bytes follow
 * the stream, each at an offset that is a multiple of 8. A reader holding the bytes in parts (a
 * checkpoint's stored rows) then fills each column from its part, and never assembles the whole.
 */
class SplitSerializer extends DefaultSerializer {
  readonly columns: Uint8Array[] = [];
  regionBytes = 0;

  _writeHostObject(view: View): void {
    const wide = view.constructor === Buffer ? 10 : NODE_TYPES.indexOf(view.constructor as never);
    const ctor = narrowing(view);
    let stored: Uint8Array;
    let storedType = wide;
    if (ctor !== undefined) {
      const narrow = new ctor((view as Float64Array | Int32Array).length);
      narrow.set(view as Float64Array | Int32Array);
      stored = new Uint8Array(narrow.buffer, narrow.byteOffset, narrow.byteLength);
      storedType = NODE_TYPES.indexOf(ctor as never);
    } else {
      stored = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    }
    if (wide < 0 || wide === 9 || stored.byteLength < SPLIT_MIN_BYTES) {
      if (ctor !== undefined) {
        this.writeUint32(NARROW_TAG | (wide << 4) | storedType);
        this.writeUint32(stored.byteLength);
        this.writeRawBytes(stored);
      } else {
        writeDefault.call(this, view);
      }
      return;
    }
    this.writeUint32(SPLIT_TAG | (wide << 4) | storedType);
    this.writeUint32(stored.byteLength);
    this.writeDouble(this.regionBytes);
    this.columns.push(stored);
    this.regionBytes = align8(this.regionBytes + stored.byteLength);
  }
}

/** Bytes held as parts (a checkpoint's stored rows, or one buffer): ranges read by absolute offset. */
class Parts {
  private readonly starts: number[] = [];
  readonly length: number;

  constructor(readonly parts: readonly Uint8Array[]) {
    let at = 0;
    for (const p of parts) {
      this.starts.push(at);
      at += p.byteLength;
    }
    this.length = at;
  }

  /** Bytes [at, at + n): a view of one part when the range lies in one, else a copy of its own. */
  range(at: number, n: number): Uint8Array {
    if (at < 0 || n < 0 || at + n > this.length) throw new Error(`column at ${at} of ${n} bytes is past the end (${this.length})`);
    let i = this.find(at);
    const p = this.parts[i]!;
    const rel = at - this.starts[i]!;
    if (rel + n <= p.byteLength) return p.subarray(rel, rel + n);
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const part = this.parts[i]!;
      const from = done === 0 ? rel : 0;
      const take = Math.min(n - done, part.byteLength - from);
      out.set(part.subarray(from, from + take), done);
      done += take;
      i++;
    }
    return out;
  }

  private find(at: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** A typed array over `bytes`: a view when aligned (the bytes are the caller's own), else over a copy. */
function viewOf(ctor: (typeof NODE_TYPES)[number], bytes: Uint8Array): View {
  const size = 'BYTES_PER_ELEMENT' in ctor ? ctor.BYTES_PER_ELEMENT : 1;
  if (bytes.byteLength % size !== 0) throw new Error(`column of ${bytes.byteLength} bytes is not whole ${ctor.name} values`);
  let b = bytes;
  if (b.byteOffset % size !== 0) {
    b = new Uint8Array(bytes.byteLength);
    b.set(bytes);
  }
  if (ctor === Buffer) return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (ctor === DataView) return new DataView(b.buffer, b.byteOffset, b.byteLength);
  return new (ctor as new (buf: ArrayBufferLike, o: number, n: number) => NodeJS.TypedArray)(b.buffer, b.byteOffset, b.byteLength / size);
}

/** Columns a decode left narrow (`keepNarrow`), each with the type it widens to: the caller widens what it will write. */
export type NarrowColumns = Map<NodeJS.TypedArray, Float64ArrayConstructor | Int32ArrayConstructor>;

class CompactDeserializer extends DefaultDeserializer {
  constructor(
    buf: Buffer,
    private readonly region?: { parts: Parts; start: number },
    /** Where narrowed columns stored after the stream are kept narrow (views of their part) instead of widened. */
    private readonly narrow?: NarrowColumns,
  ) {
    super(buf);
  }

  _readHostObject(): View {
    const tag = this.readUint32();
    const byteLength = this.readUint32();
    if ((tag & 0xff00) === SPLIT_TAG && this.region !== undefined) return this.readSplit(tag, byteLength);
    const raw = this.readRawBytes(byteLength) as Buffer;
    const narrowed = (tag & 0xff00) === NARROW_TAG;
    const ctor = NODE_TYPES[narrowed ? tag & 0xf : tag];
    const wide = narrowed ? NODE_TYPES[(tag >> 4) & 0xf] : undefined;
    const size = ctor !== undefined && 'BYTES_PER_ELEMENT' in ctor ? ctor.BYTES_PER_ELEMENT : 1;
    if (ctor === undefined || (narrowed && wide !== Float64Array && wide !== Int32Array) || byteLength % size !== 0) {
      throw new Error(`unknown column type ${tag}`);
    }
    // Aligned: a view of the input (as Node's own deserializer makes); else a copy into memory of its own (never a pooled slab).
    const view = viewOf(ctor, raw);
    if (!narrowed) return view;
    const out = new (wide as Float64ArrayConstructor | Int32ArrayConstructor)((view as NodeJS.TypedArray).length);
    out.set(view as ArrayLike<number>);
    return out;
  }

  /** A column stored after the stream: widened from its part into memory of its own, or (not narrowed) a view of the part. */
  private readSplit(tag: number, byteLength: number): View {
    const offset = this.readDouble();
    const wide = NODE_TYPES[(tag >> 4) & 0xf];
    const stored = NODE_TYPES[tag & 0xf];
    const narrowed = wide !== stored;
    if (wide === undefined || stored === undefined || wide === DataView || (narrowed && wide !== Float64Array && wide !== Int32Array) || !Number.isInteger(offset)) {
      throw new Error(`unknown column type ${tag}`);
    }
    const view = viewOf(stored, this.region!.parts.range(this.region!.start + offset, byteLength));
    if (!narrowed) return view;
    if (this.narrow !== undefined) {
      this.narrow.set(view as NodeJS.TypedArray, wide as Float64ArrayConstructor | Int32ArrayConstructor);
      return view;
    }
    const out = new (wide as Float64ArrayConstructor | Int32ArrayConstructor)((view as NodeJS.TypedArray).length);
    out.set(view as ArrayLike<number>);
    return out;
  }
}

/** Bytes of the split layout's header: magic, the stream's length, where the first value's columns end. */
const HEADER_BYTES = 16;

/**
 * `v8.serialize` with narrow columns, the large ones after the stream (decision 209; read by
 * deserializeCompact). `extra`, when given, is a second value after the first, its columns after the
 * first's: a reader that needs only the first reads only the bytes `firstValueBytes` names.
 */
export function serializeCompact(value: unknown, extra?: unknown): Buffer {
  const s = new SplitSerializer();
  s.writeHeader();
  s.writeValue(value);
  const firstRegion = s.regionBytes;
  s.writeValue(extra);
  const stream = s.releaseBuffer();
  const start = align8(HEADER_BYTES + stream.length);
  const out = Buffer.allocUnsafe(start + s.regionBytes);
  out.writeUInt32LE(SPLIT_MAGIC, 0);
  out.writeUInt32LE(stream.length, 4);
  out.writeDoubleLE(firstRegion, 8);
  stream.copy(out, HEADER_BYTES);
  out.fill(0, HEADER_BYTES + stream.length, start);
  let at = start;
  for (const c of s.columns) {
    out.set(c, at);
    const end = align8(at + c.byteLength);
    out.fill(0, at + c.byteLength, end);
    at = end;
  }
  return out;
}

/**
 * How many leading bytes hold the first value of bytes serializeCompact wrote (its stream and its
 * columns), read from the first `HEADER_BYTES` or more of them; undefined for the layout before
 * (every byte is needed) or too few bytes to tell.
 */
export function firstValueBytes(head: Uint8Array): number | undefined {
  if (head.byteLength < HEADER_BYTES) return undefined;
  const b = Buffer.from(head.buffer, head.byteOffset, HEADER_BYTES);
  if (b.readUInt32LE(0) !== SPLIT_MAGIC) return undefined;
  return align8(HEADER_BYTES + b.readUInt32LE(4)) + b.readDoubleLE(8);
}

/** The V8 stream with every column in it (the layout before decision 209; tests of old checkpoints). */
export function serializeInline(value: unknown): Buffer {
  const s = new CompactSerializer();
  s.writeHeader();
  s.writeValue(value);
  return s.releaseBuffer();
}

/**
 * `v8.deserialize` reading narrow columns and the split layout, from one buffer or from the parts it was
 * stored in (each part is read where it lies: no whole copy is assembled). Typed arrays that are not
 * narrowed may be views of the input: the caller hands over bytes nothing else reuses.
 */
export function deserializeCompact(bytes: Uint8Array | readonly Uint8Array[]): unknown {
  return deserializeValues(bytes, false).value;
}

/**
 * Like deserializeCompact, and with `withExtra` the second value serializeCompact wrote (undefined in
 * the layout before). Without it, the bytes may stop where firstValueBytes says. With `narrow`, the
 * narrowed columns stored after the stream are left narrow (views of the bytes, not widened copies: at
 * 5 M events ~150 MiB less memory to fault in) and listed there with their wide types (decision 298):
 * the caller widens every one it may write, and must replace each such column by its wide copy first.
 */
export function deserializeValues(bytes: Uint8Array | readonly Uint8Array[], withExtra: boolean, narrow?: NarrowColumns): { value: unknown; extra: unknown } {
  const parts = new Parts(bytes instanceof Uint8Array ? [bytes] : bytes);
  const head = parts.length >= HEADER_BYTES ? parts.range(0, HEADER_BYTES) : new Uint8Array(0);
  const split = firstValueBytes(head) !== undefined;
  let stream: Uint8Array;
  let region: { parts: Parts; start: number } | undefined;
  if (split) {
    const n = Buffer.from(head.buffer, head.byteOffset, HEADER_BYTES).readUInt32LE(4);
    stream = parts.range(HEADER_BYTES, n);
    region = { parts, start: align8(HEADER_BYTES + n) };
  } else {
    stream = parts.range(0, parts.length);
  }
  const buf = Buffer.isBuffer(stream) ? stream : Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength);
  const d = new CompactDeserializer(buf, region, narrow);
  d.readHeader();
  const value = d.readValue();
  return { value, extra: split && withExtra ? d.readValue() : undefined };
}
