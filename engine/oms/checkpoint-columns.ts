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

class CompactSerializer extends DefaultSerializer {
  _writeHostObject(view: View): void {
    if ((view instanceof Float64Array || view instanceof Int32Array) && view.length >= 64) {
      const ctor = narrowFor(view);
      if (ctor !== undefined) {
        const narrow = new ctor(view.length);
        narrow.set(view);
        this.writeUint32(NARROW_TAG | (NODE_TYPES.indexOf(view.constructor as never) << 4) | NODE_TYPES.indexOf(ctor as never));
        this.writeUint32(narrow.byteLength);
        this.writeRawBytes(new Uint8Array(narrow.buffer, narrow.byteOffset, narrow.byteLength));
        return;
      }
    }
    writeDefault.call(this, view);
  }
}

class CompactDeserializer extends DefaultDeserializer {
  _readHostObject(): View {
    const tag = this.readUint32();
    const byteLength = this.readUint32();
    const raw = this.readRawBytes(byteLength) as Buffer;
    const narrowed = (tag & 0xff00) === NARROW_TAG;
    const ctor = NODE_TYPES[narrowed ? tag & 0xf : tag];
    const wide = narrowed ? NODE_TYPES[(tag >> 4) & 0xf] : undefined;
    const size = ctor !== undefined && 'BYTES_PER_ELEMENT' in ctor ? ctor.BYTES_PER_ELEMENT : 1;
    if (ctor === undefined || (narrowed && wide !== Float64Array && wide !== Int32Array) || byteLength % size !== 0) {
      throw new Error(`unknown column type ${tag}`);
    }
    // Aligned: a view of the input (as Node's own deserializer makes); else a copy into memory of its own (never a pooled slab).
    let buffer = raw.buffer;
    let offset = raw.byteOffset;
    if (offset % size !== 0) {
      const own = new Uint8Array(byteLength);
      own.set(raw);
      buffer = own.buffer;
      offset = 0;
    }
    if (ctor === Buffer) return Buffer.from(buffer, offset, byteLength);
    if (ctor === DataView) return new DataView(buffer, offset, byteLength);
    const view = new (ctor as new (b: ArrayBufferLike, o: number, n: number) => NodeJS.TypedArray)(buffer, offset, byteLength / size);
    if (!narrowed) return view;
    const out = new (wide as Float64ArrayConstructor | Int32ArrayConstructor)(view.length);
    out.set(view as ArrayLike<number>);
    return out;
  }
}

/** `v8.serialize` with narrow columns. */
export function serializeCompact(value: unknown): Buffer {
  const s = new CompactSerializer();
  s.writeHeader();
  s.writeValue(value);
  return s.releaseBuffer();
}

/** `v8.deserialize` reading narrow columns too (and checkpoints written without them). */
export function deserializeCompact(bytes: Uint8Array): unknown {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const d = new CompactDeserializer(buf);
  d.readHeader();
  return d.readValue();
}
