import { DecodeError, type ByteReader, type ByteWriter } from './bytes.ts';
import { encodeFail, type Decoder, type Encoder, type StringIds } from './codec-support.ts';
import type { MessageSpec } from './schema.ts';

/*
 * The schema rules of codegen.ts, interpreted field by field: the codec for a
 * message type whose generated functions are missing or older than its schema
 * (a branch added a message and codec.generated.ts was not regenerated). Same
 * bytes, checks and error messages as the generated code, only slower; the
 * generated-file test fails until `npm run gen:codec` is run.
 */

/** An encoder that walks `spec`'s fields. */
export function interpretedEncoder(spec: MessageSpec): Encoder {
  const t = spec.type;
  const optional = spec.fields.filter((f) => f.optional);
  return (w: ByteWriter, m: Readonly<Record<string, unknown>>, T: StringIds): void => {
    if (optional.length > 0) {
      let mask = 0;
      optional.forEach((f, i) => {
        if (m[f.name] !== undefined) mask |= 2 ** i;
      });
      w.uint(mask);
    }
    for (const f of spec.fields) {
      const v = m[f.name];
      if (v === undefined) {
        if (f.optional) continue;
        encodeFail(t, f.name, 'is required');
      }
      switch (f.scalar) {
        case 'uint':
          if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) encodeFail(t, f.name, 'must be a whole number >= 0');
          w.uint(v);
          break;
        case 'int':
          if (typeof v !== 'number' || !Number.isSafeInteger(v)) encodeFail(t, f.name, 'must be a whole number');
          w.int(v);
          break;
        case 'f64':
          if (typeof v !== 'number' || !Number.isFinite(v)) encodeFail(t, f.name, 'must be a finite number');
          w.dec(v);
          break;
        case 'str':
          if (typeof v !== 'string') encodeFail(t, f.name, 'must be a string');
          w.uint(T.id(v));
          break;
        case 'bool':
          if (typeof v !== 'boolean') encodeFail(t, f.name, 'must be true or false');
          w.u8(v ? 1 : 0);
          break;
        case 'strs':
          if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) encodeFail(t, f.name, 'must be a list of strings');
          w.uint(v.length);
          for (const s of v as readonly string[]) w.uint(T.id(s));
          break;
        case 'enum': {
          const i = typeof v === 'string' ? f.values!.indexOf(v) : -1;
          if (i < 0) encodeFail(t, f.name, `must be one of ${f.values!.join(', ')}`);
          w.u8(i);
          break;
        }
      }
    }
  };
}

/**
 * A decoder that walks `spec`'s fields; with `withMask` false, the layout of
 * codec versions before the message's mask (no mask, no optional field); with
 * `rawF64`, numbers as 8-byte float64 (codec versions before 3), else in the
 * decimal form (ByteReader.dec).
 */
export function interpretedDecoder(spec: MessageSpec, withMask = true, rawF64 = false): Decoder {
  const t = spec.type;
  const hasOptional = withMask && spec.fields.some((f) => f.optional);
  const fail = (field: string, why: string): never => {
    throw new DecodeError(`${t}.${field}: ${why}`);
  };
  return (r: ByteReader, S: readonly string[]): Record<string, unknown> => {
    const mask = hasOptional ? r.uint() : 0;
    const present: boolean[] = [];
    const values: unknown[] = [];
    let bit = 1;
    for (const f of spec.fields) {
      const o = values;
      const i = present.length;
      present.push(!f.optional || (mask & bit) !== 0);
      if (f.optional) bit *= 2;
      if (!present[i]) {
        values.push(undefined);
        continue;
      }
      switch (f.scalar) {
        case 'uint':
          o[i] = r.uint();
          break;
        case 'int':
          o[i] = r.int();
          break;
        case 'f64': {
          if (!rawF64) {
            o[i] = r.dec();
            break;
          }
          const v = r.f64();
          if (v - v !== 0) fail(f.name, 'not a finite number');
          o[i] = v;
          break;
        }
        case 'str': {
          const x = r.uint();
          const s = S[x];
          if (s === undefined) fail(f.name, `string #${x} is not in the table`);
          o[i] = s;
          break;
        }
        case 'bool': {
          const x = r.u8();
          if (x > 1) fail(f.name, `bad boolean ${x}`);
          o[i] = x === 1;
          break;
        }
        case 'strs': {
          const n = r.uint();
          if (n > r.end - r.pos) fail(f.name, `list of ${n} cannot fit`);
          const list = new Array<string>(n);
          for (let k = 0; k < n; k++) {
            const x = r.uint();
            const s = S[x];
            if (s === undefined) fail(f.name, `string #${x} is not in the table`);
            list[k] = s!;
          }
          o[i] = list;
          break;
        }
        case 'enum': {
          const x = r.u8();
          const v = f.values![x];
          if (v === undefined) fail(f.name, `bad enum index ${x}`);
          o[i] = v;
          break;
        }
      }
    }
    // Required fields first, then the optional ones present: the generated decoders' key order.
    const o: Record<string, unknown> = { type: t };
    spec.fields.forEach((f, i) => {
      if (!f.optional) o[f.name] = values[i];
    });
    spec.fields.forEach((f, i) => {
      if (f.optional && present[i]) o[f.name] = values[i];
    });
    return o;
  };
}
