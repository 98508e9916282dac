import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { deserializeCompact, serializeCompact } from '../../engine/oms/checkpoint-columns.ts';

/** Decision 175: checkpoint columns stored narrow must read back exactly, in their own type. */
describe('checkpoint columns (narrow integer columns)', () => {
  const n = 1000;
  const f64 = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  const i32 = (f: (i: number) => number) => Int32Array.from({ length: n }, (_, i) => f(i));

  it('reads back every column exactly and in its own class, narrowed or not', () => {
    const columns = {
      bytes: f64((i) => i % 256),
      signedBytes: f64((i) => (i % 256) - 128),
      shorts: f64((i) => i * 60),
      seqs: f64((i) => 3_000_000_000 + i),
      negatives: f64((i) => -2_000_000_000 + i),
      timestamps: f64((i) => 1_767_225_600_000_000 + i * 1_000_003),
      prices: f64((i) => 150 + i / 10),
      withMinusZero: f64((i) => (i === 500 ? -0 : i)),
      withNaN: f64((i) => (i === 7 ? NaN : i)),
      withInfinity: f64((i) => (i === 9 ? Infinity : i)),
      codes: i32((i) => i % 5),
      links: i32((i) => (i === 3 ? -1 : i * 1000)),
      wideInts: i32((i) => 2_000_000_000 - i * 3),
      short: new Float64Array([1, 2, 3]),
      bytes8: Uint8Array.from({ length: n }, (_, i) => i % 7),
      buffer: Buffer.from('plain bytes stay plain'),
      view: new DataView(new ArrayBuffer(16)),
      odd: new Float64Array(new ArrayBuffer(8 * (n + 1)), 8, n).fill(42),
    };
    const back = deserializeCompact(serializeCompact(columns)) as typeof columns;
    for (const [k, v] of Object.entries(columns)) {
      const b = (back as Record<string, unknown>)[k];
      expect((b as object).constructor, k).toBe(v.constructor);
      if (v instanceof DataView) expect((b as DataView).byteLength).toBe(16);
      else expect(Array.from(b as ArrayLike<number>).map((x) => (Object.is(x, -0) ? '-0' : String(x))), k).toEqual(Array.from(v as ArrayLike<number>).map((x) => (Object.is(x, -0) ? '-0' : String(x))));
    }
  });

  it('is smaller when columns are narrow integers', () => {
    const columns = { seqs: f64((i) => i), codes: i32((i) => i % 5) };
    expect(serializeCompact(columns).length).toBeLessThan(serialize(columns).length / 3);
  });

  it('reads what Node\'s own serializer wrote (checkpoints written before narrow columns)', () => {
    const old = { a: f64((i) => i), b: i32((i) => -i), c: Buffer.from('x'), d: [1, 'two', { three: 3 }] };
    const back = deserializeCompact(serialize(old)) as typeof old;
    expect([...back.a]).toEqual([...old.a]);
    expect([...back.b]).toEqual([...old.b]);
    expect(back.c.toString()).toBe('x');
    expect(back.d).toEqual(old.d);
  });

  it('refuses a column tag it does not know', () => {
    const bytes = serializeCompact({ a: f64((i) => i % 200) });
    // The narrowed column's tag (0x4e81: Float64Array (8) stored as Uint8Array (1)), a varint, made to claim a
    // Float32Array (7) was narrowed: never written, so refused.
    const varint = (v: number) => Buffer.from([(v & 0x7f) | 0x80, ((v >> 7) & 0x7f) | 0x80, v >> 14]);
    const at = bytes.indexOf(varint(0x4e81));
    expect(at).toBeGreaterThan(0);
    varint(0x4e71).copy(bytes, at);
    expect(() => deserializeCompact(bytes)).toThrow(/unknown column type/);
  });
});
