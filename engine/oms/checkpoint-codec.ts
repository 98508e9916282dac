import { deserializeValues, firstValueBytes, serializeCompact, type NarrowColumns } from './checkpoint-columns.ts';
import { BytePool } from './order-table/byte-pool.ts';
import { FillChunk, FillTable } from './order-table/fill-table.ts';
import { IdIndex } from './order-table/id-index.ts';
import { NameTable } from './order-table/names.ts';
import { keepChunksNarrow, widenAll } from './order-table/narrow-chunks.ts';
import { OrderChunk, OrderRow, OrderTable } from './order-table/order-table.ts';
import { SeqChains } from './order-table/seq-chains.ts';
import { ClientBook } from './projection-clients.ts';
import { CommandSeqs } from './projection-cseq.ts';
import { OmsProjection } from './projection.ts';
import { ClientRisk, RiskState, type PackedMemory } from './exposure/risk-state.ts';
import type { PackedKeyText } from './exposure/recent-orders.ts';
import { RecentOrders } from './exposure/recent-orders.ts';
import { KeyTable } from './exposure/key-table.ts';
import { isPackedRequests, type PackedRequests } from './request-seqs.ts';

/**
 * In-session projection checkpoints (issue 11, decision 085): the whole
 * OmsProjection at a seq, as bytes, so that restart and the time machine
 * replay only the tail after it.
 *
 * The projection is plain data (typed-array columns, Maps, Sets, a few class
 * instances), so its bytes are V8's structured serialization of the object
 * graph (typed arrays copied as memory, shared objects kept shared), plus the
 * class of every class instance in it: V8 keeps no prototypes, so decoding
 * puts them back from CLASSES. A checkpoint is derivable data: one this build
 * cannot read (another format or V8 version, a class whose fields changed) is
 * refused by `decodeProjection`, and the caller replays from further back.
 */

/**
 * Bump when a projection class changes what a field means (a rename or a new field is caught without it).
 * 1: the projection alone (time machine only). 2: the start state (projection, risk state, the close's
 * awaiting set), so host start-up and a joining component resume from it (decision 140). 3: narrow integer
 * columns, the projection's risk flags in columns (decision 175), and the orders' requests by seq, so a host
 * with a FIX acceptor resumes from it too (decision 176).
 */
export const CHECKPOINT_FORMAT = 3;

/**
 * What a checkpoint holds (format 3): every folded state the host's start-up
 * and a joining component need that is a pure fold of the log, at one seq.
 * `risk` is absent only in a checkpoint written for the time machine alone
 * (tests): start-up refuses it.
 */
export interface CheckpointState {
  readonly projection: OmsProjection;
  readonly risk: RiskState | undefined;
  /** The sequencer policy's closing `awaiting` set (orders the close waits for), ascending; empty unless closing. */
  readonly awaiting: readonly number[];
  /** The orders' cancel and replace requests by seq (RequestSeqs, in columns); absent only in a projection-only checkpoint. */
  readonly requests?: PackedRequests | undefined;
}

type Ctor = abstract new (...args: never[]) => object;

/** Every class an OmsProjection's graph holds, with a way to make a fresh one (for the field check). */
const CLASSES: readonly { name: string; ctor: Ctor; fresh: () => object }[] = [
  { name: 'OmsProjection', ctor: OmsProjection, fresh: () => new OmsProjection() },
  { name: 'OrderTable', ctor: OrderTable, fresh: () => new OrderTable(0) },
  { name: 'OrderChunk', ctor: OrderChunk, fresh: () => new OrderChunk() },
  { name: 'OrderRow', ctor: OrderRow, fresh: () => new OrderRow(new OrderChunk(), new NameTable(), new SeqChains(), new FillTable(), new Map(), new Map()) },
  { name: 'FillTable', ctor: FillTable, fresh: () => new FillTable() },
  { name: 'FillChunk', ctor: FillChunk, fresh: () => new FillChunk() },
  { name: 'BytePool', ctor: BytePool, fresh: () => new BytePool() },
  { name: 'IdIndex', ctor: IdIndex, fresh: () => new IdIndex(0) },
  { name: 'NameTable', ctor: NameTable, fresh: () => new NameTable() },
  { name: 'SeqChains', ctor: SeqChains, fresh: () => new SeqChains() },
  { name: 'ClientBook', ctor: ClientBook, fresh: () => new ClientBook('') },
  { name: 'CommandSeqs', ctor: CommandSeqs, fresh: () => new CommandSeqs() },
  { name: 'RiskState', ctor: RiskState, fresh: () => new RiskState() },
  { name: 'ClientRisk', ctor: ClientRisk, fresh: () => new ClientRisk('') },
  // Risk's duplicate memory (empty in a checkpoint: the memory itself travels in columns, riskMemory).
  { name: 'RecentOrders', ctor: RecentOrders, fresh: () => new RecentOrders(0) },
  { name: 'KeyTable', ctor: KeyTable, fresh: () => new KeyTable() },
];

/**
 * Shapes of earlier builds that this build reads, by class index: round 16's SeqChains (`next,seqs,size`, every
 * link linked; decision 293 added the rows of links not yet linked), upgraded by `SeqChains.afterDecode`. Without
 * it every checkpoint written before the upgrade is refused once and the host replays from further back.
 */
const UPGRADABLE = new Map<number, string>([[CLASSES.findIndex((c) => c.ctor === SeqChains), 'next,seqs,size']]);

function upgradable(i: number, shape: unknown): boolean {
  return UPGRADABLE.get(i) === shape;
}

const BY_PROTO = new Map<object, number>(CLASSES.map((c, i) => [c.ctor.prototype as object, i]));

/** Own field names of a fresh instance of each class, joined: a checkpoint made by a build with other fields is refused. */
const SHAPES: readonly string[] = CLASSES.map((c) => Object.keys(c.fresh()).sort().join(','));

interface Body {
  readonly format: number;
  readonly v8: string;
  readonly shapes: readonly string[];
  readonly root: object;
  /** Every class instance in the graph, and its class (index into CLASSES). */
  readonly objects: readonly object[];
  readonly classes: readonly number[];
}

/** The checkpoint's bytes. Pure: reads `state`, changes nothing. */
export function encodeCheckpoint(state: CheckpointState): Buffer {
  const objects: object[] = [];
  const classes: number[] = [];
  const packed = state.risk?.packedForCheckpoint();
  // The projection's per-order risk flags travel in columns too (a shallow copy without them is what is serialized).
  const flags = packFlags((state.projection as unknown as WithFlags).flagMap);
  const projection = Object.assign(Object.create(OmsProjection.prototype) as OmsProjection, state.projection, { flagMap: new Map() });
  const root = { projection, risk: packed?.risk, awaiting: [...state.awaiting], flags };
  collect(root, objects, classes);
  const body: Body = { format: CHECKPOINT_FORMAT, v8: process.versions.v8, shapes: SHAPES, root, objects, classes };
  // What only start-up, a join and a checkpoint round read goes after the rest (decision 209): the time
  // machine reads the checkpoint's parts up to where it ends and no further.
  const extra: Extra = { riskMemory: packed && packKeys(packed.memory), requests: state.requests };
  return serializeCompact(body, extra);
}

/** The second value of a checkpoint: risk's duplicate memory (keys packed) and the orders' requests. */
interface Extra {
  readonly riskMemory?: (PackedMemory & Partial<PackedKeys>) | undefined;
  readonly requests?: PackedRequests | undefined;
}

/** A checkpoint of the projection alone (no risk state): enough for the time machine, refused by start-up. */
export function encodeProjection(p: OmsProjection): Buffer {
  return encodeCheckpoint({ projection: p, risk: undefined, awaiting: [] });
}

/** The projection a checkpoint holds (the time machine's read). Throws CheckpointFormatError like decodeCheckpoint. */
export function decodeProjection(bytes: Uint8Array): OmsProjection {
  return decodeCheckpoint(bytes).projection;
}

/**
 * The bytes to decode, as the decoder may keep them: Node's deserializer makes aligned typed arrays views
 * of the bytes it reads, not copies: decoding the same bytes twice (start-up's two owners) would share the
 * projections' columns, and a pooled Buffer's slab could be reused under them. A fresh copy of our own per
 * decode keeps every decoded state independent, unless the bytes are the caller's own (the copy of a
 * 5 M-event checkpoint's ~250 MB is a fifth of a decode). Parts (a checkpoint as stored, decision 209) are
 * always the caller's own: each column is then read where it lies, the whole never assembled.
 */
function ownBytes(bytes: Uint8Array | readonly Uint8Array[], owned: boolean): Uint8Array | readonly Uint8Array[] {
  if (!(bytes instanceof Uint8Array)) {
    if (!owned) throw new Error("a checkpoint in parts is decoded only from parts of the caller's own");
    return bytes;
  }
  if (owned && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  const own = new Uint8Array(bytes.byteLength);
  own.set(bytes);
  return own;
}

/**
 * How many leading bytes of a checkpoint a reader without the extras (decodeCheckpoint's `extras` false)
 * needs, from its first bytes (16 or more); undefined: all of them (a checkpoint written before decision 209).
 */
export function checkpointNeeds(head: Uint8Array): number | undefined {
  return firstValueBytes(head);
}

/** Why a checkpoint could not be read back (the caller logs it and replays from further back). */
export class CheckpointFormatError extends Error {}

/**
 * The state `encodeCheckpoint` wrote. Throws CheckpointFormatError for bytes
 * this build cannot trust. `riskMemory` false leaves risk's duplicate memory
 * empty (the costly part to rebuild: ~0.3 s of CPU at 1.1 M remembered orders since decision 255, over a second before):
 * for an owner that never checks duplicates (the sequencer policy, which
 * keeps risk's state for the close snapshot only). `bytes`: one buffer, or
 * the parts the checkpoint is stored in (then `owned` must be true: they are
 * read where they lie, never assembled, decision 209). `owned`: the caller
 * hands over bytes nothing else reads or reuses (a checkpoint read for this
 * one decode), so they are decoded in place. `extras` false (with
 * `riskMemory` false): risk's duplicate memory and the orders' requests are
 * not read (`requests` undefined), and `bytes` may stop where
 * checkpointNeeds says (the time machine, decision 209). `narrow` (the
 * time machine only: `owned` parts, no extras): the order and fill chunks'
 * narrow columns stay narrow until written (narrow-chunks.ts, decision 298).
 */
export function decodeCheckpoint(bytes: Uint8Array | readonly Uint8Array[], riskMemory = true, owned = false, extras = true, narrow = false): CheckpointState {
  let body: Body;
  let extra: Extra;
  const withExtras = extras || riskMemory;
  const narrowed: NarrowColumns | undefined = narrow && !withExtras ? new Map() : undefined;
  try {
    const got = deserializeValues(ownBytes(bytes, owned), withExtras, narrowed);
    body = got.value as Body;
    extra = (got.extra ?? {}) as Extra;
  } catch (err) {
    throw new CheckpointFormatError(`checkpoint does not decode: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || body.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointFormatError(`checkpoint format ${String((body as Partial<Body> | null)?.format)} is not ${CHECKPOINT_FORMAT}`);
  }
  if (body.v8 !== process.versions.v8) throw new CheckpointFormatError(`checkpoint written by V8 ${body.v8}, this is ${process.versions.v8}`);
  if (!Array.isArray(body.shapes) || body.shapes.length !== SHAPES.length || body.shapes.some((s, i) => s !== SHAPES[i] && !upgradable(i, s))) {
    throw new CheckpointFormatError('checkpoint written by a build whose projection has other fields');
  }
  const { objects, classes } = body;
  const root = body.root as (Partial<CheckpointState> & Extra & { flags?: PackedFlags }) | null;
  if (!Array.isArray(objects) || !Array.isArray(classes) || objects.length !== classes.length || typeof root !== 'object' || root === null) {
    throw new CheckpointFormatError('checkpoint has no class table');
  }
  for (let i = 0; i < objects.length; i++) {
    const c = CLASSES[classes[i]!];
    const o = objects[i];
    if (c === undefined || typeof o !== 'object' || o === null) throw new CheckpointFormatError('checkpoint names an unknown class');
    Object.setPrototypeOf(o, c.ctor.prototype as object);
  }
  if (narrowed !== undefined) settleNarrow(body.root, objects, narrowed);
  for (const o of objects) if (o instanceof SeqChains) o.afterDecode();
  if (!(root.projection instanceof OmsProjection)) throw new CheckpointFormatError('checkpoint does not hold a projection');
  if (root.risk !== undefined && !(root.risk instanceof RiskState)) throw new CheckpointFormatError('checkpoint does not hold a risk state');
  root.risk?.afterDecode();
  if (!Array.isArray(root.awaiting) || root.awaiting.some((x) => typeof x !== 'number')) throw new CheckpointFormatError('checkpoint does not hold the awaiting set');
  if (!isPackedFlags(root.flags)) throw new CheckpointFormatError('checkpoint does not hold the orders\' risk flags');
  (root.projection as unknown as WithFlags).flagMap = unpackFlags(root.flags);
  if (!withExtras) return { projection: root.projection, risk: root.risk, awaiting: root.awaiting, requests: undefined };
  // A checkpoint written before decision 209 holds them in its root.
  const memory = root.riskMemory ?? extra.riskMemory;
  const requests = root.requests ?? extra.requests;
  // The memory's keys stay one text: the rebuilt memory hashes them where they lie (decision 255).
  if (root.risk !== undefined && (typeof memory !== 'object' || (riskMemory && !isPackedMemory(memory)))) throw new CheckpointFormatError('checkpoint does not hold the risk state\'s duplicate memory');
  if (root.risk !== undefined && !isPackedRequests(requests)) throw new CheckpointFormatError('checkpoint does not hold the orders\' requests');
  let risk = root.risk;
  try {
    if (riskMemory) risk = risk?.withMemory(memory!);
  } catch (err) {
    throw new CheckpointFormatError(`checkpoint's risk memory does not read back: ${(err as Error).message}`);
  }
  return { projection: root.projection, risk, awaiting: root.awaiting, requests };
}

/**
 * Risk's duplicate memory with its keys (one per remembered order: client, symbol, side, quantity, price)
 * as one text (in a column) and their lengths: V8's deserializer made ~1.1 M separate strings at 5 M events, ~250 ms
 * of CPU and ~100 MB of heap, even for the readers that never rebuild the memory (the time machine, the
 * sequencer policy). The text is never split into strings: the owner that rebuilds the memory hashes each
 * key where it lies (RecentOrders.unpack, decision 255; splitting it was ~0.1 s and a Map of the strings ~0.6 s
 * more of a joining component's CPU). A checkpoint written with the keys as an array (before) still reads.
 */
type PackedKeys = PackedKeyText;

/**
 * The keys written straight into one buffer, key by key: joining them first made a ~30 MB string per
 * checkpoint (and a regular-expression scan and a copy of it), which a checkpoint round (~20 checkpoints
 * over a 5 M-event session) paid in GC: the round's GC CPU doubled (docs/notes/2026-11-30-r7/recov.md).
 * The bytes are the same as the joined text's.
 */
function packKeys(m: PackedMemory): PackedMemory & PackedKeys {
  const keys = m.keys;
  const keyLengths = new Int32Array(keys.length);
  let total = 0;
  let keyWide = false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    keyLengths[i] = k.length;
    total += k.length;
    // Only a key with a character past U+007F can hold one past U+00FF (UTF-8 length then exceeds it).
    if (!keyWide && Buffer.byteLength(k, 'utf8') !== k.length) keyWide = /[^\u0000-\u00ff]/.test(k);
  }
  const keyBytes = Buffer.allocUnsafe(keyWide ? total * 2 : total);
  const encoding = keyWide ? 'utf16le' : 'latin1';
  let at = 0;
  for (const k of keys) at += keyBytes.write(k, at, encoding);
  if (at !== keyBytes.length) throw new Error(`risk memory keys wrote ${at} of ${keyBytes.length} bytes`);
  return { ...m, keys: [], keyBytes, keyWide, keyLengths };
}

/** The projection's private map of orders' risk flags (locate, intentional): set at entry, only read after. */
type Flags = { locate?: boolean; intentional?: boolean };
interface WithFlags {
  flagMap: Map<number, Flags>;
}

/**
 * The flags map in columns: a map of hundreds of thousands of small objects
 * (a session where every order is `intentional`) took V8's deserializer and
 * the garbage collector a second at 5 M events; two columns take a copy.
 * Bit 1: locate, bit 2: intentional.
 */
interface PackedFlags {
  readonly ids: Float64Array;
  readonly bits: Uint8Array;
}

function packFlags(map: Map<number, Flags>): PackedFlags {
  const ids = new Float64Array(map.size);
  const bits = new Uint8Array(map.size);
  let i = 0;
  for (const [id, f] of map) {
    ids[i] = id;
    bits[i++] = (f.locate === true ? 1 : 0) | (f.intentional === true ? 2 : 0);
  }
  return { ids, bits };
}

/** One shared, frozen object per combination: the projection only spreads them into an order's terms. */
const FLAG_VALUES: readonly Flags[] = [{}, { locate: true }, { intentional: true }, { locate: true, intentional: true }].map((f) => Object.freeze(f));

function unpackFlags(p: PackedFlags): Map<number, Flags> {
  const map = new Map<number, Flags>();
  for (let i = 0; i < p.ids.length; i++) map.set(p.ids[i]!, FLAG_VALUES[p.bits[i]!]!);
  return map;
}

function isPackedFlags(f: unknown): f is PackedFlags {
  if (typeof f !== 'object' || f === null) return false;
  const p = f as PackedFlags;
  return p.ids instanceof Float64Array && p.bits instanceof Uint8Array && p.ids.length === p.bits.length && p.bits.every((b) => b > 0 && b < 4);
}

function isPackedMemory(m: unknown): m is PackedMemory {
  if (typeof m !== 'object' || m === null) return false;
  const p = m as PackedMemory & Partial<PackedKeys>;
  const n = p.queueKey?.length;
  const lists = p.listKey?.length;
  if (!Array.isArray(p.keys)) return false;
  // Keys as strings (a checkpoint written before the keys were packed), or as one text (decision 255 reads it where it lies).
  const text = p.keys.length === 0 && p.keyBytes instanceof Uint8Array && p.keyLengths instanceof Int32Array;
  const keys = text ? p.keyLengths!.length : p.keys.length;
  return (
    p.queueKey instanceof Int32Array && p.queueOrder instanceof Float64Array && p.queueOrder.length === n && p.queueTs instanceof Float64Array && p.queueTs.length === n &&
    p.listKey instanceof Int32Array && p.listCount instanceof Int32Array && p.listCount.length === lists && p.listOrder instanceof Float64Array && p.listTs instanceof Float64Array &&
    p.listTs.length === p.listOrder.length && p.listCount.reduce((a, b) => a + b, 0) === p.listOrder.length &&
    p.queueKey.every((k) => k >= 0 && k < keys) && p.listKey.every((k) => k >= 0 && k < keys)
  );
}

/**
 * After a decode that left narrowed columns narrow (decision 298): the order tables' chunks keep theirs
 * (widened on first write, narrow-chunks.ts); every other one is replaced where it is held by a widened copy,
 * as the decode would have made. One not found (a holder the walk does not know) refuses the checkpoint.
 */
function settleNarrow(root: object, objects: readonly object[], narrow: NarrowColumns): void {
  for (const o of objects) if (o instanceof OrderTable) keepChunksNarrow(o, narrow);
  if (narrow.size === 0) return;
  const wide = new Map<NodeJS.TypedArray, NodeJS.TypedArray>();
  const widened = (v: unknown): NodeJS.TypedArray | undefined => {
    const ctor = narrow.get(v as NodeJS.TypedArray);
    if (ctor === undefined) return undefined;
    let w = wide.get(v as NodeJS.TypedArray);
    if (w === undefined) {
      w = new ctor((v as NodeJS.TypedArray).length);
      w.set(v as ArrayLike<number> as never);
      wide.set(v as NodeJS.TypedArray, w);
    }
    return w;
  };
  const seen = new Set<object>();
  const stack: object[] = [root];
  const visit = (x: unknown, put: (w: NodeJS.TypedArray) => void) => {
    if (typeof x !== 'object' || x === null) return;
    const w = widened(x);
    if (w !== undefined) put(w);
    else stack.push(x);
  };
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (seen.has(v) || ArrayBuffer.isView(v) || v instanceof Set) continue;
    seen.add(v);
    if (v instanceof Map) {
      for (const [k, x] of v) visit(x, (w) => v.set(k, w));
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) visit(v[i], (w) => (v[i] = w));
    } else {
      const r = v as Record<string, unknown>;
      for (const k of Object.keys(r)) visit(r[k], (w) => (r[k] = w));
    }
  }
  if (wide.size !== narrow.size) throw new CheckpointFormatError(`checkpoint holds ${narrow.size - wide.size} narrow column(s) the decode could not widen`);
}

/** Depth-first over the graph: every class instance once (a shared one is visited once). */
function collect(root: object, objects: object[], classes: number[]): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (ArrayBuffer.isView(v)) continue;
    if (v instanceof Map) {
      for (const x of v.values()) if (typeof x === 'object' && x !== null) stack.push(x);
      continue;
    }
    if (v instanceof Set) continue;
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
      continue;
    }
    // A time machine's table with narrow chunks (decision 298) is written wide, as its own class.
    widenAll(v);
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto !== Object.prototype && proto !== null) {
      const k = BY_PROTO.get(proto);
      if (k === undefined) throw new Error(`checkpoint: the projection holds a ${(v as { constructor?: { name?: string } }).constructor?.name ?? 'object'} the codec does not know`);
      objects.push(v);
      classes.push(k);
    }
    for (const key of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[key];
      if (typeof x === 'object' && x !== null) stack.push(x);
    }
  }
}
