import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../engine/protocol/bytes.ts';
import { interpretedDecoder, interpretedEncoder } from '../../engine/protocol/codec-interpreted.ts';
import { EncodeError, schemaSignature, type StringIds } from '../../engine/protocol/codec-support.ts';
import { GENERATED_CODECS } from '../../engine/protocol/codec.generated.ts';
import { generateCodecSource } from '../../engine/protocol/codegen.ts';
import { COMMAND_SPECS, EVENT_SPECS } from '../../engine/protocol/events.ts';
import type { FieldSpec, MessageSpec } from '../../engine/protocol/schema.ts';

const GENERATED_FILE = fileURLToPath(new URL('../../engine/protocol/codec.generated.ts', import.meta.url));
const SPECS: MessageSpec[] = [...new Map([...EVENT_SPECS.byType, ...COMMAND_SPECS.byType]).values()];

class Table implements StringIds {
  readonly list: string[] = [];
  id(s: string): number {
    const i = this.list.indexOf(s);
    return i >= 0 ? i : this.list.push(s) - 1;
  }
}

/** A value of the field's kind; `k` varies it (varints of 1 to 8 bytes, non-ASCII strings, every enum value). */
function sample(f: FieldSpec, k: number): unknown {
  switch (f.scalar) {
    case 'uint':
      return [0, 127, 128, 2 ** 28 + 5, Number.MAX_SAFE_INTEGER][k % 5];
    case 'int':
      return [0, -1, 63, -(2 ** 40), 2 ** 35][k % 5];
    case 'f64':
      return [0, 101.25, -3.5e-7, 1e300, 189.99][k % 5];
    case 'str':
      return ['', 'AAPL', 'ordre-é', 'x'.repeat(40), 'B1Z'][k % 5];
    case 'bool':
      return k % 2 === 0;
    case 'strs':
      return [[], ['a'], ['AAPL', 'MSFT', 'AAPL']][k % 3];
    case 'enum':
      return f.values![k % f.values!.length];
  }
}

function message(spec: MessageSpec, k: number, withOptional: boolean): Record<string, unknown> {
  const m: Record<string, unknown> = { type: spec.type };
  spec.fields.forEach((f, i) => {
    if (!f.optional || withOptional) m[f.name] = sample(f, k + i);
  });
  return m;
}

function encodeWith(encode: (w: ByteWriter, m: Readonly<Record<string, unknown>>, T: StringIds) => void, m: Record<string, unknown>): { bytes: Uint8Array; strings: string[] } {
  const w = new ByteWriter(16);
  const t = new Table();
  encode(w, m, t);
  return { bytes: w.finish(), strings: t.list };
}

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
  return 'nothing thrown';
}

describe('generated codec (codec.generated.ts)', () => {
  it('is what the generator makes of the current schemas (run `npm run gen:codec` when this fails)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(generateCodecSource(SPECS));
  });

  it('has a codec for every message type, generated from its current schema', () => {
    for (const spec of SPECS) expect(GENERATED_CODECS[spec.type]?.signature, spec.type).toBe(schemaSignature(spec));
  });

  it('writes and reads the same bytes, messages (key order included) and errors as the interpreted fallback', () => {
    for (const spec of SPECS) {
      const g = GENERATED_CODECS[spec.type]!;
      const enc = interpretedEncoder(spec);
      const dec = interpretedDecoder(spec);
      for (let k = 0; k < 5; k++) {
        for (const withOptional of [true, false]) {
          const m = message(spec, k, withOptional);
          const a = encodeWith(g.encode, m);
          const b = encodeWith(enc, m);
          expect(a, `${spec.type} #${k}`).toEqual(b);
          const fromGenerated = g.decode(new ByteReader(a.bytes), a.strings);
          const fromInterpreted = dec(new ByteReader(a.bytes), a.strings);
          expect(JSON.stringify(fromGenerated), spec.type).toBe(JSON.stringify(fromInterpreted));
          expect(fromGenerated).toEqual(m);
          // Truncated input fails the same way in both.
          if (a.bytes.length > 0) {
            const cut = a.bytes.subarray(0, a.bytes.length - 1);
            expect(thrown(() => g.decode(new ByteReader(cut), a.strings)), spec.type).toBe(thrown(() => dec(new ByteReader(cut), a.strings)));
          }
        }
      }
      for (const f of spec.fields) {
        const bad = { ...message(spec, 0, true), [f.name]: f.scalar === 'str' ? 7 : 'nope' };
        const err = thrown(() => encodeWith(g.encode, bad));
        expect(err, `${spec.type}.${f.name}`).toMatch(new RegExp(`^${EncodeError.name}: ${spec.type}\\.${f.name}: `));
        expect(err).toBe(thrown(() => encodeWith(enc, bad)));
        if (!f.optional) {
          const missing = message(spec, 0, true);
          delete missing[f.name];
          expect(thrown(() => encodeWith(g.encode, missing))).toBe(`EncodeError: ${spec.type}.${f.name}: is required`);
          expect(thrown(() => encodeWith(enc, missing))).toBe(`EncodeError: ${spec.type}.${f.name}: is required`);
        }
      }
    }
  });
});
