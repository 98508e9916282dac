import { schemaSignature } from './codec-support.ts';
import type { FieldSpec, MessageSpec } from './schema.ts';

/*
 * Writes codec.generated.ts: for every message type one encoder and one
 * decoder as straight-line TypeScript with the field names as literals, so a
 * decoded message is built by one object literal (one hidden class per type)
 * and no per-field loop, switch or keyed property access runs per message.
 * The file is committed, type-checked and linted like any other; `npm run
 * gen:codec` rewrites it and test/engine/codec-generated.test.ts fails while
 * it differs from what this generator makes of the current schemas.
 *
 * Behaviour, checks and error messages are those of the schema rules:
 * - uint: a safe whole number >= 0 (varint); int: a safe whole number (zig-zag);
 * - f64: finite, in the decimal form (bytes.ts putDecimal; float64 bytes before codec version 3); str: an index into the frame's string table; bool: one byte 0/1;
 * - strs: a count and string indices; enum: one byte, the value's index;
 * - optional fields: a presence mask (varint, one bit per optional field in
 *   order) before the fields; an absent field is not written and not set.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function checkNames(spec: MessageSpec): void {
  if (!IDENTIFIER.test(spec.type)) throw new Error(`message type ${JSON.stringify(spec.type)} is not usable as a name`);
  for (const f of spec.fields) {
    if (!IDENTIFIER.test(f.name) || f.name === 'type') throw new Error(`${spec.type}: field name ${JSON.stringify(f.name)} is not usable`);
  }
}

const q = JSON.stringify;

/** Bytes a field takes at most (a varint of a safe integer: 8; a decimal: 9); a list of strings is made room for on its own. */
function maxBytes(f: FieldSpec): number {
  return f.scalar === 'bool' || f.scalar === 'enum' ? 1 : f.scalar === 'strs' ? 0 : f.scalar === 'f64' ? 9 : 8;
}

/*
 * An encoder makes room for the whole message once (ByteWriter.ensure with the
 * message's most bytes) and writes its fields into the buffer with a local
 * position: one- and two-byte varints inline, longer ones through putUint. A list of
 * strings (unbounded) stores the position, writes through the writer and
 * takes the buffer and position back. The bytes are those of the per-field
 * ByteWriter calls this replaced (decision 237).
 */
function encoderSource(spec: MessageSpec): string[] {
  const t = spec.type;
  const any = spec.fields.length > 0;
  const strings = spec.fields.some((f) => f.scalar === 'str' || f.scalar === 'strs');
  const optional = spec.fields.filter((f) => f.optional);
  const most = (optional.length > 0 ? 8 : 0) + spec.fields.reduce((n, f) => n + maxBytes(f), 0);
  // Unused parameters carry a leading underscore (the lint rule's convention).
  const lines: string[] = [
    `export function encode${t}(${any ? 'w' : '_w'}: ByteWriter, ${any ? 'm' : '_m'}: Readonly<Record<string, unknown>>, ${strings ? 'T' : '_T'}: StringIds): void {`,
  ];
  if (!any) {
    lines.push('}');
    return lines;
  }
  // One- and two-byte varints inline (counts, small ids, quantities), longer ones through putUint.
  const varint = (value: string, ind: string) => [
    `${ind}if (${value} < 128) {`,
    `${ind}  b[p++] = ${value};`,
    `${ind}} else if (${value} < 16384) {`,
    `${ind}  b[p++] = (${value} & 127) | 128;`,
    `${ind}  b[p++] = ${value} >>> 7;`,
    `${ind}} else {`,
    `${ind}  p = putUint(b, p, ${value});`,
    `${ind}}`,
  ];
  const lists = spec.fields.some((f) => f.scalar === 'strs');
  lines.push(`  w.ensure(${most});`, `  ${lists ? 'let' : 'const'} b = w.buf;`, '  let p = w.pos;');
  if (optional.length > 0) {
    lines.push('  let mask = 0;');
    optional.forEach((f, k) => lines.push(`  if (m[${q(f.name)}] !== undefined) mask |= ${2 ** k};`));
    lines.push(...varint('mask', '  '));
  }
  spec.fields.forEach((f, i) => {
    const bad = (why: string) => `encodeFail(${q(t)}, ${q(f.name)}, ${q(why)})`;
    const v = `v${i}`;
    lines.push(`  const ${v} = m[${q(f.name)}];`);
    lines.push(f.optional ? `  if (${v} !== undefined) {` : `  if (${v} === undefined) ${bad('is required')};`, ...(f.optional ? [] : ['  {']));
    switch (f.scalar) {
      case 'uint':
        lines.push(`    if (typeof ${v} !== 'number' || !Number.isSafeInteger(${v}) || ${v} < 0) ${bad('must be a whole number >= 0')};`, ...varint(v, '    '));
        break;
      case 'int':
        lines.push(`    if (typeof ${v} !== 'number' || !Number.isSafeInteger(${v})) ${bad('must be a whole number')};`);
        lines.push(`    const z = ${v} >= 0 ? ${v} * 2 : -${v} * 2 - 1;`, ...varint('z', '    '));
        break;
      case 'f64':
        lines.push(`    if (typeof ${v} !== 'number' || !Number.isFinite(${v})) ${bad('must be a finite number')};`, `    p = putDecimal(b, w.view, p, ${v});`);
        break;
      case 'str':
        lines.push(`    if (typeof ${v} !== 'string') ${bad('must be a string')};`, `    const id = T.id(${v});`, ...varint('id', '    '));
        break;
      case 'bool':
        lines.push(`    if (typeof ${v} !== 'boolean') ${bad('must be true or false')};`, `    b[p++] = ${v} ? 1 : 0;`);
        break;
      case 'strs':
        lines.push(`    if (!Array.isArray(${v}) || ${v}.some((s) => typeof s !== 'string')) ${bad('must be a list of strings')};`);
        lines.push('    w.pos = p;', `    w.uint(${v}.length);`, `    for (const s of ${v} as readonly string[]) w.uint(T.id(s));`);
        lines.push(`    w.ensure(${most});`, '    b = w.buf;', '    p = w.pos;');
        break;
      case 'enum': {
        lines.push(`    switch (${v}) {`);
        f.values!.forEach((value, i) => lines.push(`      case ${q(value)}:`, `        b[p++] = ${i};`, '        break;'));
        lines.push('      default:', `        ${bad(`must be one of ${f.values!.join(', ')}`)};`, '    }');
        break;
      }
    }
    lines.push('  }');
  });
  lines.push('  w.pos = p;', '}');
  return lines;
}

function tsType(f: FieldSpec, enumName: string): string {
  switch (f.scalar) {
    case 'uint':
    case 'int':
    case 'f64':
      return 'number';
    case 'str':
      return 'string | undefined';
    case 'bool':
      return 'boolean';
    case 'strs':
      return 'string[]';
    case 'enum':
      return `(typeof ${enumName})[number] | undefined`;
  }
}

/**
 * The decoder of `spec` as named (`decode<Type>`, or with a suffix for the
 * layout of an older codec version: see noMaskDecoder).
 */
function decoderSource(spec: MessageSpec, name = `decode${spec.type}`, into = false, rawF64 = false): { enums: string[]; lines: string[] } {
  const t = spec.type;
  const enums: string[] = [];
  const used = spec.fields.length > 0;
  const strings = spec.fields.some((f) => f.scalar === 'str' || f.scalar === 'strs');
  const bytes = spec.fields.some((f) => f.optional || (f.scalar !== 'int' && f.scalar !== 'f64'));
  const ends = bytes || (rawF64 && spec.fields.some((f) => f.scalar === 'f64'));
  const lines: string[] = [
    `export function ${name}(${used ? 'r' : '_r'}: ByteReader, ${strings ? 'S' : '_S'}: readonly string[]${into ? ', o: Record<string, unknown>' : ''}): Record<string, unknown> {`,
  ];
  if (bytes) lines.push('  const b = r.buf;');
  if (ends) lines.push('  const end = r.end;');
  if (used) lines.push('  let p = r.pos;');
  if (bytes) lines.push('  let x = 0;');
  // A varint: the one-byte case inline, longer ones (and truncation) through ByteReader.uint.
  const uint = (dst: string, ind: string) => [
    `${ind}if (p < end && (x = b[p]!) < 128) {`,
    `${ind}  p++;`,
    `${ind}  ${dst} = x;`,
    `${ind}} else {`,
    `${ind}  r.pos = p;`,
    `${ind}  ${dst} = r.uint();`,
    `${ind}  p = r.pos;`,
    `${ind}}`,
  ];
  const u8 = (dst: string, ind: string) => [`${ind}if (p >= end) {`, `${ind}  r.pos = p;`, `${ind}  r.u8();`, `${ind}}`, `${ind}${dst} = b[p++]!;`];
  const err = (field: string, msg: string) => `throw new DecodeError(${q(`${t}.${field}: `)} + ${msg});`;
  const optional = spec.fields.filter((f) => f.optional);
  if (optional.length > 0) lines.push('  let mask = 0;', ...uint('mask', '  '));
  let bit = 1;
  spec.fields.forEach((f, i) => {
    const v = `f${i}`;
    const enumName = `${t.toUpperCase()}_${f.name.toUpperCase()}`;
    if (f.scalar === 'enum') enums.push(`const ${enumName} = ${q(f.values)} as const;`);
    const declared = f.optional && f.scalar !== 'str' && f.scalar !== 'enum' ? `${tsType(f, enumName)} | undefined` : tsType(f, enumName);
    // Into a kept object an absent optional field is written as undefined: it starts so.
    lines.push(into && f.optional ? `  let ${v}: ${declared} = undefined;` : `  let ${v}: ${declared};`);
    if (f.optional) {
      lines.push(`  if ((mask & ${bit}) !== 0) {`);
      bit *= 2;
    } else {
      lines.push('  {');
    }
    const ind = '    ';
    switch (f.scalar) {
      case 'uint':
        lines.push(...uint(v, ind));
        break;
      case 'int':
        lines.push(`${ind}r.pos = p;`, `${ind}${v} = r.int();`, `${ind}p = r.pos;`);
        break;
      case 'f64':
        if (!rawF64) {
          // The decimal form (bytes.ts putDecimal): a varint below 2^31 with scale 0-6 inline, the rest (and the
          // float64 escape, scale 7) through ByteReader.dec.
          lines.push(`${ind}r.pos = p;`, `${ind}const d = r.uint();`, `${ind}if (d < 0x80000000 && (d & 7) !== 7) {`, `${ind}  const z = d >>> 3;`);
          lines.push(`${ind}  ${v} = ((z >>> 1) ^ -(z & 1)) / DECIMAL_SCALES[d & 7]!;`, `${ind}  p = r.pos;`, `${ind}} else {`, `${ind}  r.pos = p;`, `${ind}  ${v} = r.dec();`, `${ind}  p = r.pos;`, `${ind}}`);
          break;
        }
        lines.push(`${ind}if (p + 8 > end) {`, `${ind}  r.pos = p;`, `${ind}  r.f64();`, `${ind}}`, `${ind}${v} = r.view.getFloat64(p, true);`, `${ind}p += 8;`);
        lines.push(`${ind}if (${v} - ${v} !== 0) ${err(f.name, q('not a finite number'))}`);
        break;
      case 'str':
        lines.push(...uint('x', ind), `${ind}${v} = S[x];`, `${ind}if (${v} === undefined) ${err(f.name, '`string #${x} is not in the table`')}`);
        break;
      case 'bool':
        lines.push(...u8('x', ind), `${ind}if (x > 1) ${err(f.name, '`bad boolean ${x}`')}`, `${ind}${v} = x === 1;`);
        break;
      case 'strs':
        lines.push(`${ind}let n = 0;`, ...uint('n', ind), `${ind}if (n > end - p) ${err(f.name, '`list of ${n} cannot fit`')}`);
        lines.push(`${ind}const list = new Array<string>(n);`, `${ind}for (let k = 0; k < n; k++) {`, ...uint('x', `${ind}  `), `${ind}  const s = S[x];`);
        lines.push(`${ind}  if (s === undefined) ${err(f.name, '`string #${x} is not in the table`')}`, `${ind}  list[k] = s;`, `${ind}}`, `${ind}${v} = list;`);
        break;
      case 'enum':
        lines.push(...u8('x', ind), `${ind}${v} = ${enumName}[x];`, `${ind}if (${v} === undefined) ${err(f.name, '`bad enum index ${x}`')}`);
        break;
    }
    lines.push('  }');
  });
  if (into) {
    // Every field written, in the order blank<Type> made them: the object keeps one hidden class.
    spec.fields.forEach((f, i) => lines.push(`  o[${q(f.name)}] = f${i};`));
  } else {
    const required = spec.fields.map((f, i) => (f.optional ? '' : `, ${f.name}: f${i}`)).join('');
    lines.push(`  const o: Record<string, unknown> = { type: ${q(t)}${required} };`);
    bit = 1;
    spec.fields.forEach((f, i) => {
      if (!f.optional) return;
      lines.push(`  if ((mask & ${bit}) !== 0) o[${q(f.name)}] = f${i};`);
      bit *= 2;
    });
  }
  if (used) lines.push('  r.pos = p;');
  lines.push('  return o;', '}');
  return { enums, lines };
}

/**
 * For a message that got its presence mask in a later codec version
 * (maskSince > 1): the decoder of the older layout, without a mask and so
 * without any optional field (the message had none then). Undefined when
 * every version has the same layout.
 */
function noMaskDecoder(spec: MessageSpec): string[] | undefined {
  if (spec.maskSince <= 1 || !spec.fields.some((f) => f.optional)) return undefined;
  const old: MessageSpec = { ...spec, fields: spec.fields.filter((f) => !f.optional), maskSince: 1 };
  // Its enum constants are the full decoder's (same names): only the function is new.
  return [`/** ${spec.type} as frames of codec versions before ${spec.maskSince} hold it: no presence mask, no optional field. */`, ...decoderSource(old, `decode${spec.type}NoMask`, false, true).lines];
}

/** The codec version from which f64 fields are in the decimal form (bytes.ts putDecimal); float64 bytes before. */
export const DECIMAL_SINCE = 3;

/**
 * For a message with an f64 field whose mask (if any) is older than DECIMAL_SINCE: the decoder of its layout
 * in codec versions from its mask to DECIMAL_SINCE - 1, with float64 bytes. Undefined when no such version
 * differs from the current layout.
 */
function rawF64Decoder(spec: MessageSpec): string[] | undefined {
  if (!spec.fields.some((f) => f.scalar === 'f64') || spec.maskSince >= DECIMAL_SINCE) return undefined;
  return [`/** ${spec.type} as frames of codec versions before ${DECIMAL_SINCE} hold it: numbers as float64. */`, ...decoderSource(spec, `decode${spec.type}F64`, false, true).lines];
}

/**
 * The event types a replay may decode into one kept object each (decision 245): the order lifecycle's, which
 * make nearly every event of a session. Types with a list field are left out (a list is a new array anyway).
 */
export const REUSABLE_TYPES: ReadonlySet<string> = new Set([
  'OrderPending', 'OrderAccepted', 'OrderRouted', 'OrderAcknowledged', 'OrderExecuted', 'OrderCancelled', 'OrderExpired',
  'OrderRejected', 'VenueRejected', 'OrderParked', 'CancelRequested', 'CancelRejected', 'ReplaceRequested', 'ReplaceRejected',
  'OrderReplaced',
]);

/** A field's starting value in a kept object: of its own kind, so its first decode does not change the hidden class's field kinds. */
function blankValue(f: FieldSpec): string {
  if (f.optional) return 'undefined';
  switch (f.scalar) {
    case 'uint':
    case 'int':
    case 'f64':
      return '0';
    case 'str':
      return "''";
    case 'bool':
      return 'false';
    case 'strs':
      return '[]';
    case 'enum':
      return q(f.values?.[0] ?? '');
  }
}

/**
 * For a REUSABLE_TYPES message: `blank<Type>()` makes the kept object (every field, in schema order) and
 * `decode<Type>Into(r, S, o)` decodes into it, absent optional fields as undefined (decision 245).
 */
function intoSource(spec: MessageSpec): string[] | undefined {
  if (!REUSABLE_TYPES.has(spec.type) || spec.fields.some((f) => f.scalar === 'strs')) return undefined;
  const fields = spec.fields.map((f) => `, ${f.name}: ${blankValue(f)}`).join('');
  return [
    `/** ${spec.type}'s kept object for decode${spec.type}Into: every field, in schema order. */`,
    `export function blank${spec.type}(): Record<string, unknown> {`,
    `  return { type: ${q(spec.type)}${fields} };`,
    '}',
    '',
    `/** ${spec.type} decoded into a kept object (blank${spec.type}'s); absent optional fields become undefined. */`,
    ...decoderSource(spec, `decode${spec.type}Into`, true).lines,
  ];
}

/** The source of codec.generated.ts for these message specs (each type once). */
export function generateCodecSource(specs: Iterable<MessageSpec>): string {
  const seen = new Map<string, MessageSpec>();
  for (const s of specs) {
    checkNames(s);
    const before = seen.get(s.type);
    if (before !== undefined && schemaSignature(before) !== schemaSignature(s)) throw new Error(`${s.type} has two different schemas`);
    seen.set(s.type, s);
  }
  const all = [...seen.values()].sort((a, b) => a.code - b.code);
  const out: string[] = [
    '/*',
    ' * GENERATED by engine/protocol/codegen.ts from the message schemas in',
    ' * events.ts: do not edit. `npm run gen:codec` rewrites it;',
    ' * test/engine/codec-generated.test.ts fails while it is stale, and the codec',
    ' * uses a generated function only while its schema signature still matches.',
    ' */',
    "import { DECIMAL_SCALES, DecodeError, putDecimal, putUint, type ByteReader, type ByteWriter } from './bytes.ts';",
    "import { encodeFail, type GeneratedCodec, type StringIds } from './codec-support.ts';",
    '',
  ];
  const table: string[] = [];
  for (const spec of all) {
    const d = decoderSource(spec);
    const old = noMaskDecoder(spec);
    const raw = rawF64Decoder(spec);
    const into = intoSource(spec);
    out.push(`// ${spec.type} (code ${spec.code})`, ...d.enums, '', ...encoderSource(spec), '', ...d.lines, '', ...(old ? [...old, ''] : []), ...(raw ? [...raw, ''] : []), ...(into ? [...into, ''] : []));
    const noMask = (old ? `, decodeNoMask: decode${spec.type}NoMask` : '') + (raw ? `, decodeF64: decode${spec.type}F64` : '');
    const kept = into ? `, decodeInto: decode${spec.type}Into, blank: blank${spec.type}` : '';
    table.push(`  ${spec.type}: { signature: ${q(schemaSignature(spec))}, encode: encode${spec.type}, decode: decode${spec.type}${noMask}${kept} },`);
  }
  out.push(
    '/** Every generated codec by message type, with the schema signature it was generated from (and the decoder of its layout before its mask, and the kept-object decoder, if any). */',
    'export const GENERATED_CODECS: Readonly<Record<string, GeneratedCodec>> = {',
    ...table,
    '};',
    '',
  );
  return out.join('\n');
}
