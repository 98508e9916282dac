import { ByteReader, ByteWriter, DecodeError } from './bytes.ts';
import { COMMAND_SPECS, EVENT_SPECS, type Command, type CommandBody, type OrdoEvent, type Sequenced } from './events.ts';
import type { MessageSpec } from './schema.ts';

/**
 * Binary encoding of event frames and command batches.
 *
 * A frame holds many events (one log row, one ZeroMQ message). Strings are
 * interned once per frame; integers are varints; prices are float64. The
 * version byte lets a newer build read older logs: message codes never change
 * meaning, and a message may only grow by appending optional fields.
 *
 * Frame v1: 'O' 1 session firstSeq count baseTs nStrings strings… events…
 * event:    code tsDelta srcIdx cseq [optionalMask] fields…
 * Commands: 'C' 1 nStrings strings… srcIdx count then per command: code cseq [mask] fields…
 */
export const FRAME_MAGIC = 0x4f;
export const COMMANDS_MAGIC = 0x43;
export const HEAD_MAGIC = 0x48;
export const CODEC_VERSION = 1;

export class EncodeError extends Error {
  override name = 'EncodeError';
}

class StringTable {
  readonly index = new Map<string, number>();
  readonly list: string[] = [];
  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.index.set(s, i);
      this.list.push(s);
    }
    return i;
  }
  writeTo(w: ByteWriter): void {
    w.uint(this.list.length);
    for (const s of this.list) w.str(s);
  }
}

function readStringTable(r: ByteReader): string[] {
  const n = r.uint();
  if (n > r.end - r.pos) throw new DecodeError(`string table of ${n} entries cannot fit`);
  const list = new Array<string>(n);
  for (let i = 0; i < n; i++) list[i] = r.str();
  return list;
}

function fail(spec: MessageSpec, field: string, why: string): never {
  throw new EncodeError(`${spec.type}.${field}: ${why}`);
}

function encodeFields(w: ByteWriter, spec: MessageSpec, msg: Record<string, unknown>, strings: StringTable): void {
  const fields = spec.fields;
  let mask = 0;
  let bit = 1;
  let hasOptional = false;
  for (const f of fields) {
    if (!f.optional) continue;
    hasOptional = true;
    if (msg[f.name] !== undefined) mask |= bit;
    bit <<= 1;
  }
  if (hasOptional) w.uint(mask);
  for (const f of fields) {
    const v = msg[f.name];
    if (v === undefined) {
      if (f.optional) continue;
      fail(spec, f.name, 'is required');
    }
    switch (f.scalar) {
      case 'uint':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(spec, f.name, 'must be a whole number >= 0');
        w.uint(v);
        break;
      case 'int':
        if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(spec, f.name, 'must be a whole number');
        w.int(v);
        break;
      case 'f64':
        if (typeof v !== 'number' || !Number.isFinite(v)) fail(spec, f.name, 'must be a finite number');
        w.f64(v);
        break;
      case 'str':
        if (typeof v !== 'string') fail(spec, f.name, 'must be a string');
        w.uint(strings.id(v));
        break;
      case 'bool':
        if (typeof v !== 'boolean') fail(spec, f.name, 'must be true or false');
        w.u8(v ? 1 : 0);
        break;
      case 'strs': {
        if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(spec, f.name, 'must be a list of strings');
        w.uint(v.length);
        for (const s of v as string[]) w.uint(strings.id(s));
        break;
      }
      case 'enum': {
        const i = f.values!.indexOf(v as string);
        if (i < 0) fail(spec, f.name, `must be one of ${f.values!.join(', ')}`);
        w.u8(i);
        break;
      }
    }
  }
}

function stringAt(strings: string[], i: number, spec: MessageSpec, field: string): string {
  const s = strings[i];
  if (s === undefined) throw new DecodeError(`${spec.type}.${field}: string #${i} is not in the table`);
  return s;
}

function decodeFields(r: ByteReader, spec: MessageSpec, strings: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { type: spec.type };
  const fields = spec.fields;
  let mask = 0;
  let bit = 1;
  const hasOptional = fields.some((f) => f.optional);
  if (hasOptional) mask = r.uint();
  for (const f of fields) {
    if (f.optional) {
      const present = (mask & bit) !== 0;
      bit <<= 1;
      if (!present) continue;
    }
    switch (f.scalar) {
      case 'uint':
        out[f.name] = r.uint();
        break;
      case 'int':
        out[f.name] = r.int();
        break;
      case 'f64': {
        const v = r.f64();
        if (!Number.isFinite(v)) throw new DecodeError(`${spec.type}.${f.name}: not a finite number`);
        out[f.name] = v;
        break;
      }
      case 'str':
        out[f.name] = stringAt(strings, r.uint(), spec, f.name);
        break;
      case 'bool': {
        const b = r.u8();
        if (b > 1) throw new DecodeError(`${spec.type}.${f.name}: bad boolean ${b}`);
        out[f.name] = b === 1;
        break;
      }
      case 'strs': {
        const n = r.uint();
        if (n > r.end - r.pos) throw new DecodeError(`${spec.type}.${f.name}: list of ${n} cannot fit`);
        const list = new Array<string>(n);
        for (let i = 0; i < n; i++) list[i] = stringAt(strings, r.uint(), spec, f.name);
        out[f.name] = list;
        break;
      }
      case 'enum': {
        const i = r.u8();
        const v = f.values![i];
        if (v === undefined) throw new DecodeError(`${spec.type}.${f.name}: bad enum index ${i}`);
        out[f.name] = v;
        break;
      }
    }
  }
  return out;
}

function header(r: ByteReader, magic: number, what: string): void {
  const m = r.u8();
  if (m !== magic) throw new DecodeError(`not ${what} (magic byte ${m})`);
  const v = r.u8();
  if (v < 1 || v > CODEC_VERSION) {
    throw new DecodeError(`${what} version ${v} is newer than this build reads (${CODEC_VERSION})`);
  }
}

/** Header of a frame without decoding its events. */
export interface FrameInfo {
  readonly session: number;
  readonly firstSeq: number;
  readonly count: number;
  readonly baseTs: number;
}

export interface Frame extends FrameInfo {
  readonly events: Sequenced[];
}

const bodyWriter = new ByteWriter(1 << 16);
const frameWriter = new ByteWriter(1 << 16);

/**
 * Encodes events (consecutive seqs, nondecreasing ts) of one session as a frame.
 * Throws EncodeError naming the field if an event does not fit its schema.
 */
export function encodeFrame(session: number, events: readonly Sequenced[]): Uint8Array {
  if (events.length === 0) throw new EncodeError('a frame needs at least one event');
  const first = events[0]!;
  const strings = new StringTable();
  const w = bodyWriter;
  w.reset();
  let expect = first.seq;
  for (const e of events) {
    if (e.seq !== expect) throw new EncodeError(`frame seqs must be consecutive: ${e.seq} after ${expect - 1}`);
    expect++;
    const spec = EVENT_SPECS.byType.get(e.event.type);
    if (!spec) throw new EncodeError(`unknown event type ${String(e.event.type)}`);
    if (e.ts < first.ts) throw new EncodeError(`frame timestamps must not go back (seq ${e.seq})`);
    w.uint(spec.code);
    w.uint(e.ts - first.ts);
    w.uint(strings.id(e.src));
    w.uint(e.cseq);
    encodeFields(w, spec, e.event as unknown as Record<string, unknown>, strings);
  }
  const f = frameWriter;
  f.reset();
  f.u8(FRAME_MAGIC);
  f.u8(CODEC_VERSION);
  f.uint(session);
  f.uint(first.seq);
  f.uint(events.length);
  f.uint(first.ts);
  strings.writeTo(f);
  f.bytes(w.buf.subarray(0, w.pos));
  return f.finish();
}

/** Reads a frame's header only. */
export function readFrameInfo(bytes: Uint8Array): FrameInfo {
  const r = new ByteReader(bytes);
  header(r, FRAME_MAGIC, 'an event frame');
  return { session: r.uint(), firstSeq: r.uint(), count: r.uint(), baseTs: r.uint() };
}

/** Decodes a whole frame; throws DecodeError on anything malformed. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const r = new ByteReader(bytes);
  header(r, FRAME_MAGIC, 'an event frame');
  const session = r.uint();
  const firstSeq = r.uint();
  const count = r.uint();
  const baseTs = r.uint();
  if (count > bytes.length) throw new DecodeError(`frame claims ${count} events in ${bytes.length} bytes`);
  const strings = readStringTable(r);
  const events = new Array<Sequenced>(count);
  for (let i = 0; i < count; i++) {
    const code = r.uint();
    const spec = EVENT_SPECS.byCode[code];
    if (!spec) throw new DecodeError(`unknown event code ${code} at seq ${firstSeq + i}`);
    const ts = baseTs + r.uint();
    const srcIdx = r.uint();
    const src = strings[srcIdx];
    if (src === undefined) throw new DecodeError(`bad source index at seq ${firstSeq + i}`);
    const cseq = r.uint();
    const event = decodeFields(r, spec, strings) as unknown as OrdoEvent;
    events[i] = { seq: firstSeq + i, ts, src, cseq, event };
  }
  if (!r.done) throw new DecodeError(`${r.end - r.pos} trailing bytes after frame`);
  return { session, firstSeq, count, baseTs, events };
}

/** Encodes a batch of commands from one component. */
export function encodeCommands(src: string, commands: readonly { cseq: number; body: CommandBody }[]): Uint8Array {
  const strings = new StringTable();
  const w = new ByteWriter(256 + commands.length * 48);
  w.uint(strings.id(src));
  w.uint(commands.length);
  for (const c of commands) {
    const spec = COMMAND_SPECS.byType.get(c.body.type);
    if (!spec) throw new EncodeError(`unknown command type ${String(c.body.type)}`);
    if (!Number.isSafeInteger(c.cseq) || c.cseq < 1) throw new EncodeError(`commandSeq must be a whole number >= 1`);
    w.uint(spec.code);
    w.uint(c.cseq);
    encodeFields(w, spec, c.body as unknown as Record<string, unknown>, strings);
  }
  const out = new ByteWriter(w.pos + 64);
  out.u8(COMMANDS_MAGIC);
  out.u8(CODEC_VERSION);
  strings.writeTo(out);
  out.bytes(w.buf.subarray(0, w.pos));
  return out.finish();
}

/** Decodes a command batch; throws DecodeError naming the first problem. */
export function decodeCommands(bytes: Uint8Array): { src: string; commands: Command[] } {
  const r = new ByteReader(bytes);
  header(r, COMMANDS_MAGIC, 'a command batch');
  const strings = readStringTable(r);
  const src = strings[r.uint()];
  if (src === undefined || src.length === 0) throw new DecodeError('command batch has no component id');
  const n = r.uint();
  if (n > bytes.length) throw new DecodeError(`batch claims ${n} commands in ${bytes.length} bytes`);
  const commands: Command[] = [];
  for (let i = 0; i < n; i++) {
    const code = r.uint();
    const spec = COMMAND_SPECS.byCode[code];
    if (!spec) throw new DecodeError(`unknown command code ${code}`);
    const cseq = r.uint();
    if (cseq < 1) throw new DecodeError('commandSeq must be >= 1');
    const body = decodeFields(r, spec, strings) as unknown as CommandBody;
    commands.push({ src, cseq, body });
  }
  if (!r.done) throw new DecodeError(`${r.end - r.pos} trailing bytes after commands`);
  return { src, commands };
}

/**
 * The sequencer's periodic "head" beacon on the event stream: the last seq of
 * the current session, so a subscriber whose last frame was lost notices.
 */
export function encodeHead(session: number, seq: number): Uint8Array {
  const w = new ByteWriter(24);
  w.u8(HEAD_MAGIC);
  w.u8(CODEC_VERSION);
  w.uint(session);
  w.uint(seq);
  return w.finish();
}

/** The beacon's position, or undefined if `bytes` is not a head beacon. */
export function decodeHead(bytes: Uint8Array): { session: number; seq: number } | undefined {
  if (bytes[0] !== HEAD_MAGIC) return undefined;
  const r = new ByteReader(bytes);
  header(r, HEAD_MAGIC, 'a head beacon');
  return { session: r.uint(), seq: r.uint() };
}
