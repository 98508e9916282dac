import { ByteReader, ByteWriter, DecodeError, putUint } from './bytes.ts';
import { interpretedDecoder, interpretedEncoder } from './codec-interpreted.ts';
import { EncodeError, schemaSignature, type Decoder, type DecoderInto, type Encoder } from './codec-support.ts';
import { GENERATED_CODECS } from './codec.generated.ts';
import { readContextBase, readContextStrings } from './frame-context.ts';
import { StringTable } from './string-table.ts';
import { COMMAND_SPECS, EVENT_SPECS, type Command, type CommandBody, type OrdoEvent, type Sequenced } from './events.ts';
import { hasMaskAt, type MessageSpec } from './schema.ts';

/**
 * Binary encoding of event frames and command batches.
 *
 * A frame holds many events (one log row, one ZeroMQ message). Strings are
 * interned once per frame; integers are varints; numbers are decimals (version 3; float64 before). The
 * version byte lets a newer build read older logs: message codes never change
 * meaning, and a message may only grow by appending optional fields.
 *
 * Frame:    'O' version session firstSeq count baseTs nStrings strings… events…
 * event:    code tsDelta srcIdx cseq [optionalMask] fields…
 * Commands: 'C' version nStrings strings… srcIdx count then per command: code cseq [mask] fields…
 *
 * Version 3 (decision 260) made a small frame smaller: baseTs is written as
 * `baseTs - TS_EPOCH + 1` (0 then the full value for a time before the
 * epoch), the first event has no tsDelta (its ts is baseTs), the source index
 * counts WELL_KNOWN_SOURCES first (the component names the product gives,
 * never in the string table) and the frame's own strings after them, an
 * event from the same source as the frame's event before it has its cseq as
 * the zig-zag difference from that event's, and f64 fields are in the
 * decimal form (bytes.ts putDecimal). Frames of
 * versions 1 and 2 are read as they were written.
 *
 * A message has a presence mask from its spec's `maskSince` version on (and
 * only if it has optional fields). Version 1 is the layout of the last
 * shipped build (a1c4d71); version 2 gave SessionClosing, ClientAdded,
 * OrderPending, CancelRequested, ReplaceRequested and CloseSession their mask
 * (their first optional fields). A frame is decoded with the decoder table of
 * its own version, chosen once per frame (decision 068). Frames are always
 * written at CODEC_VERSION.
 *
 * The per-type encoders and decoders are generated TypeScript
 * (codec.generated.ts, from codegen.ts; `npm run gen:codec`).
 */
export const FRAME_MAGIC = 0x4f;
export const COMMANDS_MAGIC = 0x43;
export const HEAD_MAGIC = 0x48;
export const CODEC_VERSION = 3;
/** The first codec version of the smaller frame (see above). */
const COMPACT_SINCE = 3;

/** Version 3's frame base timestamps count from 2020-01-01T00:00:00Z (µs): 7 varint bytes where 8 were. */
export const TS_EPOCH = 1_577_836_800_000_000;

/**
 * The event sources a version-3 frame names by a fixed number (its index here) instead of a string of the
 * frame's table: the sequencer, the host and the instances the host and supervisor name (`<role>-<n>`,
 * engine/host/host.ts, supervisor.ts). Part of the format like the message codes: append only, never
 * reordered. Any other source is a string of the frame's table.
 *
 * Written out as literals, not built as `${role}-${n}`: a literal is an internalized string, so a decoded source
 * compared with another source (the frame loop's `src === prevSrc`, CommandSeqs' ring of recent sources) is a
 * pointer compare inline. Built strings are not internalized, and every compare of two different ones called
 * V8's StringEqual builtin (decision 293).
 */
export const WELL_KNOWN_SOURCES: readonly string[] = [
  'sequencer', 'host',
  'proxy-1', 'proxy-2', 'proxy-3', 'proxy-4',
  'risk-1', 'risk-2', 'risk-3', 'risk-4',
  'router-1', 'router-2', 'router-3', 'router-4',
  'gateway-1', 'gateway-2', 'gateway-3', 'gateway-4',
  'monitor-1', 'monitor-2', 'monitor-3', 'monitor-4',
  'fix-1', 'fix-2', 'fix-3', 'fix-4',
];
const KNOWN_SOURCE = new Map(WELL_KNOWN_SOURCES.map((s, i) => [s, i]));
const KNOWN_COUNT = WELL_KNOWN_SOURCES.length;

export { EncodeError };

/** A frame or batch written by a newer Ordo (a higher codec version): this build cannot read it. */
export class NewerFormatError extends DecodeError {
  override name = 'NewerFormatError';
}

function readStringTable(r: ByteReader): string[] {
  const n = r.uint();
  if (n > r.end - r.pos) throw new DecodeError(`string table of ${n} entries cannot fit`);
  const list = new Array<string>(n);
  for (let i = 0; i < n; i++) list[i] = r.str();
  return list;
}

interface Codec {
  readonly spec: MessageSpec;
  readonly encode: Encoder;
  readonly decode: Decoder;
}

interface Codecs {
  readonly byType: Map<string, Codec>;
  /** The decoders for frames of codec version v: byVersion[v][code] (index 0 unused). */
  readonly byVersion: readonly (readonly (Codec | undefined)[])[];
  /** For frames of CODEC_VERSION: the kept-object decoder by code, where the type has one (decision 245). */
  readonly intoByCode: readonly (KeptDecoder | undefined)[];
}

/** A type's decoder into its one kept object (visitFrameReusing). */
interface KeptDecoder {
  readonly decode: DecoderInto;
  readonly into: Record<string, unknown>;
}

function compileAll(specs: { byType: Map<string, MessageSpec>; byCode: (MessageSpec | undefined)[] }): Codecs {
  const byType = new Map<string, Codec>();
  const byVersion: (Codec | undefined)[][] = [[]];
  const intoByCode: (KeptDecoder | undefined)[] = [];
  for (let v = 1; v <= CODEC_VERSION; v++) byVersion.push([]);
  for (const spec of specs.byType.values()) {
    if (spec.maskSince > CODEC_VERSION) throw new Error(`${spec.type}: maskSince ${spec.maskSince} is above CODEC_VERSION ${CODEC_VERSION}`);
    // The generated straight-line functions (codec.generated.ts), unless the schema changed since they were generated.
    const g = Object.hasOwn(GENERATED_CODECS, spec.type) ? GENERATED_CODECS[spec.type] : undefined;
    const fresh = g !== undefined && g.signature === schemaSignature(spec);
    const c: Codec = fresh ? { spec, encode: g.encode, decode: g.decode } : { spec, encode: interpretedEncoder(spec), decode: interpretedDecoder(spec) };
    byType.set(spec.type, c);
    // The kept-object decoder reads the current layout (the mask, if the type has optional fields).
    const current = hasMaskAt(spec, CODEC_VERSION) || !spec.fields.some((f) => f.optional);
    if (fresh && current && g.decodeInto !== undefined && g.blank !== undefined) intoByCode[spec.code] = { decode: g.decodeInto, into: g.blank() };
    let old: Codec | undefined;
    let raw: Codec | undefined;
    const hasF64 = spec.fields.some((f) => f.scalar === 'f64');
    for (let v = 1; v <= CODEC_VERSION; v++) {
      if (!hasMaskAt(spec, v) && spec.fields.some((f) => f.optional)) {
        // Before its mask the message had no optional field: the older layout's decoder (float64 numbers: masks
        // all came before version 3).
        old ??= { spec, encode: c.encode, decode: fresh && g.decodeNoMask !== undefined ? g.decodeNoMask : interpretedDecoder(spec, false, true) };
        byVersion[v]![spec.code] = old;
      } else if (v < COMPACT_SINCE && hasF64) {
        // Before version 3 numbers were float64 bytes.
        raw ??= { spec, encode: c.encode, decode: fresh && g.decodeF64 !== undefined ? g.decodeF64 : interpretedDecoder(spec, true, true) };
        byVersion[v]![spec.code] = raw;
      } else {
        byVersion[v]![spec.code] = c;
      }
    }
  }
  // Dense up to the highest code, so a lookup never reads a hole.
  for (const byCode of byVersion) for (let i = 0; i < byCode.length; i++) if (byCode[i] === undefined) byCode[i] = undefined;
  for (let i = 0; i < byVersion[CODEC_VERSION]!.length; i++) if (intoByCode[i] === undefined) intoByCode[i] = undefined;
  return { byType, byVersion, intoByCode };
}

const EVENT_CODECS = compileAll(EVENT_SPECS);
const COMMAND_CODECS = compileAll(COMMAND_SPECS);

/**
 * The codecs by type as a prototype-less object: a keyed load with an interned
 * type name is a stub-cache hit, cheaper than a Map lookup (which hashed the
 * name once per event: ~10 % of encodeFrame's time, decision 237).
 */
function typeTable(codecs: Codecs): Readonly<Record<string, Codec | undefined>> {
  const table = Object.create(null) as Record<string, Codec | undefined>;
  for (const [type, c] of codecs.byType) table[type] = c;
  return table;
}
const EVENT_BY_TYPE = typeTable(EVENT_CODECS);

/** `table[type]` when `type` is a string naming one of its codecs. */
function codecOf(table: Readonly<Record<string, Codec | undefined>>, type: unknown): Codec | undefined {
  return typeof type === 'string' ? table[type] : undefined;
}

/** The last event type encoded and its codec: a frame's events come in runs of one type (a fill after a fill). */
let lastType: unknown = undefined;
let lastCodec: Codec = undefined as unknown as Codec;
/** The last source encoded and its WELL_KNOWN_SOURCES index (-1: not one of them). */
let lastSrc: unknown = undefined;
let lastSrcKnown = -1;

/**
 * The first byte of a frame as the log stores it (decision 269, 275): `STORED_FRAME_TAG | count << 2 | (version &
 * 3)` (versions 3-6) in place of `'O' version session firstSeq count`, which the frame's row holds (its key and `n`).
 * A count of 1-31 (every frame a live host commits at 1 k orders/s) is in the tag; 0 there means the count
 * follows as on the wire (a larger frame, and every stored frame decision 269's build wrote: its tag 0x83 is
 * version 3 with the count after it). 'O' is 0x4F, so the two forms never share a first byte. Only versions
 * from STORED_SINCE are stored so; the wire (the bus, the replay service) always carries the full head:
 * engine/store/stored-frame.ts converts.
 */
export const STORED_FRAME_TAG = 0x80;
/** The lowest codec version a stored-form frame may have (the tag's low two bits: 3 is version 3, 0-2 versions 4-6). */
export const STORED_SINCE = 3;
/** The largest count a stored frame's tag holds. */
export const STORED_TAG_COUNT = 31;

/** The codec version a stored-form first byte names (whether or not this build reads it), or 0 when `b0` is not one. */
export function storedTagVersion(b0: number): number {
  return b0 >= STORED_FRAME_TAG ? ((b0 + 1) & 3) + STORED_SINCE : 0;
}

/** The codec version of a stored-form first byte this build reads, or 0 when `b0` is not one. */
export function storedVersion(b0: number): number {
  const v = storedTagVersion(b0);
  return v <= CODEC_VERSION ? v : 0;
}

/** The event count a stored-form first byte holds (1-31), or 0 when the count follows it. */
export function storedTagCount(b0: number): number {
  return (b0 >> 2) & STORED_TAG_COUNT;
}

/** The stored-form first byte of a frame of `version` with `count` events (the count in it when it fits). */
export function storedTag(version: number, count: number): number {
  return STORED_FRAME_TAG | (count <= STORED_TAG_COUNT ? count << 2 : 0) | (version & 3);
}

/** A frame's base timestamp as version `version` wrote it. */
function readBaseTs(r: ByteReader, version: number): number {
  if (version < COMPACT_SINCE) return r.uint();
  const x = r.uint();
  return x === 0 ? r.uint() : x - 1 + TS_EPOCH;
}

/** Reads the magic and version bytes; returns the version. */
function header(r: ByteReader, magic: number, what: string): number {
  const m = r.u8();
  if (m !== magic) {
    // A stored-form frame (decision 269) of a codec version above this build's: a newer Ordo wrote it.
    if (magic === FRAME_MAGIC && storedTagVersion(m) > CODEC_VERSION) throw newerFrame(storedTagVersion(m), what);
    throw new DecodeError(`not ${what} (magic byte ${m})`);
  }
  const v = r.u8();
  if (v < 1) throw new DecodeError(`${what} has version ${v}`);
  if (v > CODEC_VERSION) throw newerFrame(v, what);
  return v;
}

function newerFrame(v: number, what = 'an event frame'): NewerFormatError {
  return new NewerFormatError(`${what} of format version ${v}, written by a newer Ordo (this build reads versions up to ${CODEC_VERSION}): upgrade Ordo to read this log`);
}

/**
 * The head of a frame in either form: the wire's `'O' version session firstSeq count`, or a stored frame's
 * one byte and its count, with session and first seq from its row (`rowFirstSeq` >= 0; decision 269). Leaves
 * `r` at the base timestamp; the result is in `into`.
 */
function frameHead(r: ByteReader, into: Head, rowSession: number, rowFirstSeq: number): void {
  const b0 = r.buf[r.pos]!;
  if (rowFirstSeq >= 0 && b0 >= STORED_FRAME_TAG && r.pos < r.end) {
    const stored = storedVersion(b0);
    if (stored === 0) {
      const v = storedTagVersion(b0);
      if (v > CODEC_VERSION) throw newerFrame(v);
      throw new DecodeError(`not an event frame (first byte ${b0})`);
    }
    r.pos++;
    into.version = stored;
    // As small integers (Smis) where they fit, as r.uint() gives them: a row's key arithmetic (key % 2^36)
    // yields a double, and a double seq changes the map of every event the visitor is given (wrong-map
    // deoptimizations all through the projection, a HeapNumber per event: +20 % CPU on a replay).
    into.session = rowSession < SMI_LIMIT ? rowSession | 0 : rowSession;
    into.firstSeq = rowFirstSeq < SMI_LIMIT ? rowFirstSeq | 0 : rowFirstSeq;
    const k = storedTagCount(b0);
    into.count = k !== 0 ? k : r.uint();
    into.ctx = k !== 0 ? 1 : 0;
    return;
  }
  into.ctx = 0;
  into.version = header(r, FRAME_MAGIC, 'an event frame');
  into.session = r.uint();
  into.firstSeq = r.uint();
  into.count = r.uint();
}

const SMI_LIMIT = 2 ** 30;

interface Head {
  version: number;
  session: number;
  firstSeq: number;
  count: number;
  /** 1: a stored small frame, whose base time and strings refer to its session's (frame-context.ts, decision 278). */
  ctx: number;
}
const visitHead: Head = { version: 0, session: 0, firstSeq: 0, count: 0, ctx: 0 };

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
const headWriter = new ByteWriter(1 << 12);
const frameStrings = new StringTable();
const commandStrings = new StringTable();

/** `head` then `body` as one new array (one copy of each). */
function joined(head: ByteWriter, body: ByteWriter): Uint8Array {
  const out = new Uint8Array(head.pos + body.pos);
  copyInto(out, 0, head.buf, head.pos);
  copyInto(out, head.pos, body.buf, body.pos);
  return out;
}

/** The first `n` bytes of `src` into `out` at `at`; short runs by hand (a subarray view costs more than the copy). */
function copyInto(out: Uint8Array, at: number, src: Uint8Array, n: number): void {
  if (n > 64) {
    out.set(src.subarray(0, n), at);
    return;
  }
  for (let i = 0; i < n; i++) out[at + i] = src[i]!;
}

/**
 * Encodes events[start, end) (consecutive seqs, nondecreasing ts; all of them
 * by default) of one session as a frame. Throws EncodeError naming the field
 * if an event does not fit its schema.
 */
export function encodeFrame(session: number, events: readonly Sequenced[], start = 0, end = events.length): Uint8Array {
  if (end <= start) throw new EncodeError('a frame needs at least one event');
  const first = events[start]!;
  const strings = frameStrings;
  strings.clear();
  const w = bodyWriter;
  w.reset();
  let expect = first.seq;
  const baseTs = first.ts;
  const prev = framePrev;
  prev.src = undefined;
  for (let i = start; i < end; i++) {
    writeEvent(w, strings, events[i]!, expect++, baseTs, prev);
  }
  const h = headWriter;
  h.reset();
  writeHead(h, session, first.seq, end - start, baseTs, strings);
  return joined(h, w);
}

/** The source and cseq of a frame's event before the one being written (src undefined: none yet). */
interface PrevEvent {
  src: string | undefined;
  cseq: number;
}
const framePrev: PrevEvent = { src: undefined, cseq: 0 };
/** The largest cseq difference written as one (its zig-zag form stays a safe integer). */
const MAX_CSEQ_DELTA = 2 ** 51;

/**
 * One event of a frame into its body (`prev`: the frame's event before it, updated; none for the first, whose
 * ts is the base): checks that it is the `seq`th and not older than the frame's base.
 */
function writeEvent(w: ByteWriter, strings: StringTable, e: Sequenced, seq: number, baseTs: number, prev: PrevEvent): void {
  if (e.seq !== seq) throw new EncodeError(`frame seqs must be consecutive: ${e.seq} after ${seq - 1}`);
  const type = e.event.type;
  let c = lastCodec;
  if (type !== lastType) {
    const found = codecOf(EVENT_BY_TYPE, type);
    if (found === undefined) throw new EncodeError(`unknown event type ${String(type)}`);
    lastType = type;
    lastCodec = c = found;
  }
  if (e.ts < baseTs) throw new EncodeError(`frame timestamps must not go back (seq ${e.seq})`);
  // The event's head (code, ts delta, source index, cseq) with one ensure and a local position, one-byte
  // varints inline: the bytes of four ByteWriter.uint calls (decision 237).
  w.ensure(32);
  const b = w.buf;
  let p = w.pos;
  const code = c.spec.code;
  if (code < 0x80) b[p++] = code;
  else p = putUint(b, p, code);
  const first = prev.src === undefined;
  if (!first) {
    const dt = e.ts - baseTs;
    if (dt < 0x80) b[p++] = dt;
    else p = putUint(b, p, dt);
  }
  if (e.src !== lastSrc) {
    lastSrc = e.src;
    lastSrcKnown = KNOWN_SOURCE.get(e.src) ?? -1;
  }
  const src = lastSrcKnown >= 0 ? lastSrcKnown : KNOWN_COUNT + strings.id(e.src);
  if (src < 0x80) b[p++] = src;
  else p = putUint(b, p, src);
  let cseq = e.cseq;
  if (e.src === prev.src) {
    // The same source as the event before: its cseq as the zig-zag difference (usually 0 or 1: one byte).
    const d = cseq - prev.cseq;
    if (!(d < MAX_CSEQ_DELTA && d > -MAX_CSEQ_DELTA)) throw new EncodeError(`cseq ${cseq} of ${e.src} is too far from ${prev.cseq}`);
    cseq = d >= 0 ? d * 2 : -d * 2 - 1;
  }
  prev.src = e.src;
  prev.cseq = e.cseq;
  if (cseq < 0x80) b[p++] = cseq;
  else p = putUint(b, p, cseq);
  w.pos = p;
  c.encode(w, e.event as unknown as Record<string, unknown>, strings);
}

/** A frame's header: magic, version, session, first seq, event count, base timestamp, string table. */
function writeHead(h: ByteWriter, session: number, firstSeq: number, n: number, baseTs: number, strings: StringTable): void {
  h.u8(FRAME_MAGIC);
  h.u8(CODEC_VERSION);
  h.uint(session);
  h.uint(firstSeq);
  h.uint(n);
  if (baseTs >= TS_EPOCH) {
    h.uint(baseTs - TS_EPOCH + 1);
  } else {
    h.u8(0);
    h.uint(baseTs);
  }
  strings.writeTo(h);
}

/**
 * One frame built an event at a time: the same bytes as `encodeFrame(session, events)` over all the events
 * added, but the events need not all be held at once. The background compactor decodes a run of frames a
 * slice per loop turn; holding every decoded event until the last turn kept ~4,096 event objects alive across
 * turns, long enough to be copied by scavenges and promoted (issue 11's ack tail). Has its own string table
 * and writers, so frames encoded in between (the sequencer's) do not disturb it.
 */
export class FrameBuilder {
  /** Body writers of finished builders, grown to a merged frame's size: reused, not regrown from small for each frame. */
  private static readonly spare: ByteWriter[] = [];
  private readonly strings = new StringTable();
  private readonly prev: PrevEvent = { src: undefined, cseq: 0 };
  private readonly body = FrameBuilder.spare.pop() ?? new ByteWriter(1 << 16);
  private firstSeq = 0;
  private baseTs = 0;
  private n = 0;
  /** Finished: its body writer may already be another builder's. */
  private done = false;

  constructor(private readonly session: number) {}

  /** Events added so far. */
  get count(): number {
    return this.n;
  }

  /** Appends `e`; seqs must be consecutive and timestamps must not go back below the first's. */
  add(e: Sequenced): void {
    if (this.done) throw new EncodeError('the frame is already finished');
    if (this.n === 0) {
      this.firstSeq = e.seq;
      this.baseTs = e.ts;
    }
    writeEvent(this.body, this.strings, e, this.firstSeq + this.n, this.baseTs, this.prev);
    this.n++;
  }

  /** The frame's bytes. */
  finish(): Uint8Array {
    if (this.done) throw new EncodeError('the frame is already finished');
    if (this.n === 0) throw new EncodeError('a frame needs at least one event');
    this.done = true;
    const h = new ByteWriter(1 << 10);
    writeHead(h, this.session, this.firstSeq, this.n, this.baseTs, this.strings);
    const bytes = joined(h, this.body);
    this.body.reset();
    if (FrameBuilder.spare.length < 4) FrameBuilder.spare.push(this.body);
    return bytes;
  }
}

/** Reads a frame's header only. */
export function readFrameInfo(bytes: Uint8Array): FrameInfo {
  const r = new ByteReader(bytes);
  const version = header(r, FRAME_MAGIC, 'an event frame');
  const session = r.uint();
  const firstSeq = r.uint();
  const count = r.uint();
  return { session, firstSeq, count, baseTs: readBaseTs(r, version) };
}

/**
 * Decodes a frame event by event: `visit` gets each event with seq in
 * [from, to] (both inclusive; all by default) as soon as it is decoded, and no
 * array of the frame's events is built, so a replay keeps only the event in
 * hand alive. Every event is a fresh object the visitor may keep. The whole
 * frame is checked as it goes: a DecodeError may come after some events were
 * visited. The frame is bytes[start, end) (the whole array by default; a page
 * of frames read in one piece passes each frame's range and one `view` over
 * `bytes`).
 */
export function visitFrame(
  bytes: Uint8Array,
  visit: EventVisitor,
  from = 0,
  to = Number.MAX_SAFE_INTEGER,
  start = 0,
  end = bytes.length,
  view?: DataView,
  rowSession = -1,
  rowFirstSeq = -1,
): FrameInfo {
  const r = new ByteReader(bytes, start, end, view);
  const h = visitHead;
  frameHead(r, h, rowSession, rowFirstSeq);
  const version = h.version;
  const session = h.session;
  const firstSeq = h.firstSeq;
  const count = h.count;
  const baseTs = h.ctx === 1 ? readContextBase(r) : readBaseTs(r, version);
  if (count > end - start) throw new DecodeError(`frame claims ${count} events in ${end - start} bytes`);
  const strings = h.ctx === 1 ? readContextStrings(r) : readStringTable(r);
  // The frame's own version picks the decoders, once: the loop below has no version checks.
  const codecs = EVENT_CODECS.byVersion[version]!;
  const compact = version >= COMPACT_SINCE ? 1 : 0;
  visitEvents(r, end, count, firstSeq, baseTs, compact, strings, codecs, visit, from, to);
  if (!r.done) throw new DecodeError(`${r.end - r.pos} trailing bytes after frame`);
  return { session, firstSeq, count, baseTs };
}

/**
 * visitFrame for a caller that keeps nothing it is given (a replay into the OmsProjection, decision 245): the
 * `Sequenced` passed to `visit` is one object rewritten for every event, and the order lifecycle's events
 * (REUSABLE_TYPES in codegen.ts) are decoded into one kept object per type, absent optional fields as
 * undefined; other events are new objects as in visitFrame. So `visit` must not keep the Sequenced, its
 * event, or read either after it returns, and must not decode another frame this way inside its call.
 * Same checks, errors and return value as visitFrame; frames of an older codec version decode as there.
 */
export function visitFrameReusing(
  bytes: Uint8Array,
  visit: EventVisitor,
  from = 0,
  to = Number.MAX_SAFE_INTEGER,
  start = 0,
  end = bytes.length,
  view?: DataView,
  rowSession = -1,
  rowFirstSeq = -1,
): FrameInfo {
  const r = new ByteReader(bytes, start, end, view);
  const h = visitHead;
  frameHead(r, h, rowSession, rowFirstSeq);
  const version = h.version;
  const session = h.session;
  const firstSeq = h.firstSeq;
  const count = h.count;
  const baseTs = h.ctx === 1 ? readContextBase(r) : readBaseTs(r, version);
  if (count > end - start) throw new DecodeError(`frame claims ${count} events in ${end - start} bytes`);
  const strings = h.ctx === 1 ? readContextStrings(r) : readStringTable(r);
  const codecs = EVENT_CODECS.byVersion[version]!;
  const kept = version === CODEC_VERSION ? EVENT_CODECS.intoByCode : NONE_KEPT;
  const compact = version >= COMPACT_SINCE ? 1 : 0;
  visitEventsReusing(r, end, count, firstSeq, baseTs, compact, strings, codecs, kept, visit, from, to);
  if (!r.done) throw new DecodeError(`${r.end - r.pos} trailing bytes after frame`);
  return { session, firstSeq, count, baseTs };
}

const NONE_KEPT: readonly (KeptDecoder | undefined)[] = [];

/**
 * What visitFrame and visitFrameReusing call per event: the event and its message code (EVENT_DEFS' `code`; a
 * code never changes meaning, so it names the event's type in frames of every version). A visitor that
 * dispatches on the type may switch on the code instead of loading `e.event.type` from one of many shapes
 * (OmsProjection.applyCoded, decision 276); one that takes only the event is a visitor too.
 */
export type EventVisitor = (e: Sequenced, code: number) => void;

/*
 * The event loops of visitFrame and visitFrameReusing, each a function of its own that returns when its loop
 * ends. V8 optimizes a loop that runs thousands of times (a 4,096-event frame) while it is still in its first
 * call (on-stack replacement), before the code after the loop has ever run: with the frame's trailing-bytes
 * check in the same function, that code had no type feedback and the optimized loop deoptimized on leaving
 * it, and V8 could enter the same code again at the next frame's loop and deoptimize again, frame after frame
 * (0 to 1,522 deoptimizations per 1 M-event replay, depending on when the concurrent compiler finished;
 * docs/decisions/256). Here nothing follows the loop but the return; the check runs in the caller, which has
 * feedback by then.
 */

/** visitFrame's loop: events [0, count) of the frame whose string table and decoders are given. */
function visitEvents(
  r: ByteReader,
  end: number,
  count: number,
  firstSeq: number,
  baseTs: number,
  compact: number,
  strings: readonly string[],
  codecs: readonly (Codec | undefined)[],
  visit: EventVisitor,
  from: number,
  to: number,
): void {
  // The one-byte varints (the event code, the source's index) inline, as the generated decoders read theirs:
  // every ByteReader.uint that V8 inlines here spends the inlining budget of this loop.
  const b = r.buf;
  const known = compact === 0 ? 0 : KNOWN_COUNT;
  // A string from the start (never compared at i = 0): `src === prevSrc` then only ever sees strings, and with
  // the well-known sources (internalized) V8 compares them by pointer inline; undefined here made it call the
  // generic StrictEqual builtin for every event (decision 270).
  let prevSrc = '';
  let prevCseq = 0;
  for (let i = 0; i < count; i++) {
    let p = r.pos;
    let code = b[p]!;
    if (p < end && code < 0x80) r.pos = ++p;
    else code = r.uint();
    const c = code < codecs.length ? codecs[code] : undefined;
    if (c === undefined) throw new DecodeError(`unknown event code ${code} at seq ${firstSeq + i}`);
    // Version 3: the first event's ts is the base (compact = 1), and sources count WELL_KNOWN_SOURCES first (known).
    const ts = i < compact ? baseTs : baseTs + r.uint();
    p = r.pos;
    let at = b[p]!;
    if (p < end && at < 0x80) r.pos = ++p;
    else at = r.uint();
    const src = at < known ? WELL_KNOWN_SOURCES[at] : strings[at - known];
    if (src === undefined) throw new DecodeError(`bad source index at seq ${firstSeq + i}`);
    let cseq = r.uint();
    if (compact !== 0) {
      // Version 3: the same source as the event before, the cseq is the zig-zag difference from its.
      if (i !== 0 && src === prevSrc) cseq = prevCseq + (cseq % 2 === 0 ? cseq / 2 : -(cseq + 1) / 2);
      prevSrc = src;
      prevCseq = cseq;
    }
    const event = c.decode(r, strings) as unknown as OrdoEvent;
    const seq = firstSeq + i;
    if (seq >= from && seq <= to) visit({ seq, ts, src, cseq, event }, code);
  }
}

/** visitFrameReusing's loop (see visitEvents). */
function visitEventsReusing(
  r: ByteReader,
  end: number,
  count: number,
  firstSeq: number,
  baseTs: number,
  compact: number,
  strings: readonly string[],
  codecs: readonly (Codec | undefined)[],
  kept: readonly (KeptDecoder | undefined)[],
  visit: EventVisitor,
  from: number,
  to: number,
): void {
  const e = keptSequenced;
  const b = r.buf;
  const known = compact === 0 ? 0 : KNOWN_COUNT;
  // A string from the start (never compared at i = 0): `src === prevSrc` then only ever sees strings, and with
  // the well-known sources (internalized) V8 compares them by pointer inline; undefined here made it call the
  // generic StrictEqual builtin for every event (decision 270).
  let prevSrc = '';
  let prevCseq = 0;
  for (let i = 0; i < count; i++) {
    let p = r.pos;
    let code = b[p]!;
    if (p < end && code < 0x80) r.pos = ++p;
    else code = r.uint();
    const c = code < codecs.length ? codecs[code] : undefined;
    if (c === undefined) throw new DecodeError(`unknown event code ${code} at seq ${firstSeq + i}`);
    // Version 3: the first event's ts is the base (compact = 1), and sources count WELL_KNOWN_SOURCES first (known).
    // One float64 addition on both paths (+ 0 for the first event of a version-3 frame): a conditional between
    // baseTs and a sum made V8 box ts into a new HeapNumber per event (16 bytes of garbage; decision 266).
    const ts = baseTs + (i < compact ? 0 : r.uint());
    p = r.pos;
    let at = b[p]!;
    if (p < end && at < 0x80) r.pos = ++p;
    else at = r.uint();
    const src = at < known ? WELL_KNOWN_SOURCES[at] : strings[at - known];
    if (src === undefined) throw new DecodeError(`bad source index at seq ${firstSeq + i}`);
    let cseq = r.uint();
    if (compact !== 0) {
      // Version 3: the same source as the event before, the cseq is the zig-zag difference from its.
      if (i !== 0 && src === prevSrc) cseq = prevCseq + (cseq % 2 === 0 ? cseq / 2 : -(cseq + 1) / 2);
      prevSrc = src;
      prevCseq = cseq;
    }
    const k = code < kept.length ? kept[code] : undefined;
    const event = (k !== undefined ? k.decode(r, strings, k.into) : c.decode(r, strings)) as unknown as OrdoEvent;
    const seq = firstSeq + i;
    if (seq >= from && seq <= to) {
      e.seq = seq;
      e.ts = ts;
      e.src = src;
      e.cseq = cseq;
      e.event = event;
      visit(e, code);
    }
  }
}
/** visitFrameReusing's one Sequenced; ts starts as a non-small number so the field is a double from the start. */
const keptSequenced: { -readonly [K in keyof Sequenced]: Sequenced[K] } = { seq: 0, ts: 0.5, src: '', cseq: 0, event: { type: 'SessionReady', restoredOrders: 0 } as unknown as OrdoEvent };

/** Decodes a whole frame; throws DecodeError on anything malformed. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const events: Sequenced[] = [];
  const info = visitFrame(bytes, (e) => events.push(e));
  return { session: info.session, firstSeq: info.firstSeq, count: info.count, baseTs: info.baseTs, events };
}

/** Encodes a batch of commands from one component. */
export function encodeCommands(src: string, commands: readonly { cseq: number; body: CommandBody }[]): Uint8Array {
  const strings = commandStrings;
  strings.clear();
  const w = bodyWriter;
  w.reset();
  w.uint(strings.id(src));
  w.uint(commands.length);
  const codecs = COMMAND_CODECS.byType;
  for (let i = 0; i < commands.length; i++) {
    const cmd = commands[i]!;
    const c = codecs.get(cmd.body.type);
    if (c === undefined) throw new EncodeError(`unknown command type ${String(cmd.body.type)}`);
    if (!Number.isSafeInteger(cmd.cseq) || cmd.cseq < 1) throw new EncodeError(`commandSeq must be a whole number >= 1`);
    w.uint(c.spec.code);
    w.uint(cmd.cseq);
    c.encode(w, cmd.body as unknown as Record<string, unknown>, strings);
  }
  const h = headWriter;
  h.reset();
  h.u8(COMMANDS_MAGIC);
  h.u8(CODEC_VERSION);
  strings.writeTo(h);
  return joined(h, w);
}

/** Decodes a command batch; throws DecodeError naming the first problem. */
export function decodeCommands(bytes: Uint8Array): { src: string; commands: Command[] } {
  const r = new ByteReader(bytes);
  const version = header(r, COMMANDS_MAGIC, 'a command batch');
  const strings = readStringTable(r);
  const src = strings[r.uint()];
  if (src === undefined || src.length === 0) throw new DecodeError('command batch has no component id');
  const n = r.uint();
  if (n > bytes.length) throw new DecodeError(`batch claims ${n} commands in ${bytes.length} bytes`);
  const commands = new Array<Command>(n);
  const codecs = COMMAND_CODECS.byVersion[version]!;
  for (let i = 0; i < n; i++) {
    const code = r.uint();
    const c = code < codecs.length ? codecs[code] : undefined;
    if (c === undefined) throw new DecodeError(`unknown command code ${code}`);
    const cseq = r.uint();
    if (cseq < 1) throw new DecodeError('commandSeq must be >= 1');
    const body = c.decode(r, strings) as unknown as CommandBody;
    commands[i] = { src, cseq, body };
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
