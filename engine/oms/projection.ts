import { createHash } from 'node:crypto';
import { ORDER_STATES, ORDER_TYPES, SIDES, TIME_IN_FORCE, type OrderState, type OrderType, type SessionState, type Side, type TimeInForce } from '../../contract/domain.ts';
import type { EventOf, Sequenced } from '../protocol/events.ts';
import { asciiString } from '../protocol/bytes.ts';
import { reasonName } from '../protocol/reasons.ts';
import { NIL } from './store.ts';

/**
 * The OMS projection: the one deterministic fold of the event log that every
 * component, the view and the time machine share.
 *
 * Rules that keep it deterministic and replayable:
 * - Time comes only from each event's `ts`; no clock, no randomness, no I/O.
 * - `apply` never throws. An event that does not apply (unknown order, wrong
 *   state, terminal order, overfill, duplicate fill) is ignored, the same way
 *   on every replica.
 * - A projection covers one session: `SessionOpened` starts from empty, so a
 *   projection fed sessions 1 and 2 equals one fed only session 2.
 * - The runtime delivers events in seq order, each once; `apply` does not
 *   re-check that.
 */

/** Open notional is kept in integer units of 1/10,000 of the quote currency, so sums never drift. */
export const NOTIONAL_SCALE = 10_000;

export type VenueInfo = Readonly<Omit<EventOf<'VenueAdded'>, 'type'>>;
export type InstrumentInfo = Readonly<Omit<EventOf<'InstrumentAdded'>, 'type'>>;
export type ClientInfo = Readonly<Omit<EventOf<'ClientAdded'>, 'type'>>;

/** Session-level state as the log tells it. */
export interface SessionInfo {
  /** 0 before any SessionOpened. */
  readonly id: number;
  readonly state: SessionState;
  readonly previousSessionId: number;
  readonly orderIdBase: number;
  /** Orders restored from the previous session (SessionReady), and carried to the next (SessionClosed). */
  readonly restoredOrders: number;
  readonly carriedOrders: number;
  /** The session is closing as part of a roll: the next one opens as soon as it has closed (decision 074). */
  readonly rolling?: boolean;
}

/** An order as the projection holds it (read-only to everyone but the projection). */
export interface ReadonlyOrder {
  readonly orderId: number;
  readonly clientId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly quantity: number;
  /** 0 for market orders. */
  readonly price: number;
  readonly state: OrderState;
  readonly filledQuantity: number;
  /** quantity - filled while live, 0 once terminal. */
  readonly leavesQuantity: number;
  /** Volume-weighted average fill price, 0 until the first fill. */
  readonly avgPrice: number;
  readonly venue: string | undefined;
  /** Reason code of OrderRejected / VenueRejected, 0 otherwise. */
  readonly rejectCode: number;
  /** `REASON_NAME: text` of the rejection, if rejected. */
  readonly rejectReason: string | undefined;
  readonly createdTs: number;
  readonly updatedTs: number;
  /** Seqs (this session) of every event that touched the order, ascending; a fresh array per read. */
  readonly eventSeqs: readonly number[];
  /** A ReplaceRequested is waiting for OrderReplaced / ReplaceRejected. */
  readonly replacePending: boolean;
  /** A CancelRequested was seen and the order is still live. */
  readonly cancelPending: boolean;
  /** Price used for open notional: the limit price, or the reference price at entry for market orders. */
  readonly valuationPrice: number;
}

/** A fill, in log order. */
export interface FillRecord {
  readonly execId: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  readonly seq: number;
  readonly ts: number;
}

/** An alert raised and not yet cleared. */
export interface AlertRecord {
  readonly instance: string;
  readonly kind: string;
  readonly message: string;
  readonly seq: number;
  readonly ts: number;
}

/** Per-client state: static limits (once ClientAdded is seen), exposure and clientOrderId index. */
export interface ReadonlyClient {
  readonly clientId: string;
  /** Undefined while the client is unknown (orders may name a client that was never added). */
  readonly info: ClientInfo | undefined;
  /** Sum over non-terminal orders of leaves × valuation price. */
  readonly openNotional: number;
  /** True when the client may trade `symbol` (allowedSymbols lists it, or is "*"). */
  allows(symbol: string): boolean;
}

/** True for filled, cancelled, rejected and expired. */
export function isTerminal(state: OrderState): boolean {
  return state === 'filled' || state === 'cancelled' || state === 'rejected' || state === 'expired';
}

const NO_SYMBOLS: ReadonlySet<string> = new Set();

class ClientBook implements ReadonlyClient {
  info: ClientInfo | undefined = undefined;
  allowsAll = false;
  allowed: ReadonlySet<string> = NO_SYMBOLS;
  openUnits = 0;
  /**
   * clientOrderId → orderId of the first order that used it (rejected ones
   * included). Filled lazily (see OmsProjection.indexClientOrderIds): replay
   * never asks, so it never pays for it.
   */
  readonly clientOrderIds = new Map<string, number>();
  /** Its index in the session's OrderColumns.books (-1 until it has an order). */
  slot = -1;
  constructor(readonly clientId: string) {}

  get openNotional(): number {
    return this.openUnits / NOTIONAL_SCALE;
  }

  allows(symbol: string): boolean {
    return this.allowsAll || this.allowed.has(symbol);
  }

  setInfo(info: ClientInfo): void {
    this.info = info;
    this.allowsAll = info.allowedSymbols.includes('*');
    this.allowed = new Set(info.allowedSymbols);
  }
}

/** Order states as small codes (their index in ORDER_STATES); terminal ones are flagged in a table. */
const STATE_CODE = new Map<string, number>(ORDER_STATES.map((s, i) => [s, i]));
const PENDING = STATE_CODE.get('pending')!;
const ACCEPTED = STATE_CODE.get('accepted')!;
const REJECTED = STATE_CODE.get('rejected')!;
const ROUTED = STATE_CODE.get('routed')!;
const PARTIALLY_FILLED = STATE_CODE.get('partially_filled')!;
const FILLED = STATE_CODE.get('filled')!;
const CANCELLED = STATE_CODE.get('cancelled')!;
const EXPIRED = STATE_CODE.get('expired')!;
/** A state outside ORDER_STATES (a restored order may name one); its name is kept aside. */
const OTHER_STATE = 255;
/** By state code: 1 for the terminal states. */
const TERMINAL = new Uint8Array(256);
ORDER_STATES.forEach((s, i) => (TERMINAL[i] = isTerminal(s) ? 1 : 0));

const REPLACE_PENDING = 1;
const CANCEL_PENDING = 2;
const NO_VENUE = -1;

/**
 * Columns are stored in chunks of CHUNK rows: they grow by adding a chunk,
 * never by copying, and a row's chunk never moves. Row r is in chunk
 * r >>> SHIFT at index r & MASK.
 */
const SHIFT = 12;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

/** Bytes per chunk of the clientOrderId pool. */
const POOL_CHUNK = 1 << 16;

/** How far past the end of the dense range a new orderId may land and still be indexed densely. */
const MAX_DENSE_GAP = 4096;

/** CHUNK orders' fields, one typed array per field. */
class OrderChunk {
  readonly orderId = new Float64Array(CHUNK);
  readonly quantity = new Float64Array(CHUNK);
  readonly price = new Float64Array(CHUNK);
  readonly filledQuantity = new Float64Array(CHUNK);
  readonly leavesQuantity = new Float64Array(CHUNK);
  readonly avgPrice = new Float64Array(CHUNK);
  /** Σ fillQty × fillPrice; avgPrice = filledValue / filledQuantity. */
  readonly filledValue = new Float64Array(CHUNK);
  readonly valuationPrice = new Float64Array(CHUNK);
  /** This order's share of its client's openUnits. */
  readonly openUnits = new Float64Array(CHUNK);
  readonly rejectCode = new Float64Array(CHUNK);
  readonly createdTs = new Float64Array(CHUNK);
  readonly updatedTs = new Float64Array(CHUNK);
  /** First and last link of the order's seq chain; its latest fill (NIL before the first). */
  readonly firstSeqLink = new Int32Array(CHUNK);
  readonly lastSeqLink = new Int32Array(CHUNK);
  readonly lastFill = new Int32Array(CHUNK);
  /** Index into OrderColumns.books. */
  readonly book = new Int32Array(CHUNK);
  /** Indexes into OrderColumns.names; venue is NO_VENUE until routed. */
  readonly symbol = new Int32Array(CHUNK);
  readonly venue = new Int32Array(CHUNK);
  readonly side = new Int32Array(CHUNK);
  readonly type = new Int32Array(CHUNK);
  readonly timeInForce = new Int32Array(CHUNK);
  /** The clientOrderId's bytes in OrderColumns' pool: start and length (-1: not ASCII, kept aside). */
  readonly coidStart = new Float64Array(CHUNK);
  readonly coidLength = new Int32Array(CHUNK);
  readonly state = new Uint8Array(CHUNK);
  /** REPLACE_PENDING | CANCEL_PENDING. */
  readonly flags = new Uint8Array(CHUNK);
}

/**
 * The session's orders, one column per field, indexed by slot (the order's
 * rank of first appearance): numbers in typed arrays; symbols, venues, sides,
 * types and times in force as indexes into a small table of names; clients as
 * indexes into the list of client books; clientOrderIds as ASCII bytes in one
 * pool. Replaying millions of orders then leaves no JavaScript object behind
 * per order or per change, so the garbage collector has next to nothing to
 * copy, trace or compact. Readers get an OrderView over a slot.
 *
 * Orders are found by orderId through a dense index (the client proxy numbers
 * orders sequentially from the session's orderIdBase) and, for anything else
 * (restored orders of earlier sessions, a stray id far ahead), a map.
 */
class OrderColumns {
  size = 0;
  readonly chunks: OrderChunk[] = [];
  private readonly coid = new BytePool();
  private readonly otherCoid = new Map<number, string>();
  /** `REASON_NAME: text` of rejected orders, by slot. */
  readonly rejectReason = new Map<number, string>();
  /** Names of OTHER_STATE states, by slot. */
  private readonly otherState = new Map<number, string>();
  readonly books: ClientBook[] = [];
  readonly names: string[] = [...SIDES, ...ORDER_TYPES, ...TIME_IN_FORCE];
  private readonly nameIndex = new Map<string, number>(this.names.map((n, i) => [n, i]));
  private lastName: string | undefined = undefined;
  private lastNameIndex = 0;

  /** slot + 1 by orderId - base; 0 for none. */
  private dense = new Int32Array(0);
  private denseLength = 0;
  private readonly sparse = new Map<number, number>();

  constructor(private readonly base: number) {}

  /** The order's slot, or -1. */
  slotOf(orderId: number): number {
    const i = orderId - this.base;
    if (i >= 0 && i < this.denseLength) {
      const s = this.dense[i]!;
      if (s !== 0) return s - 1;
    }
    if (this.sparse.size === 0) return -1;
    return this.sparse.get(orderId) ?? -1;
  }

  /** The chunk holding slot `s` (its row there is s & MASK). */
  chunk(s: number): OrderChunk {
    return this.chunks[s >>> SHIFT]!;
  }

  /** The index of `name` in `names`, adding it if new. */
  name(name: string): number {
    if (name === this.lastName) return this.lastNameIndex;
    let i = this.nameIndex.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, i);
    }
    this.lastName = name;
    this.lastNameIndex = i;
    return i;
  }

  /** A new order (its id must not be in the table yet), in state PENDING with nothing filled. */
  add(
    orderId: number, book: ClientBook, clientOrderId: string, symbol: string, side: string, type: string, timeInForce: string,
    quantity: number, price: number, valuationPrice: number, ts: number, seqLink: number,
  ): number {
    const s = this.size;
    if ((s & MASK) === 0) this.chunks.push(new OrderChunk());
    const k = this.chunks[s >>> SHIFT]!;
    const i = s & MASK;
    this.index(orderId, s);
    this.size = s + 1;
    // A chunk is fresh (zeroed) and its rows are written once: the fields that start at 0 need no write.
    k.orderId[i] = orderId;
    k.quantity[i] = quantity;
    k.price[i] = price;
    k.leavesQuantity[i] = quantity;
    k.valuationPrice[i] = valuationPrice;
    k.createdTs[i] = ts;
    k.updatedTs[i] = ts;
    k.firstSeqLink[i] = seqLink;
    k.lastSeqLink[i] = seqLink;
    k.lastFill[i] = NIL;
    if (book.slot < 0) {
      book.slot = this.books.length;
      this.books.push(book);
    }
    k.book[i] = book.slot;
    k.symbol[i] = this.name(symbol);
    k.venue[i] = NO_VENUE;
    k.side[i] = side === 'buy' ? 0 : side === 'sell' ? 1 : this.name(side);
    k.type[i] = type === 'limit' ? 2 : type === 'market' ? 3 : this.name(type);
    k.timeInForce[i] = timeInForce === 'day' ? 4 : timeInForce === 'ioc' ? 5 : timeInForce === 'gtc' ? 6 : this.name(timeInForce);
    if (PENDING !== 0) k.state[i] = PENDING;
    const at = this.coid.putAscii(clientOrderId);
    if (at < 0) {
      k.coidLength[i] = -1;
      this.otherCoid.set(s, clientOrderId);
    } else {
      k.coidStart[i] = at;
      k.coidLength[i] = clientOrderId.length;
    }
    return s;
  }

  clientId(s: number): string {
    return this.books[this.chunk(s).book[s & MASK]!]!.clientId;
  }

  clientOrderId(s: number): string {
    const k = this.chunk(s);
    const n = k.coidLength[s & MASK]!;
    return n < 0 ? this.otherCoid.get(s)! : this.coid.ascii(k.coidStart[s & MASK]!, n);
  }

  stateName(s: number): OrderState {
    const code = this.chunk(s).state[s & MASK]!;
    return (code === OTHER_STATE ? this.otherState.get(s) : ORDER_STATES[code]) as OrderState;
  }

  setState(s: number, state: string): void {
    const code = STATE_CODE.get(state);
    const k = this.chunk(s);
    if (code !== undefined) {
      k.state[s & MASK] = code;
      this.otherState.delete(s);
    } else {
      k.state[s & MASK] = OTHER_STATE;
      this.otherState.set(s, state);
    }
  }

  venueName(s: number): string | undefined {
    const v = this.chunk(s).venue[s & MASK]!;
    return v === NO_VENUE ? undefined : this.names[v];
  }

  private index(orderId: number, slot: number): void {
    const i = orderId - this.base;
    if (i >= 0 && i < this.denseLength) {
      this.dense[i] = slot + 1;
    } else if (i >= this.denseLength && i <= this.denseLength + MAX_DENSE_GAP && Number.isSafeInteger(i)) {
      if (i >= this.dense.length) {
        const next = new Int32Array(Math.max(1024, (i + 1) * 2));
        next.set(this.dense.subarray(0, this.denseLength));
        this.dense = next;
      }
      this.dense[i] = slot + 1;
      this.denseLength = i + 1;
    } else {
      this.sparse.set(orderId, slot);
    }
  }
}

/** ASCII strings as bytes in chunks of 64 KiB (no object per string). A position is chunk × 64 Ki + offset. */
class BytePool {
  private readonly chunks: Uint8Array[] = [];
  /** Where the next string goes. */
  private used = 0;

  /** Stores `s` if it is ASCII and returns its position; -1 if it is not (nothing is kept). */
  putAscii(s: string): number {
    const n = s.length;
    if (n === 0) return 0;
    let at: number;
    let chunk: Uint8Array;
    if (n > POOL_CHUNK) {
      // A long string gets a chunk of its own; the next one starts a new chunk.
      at = this.chunks.length * POOL_CHUNK;
      chunk = new Uint8Array(n);
      this.chunks.push(chunk);
      this.used = this.chunks.length * POOL_CHUNK;
    } else {
      if (this.used + n > this.chunks.length * POOL_CHUNK) {
        this.used = this.chunks.length * POOL_CHUNK;
        this.chunks.push(new Uint8Array(POOL_CHUNK));
      }
      at = this.used;
      chunk = this.chunks[this.chunks.length - 1]!;
    }
    const off = at % POOL_CHUNK;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return -1;
      chunk[off + i] = c;
    }
    if (n <= POOL_CHUNK) this.used = at + n;
    return at;
  }

  /** The `n` characters stored at `at`. */
  ascii(at: number, n: number): string {
    if (n === 0) return '';
    return asciiString(this.chunks[Math.floor(at / POOL_CHUNK)]!, at % POOL_CHUNK, n);
  }
}

/**
 * Many singly linked lists of seqs in shared chunked columns: each order
 * keeps the link of its first and last seq; appending is O(1) and allocates
 * nothing but a new chunk now and then.
 */
class SeqChains {
  private readonly seqs: Float64Array[] = [];
  private readonly next: Int32Array[] = [];
  private size = 0;

  /** Appends `seq` after link `last` (NIL to start a chain); returns the new link. */
  append(last: number, seq: number): number {
    const l = this.size;
    if ((l & MASK) === 0) {
      this.seqs.push(new Float64Array(CHUNK));
      this.next.push(new Int32Array(CHUNK));
    }
    this.seqs[l >>> SHIFT]![l & MASK] = seq;
    this.next[l >>> SHIFT]![l & MASK] = NIL;
    if (last !== NIL) this.next[last >>> SHIFT]![last & MASK] = l;
    this.size = l + 1;
    return l;
  }

  /** The seqs of the chain starting at `first`, in order. */
  toArray(first: number): number[] {
    const out: number[] = [];
    for (let l = first; l !== NIL; l = this.next[l >>> SHIFT]![l & MASK]!) out.push(this.seqs[l >>> SHIFT]![l & MASK]!);
    return out;
  }
}

/** CHUNK fills' fields. */
class FillChunk {
  readonly execId = new Float64Array(CHUNK);
  readonly orderId = new Float64Array(CHUNK);
  readonly quantity = new Float64Array(CHUNK);
  readonly price = new Float64Array(CHUNK);
  readonly seq = new Float64Array(CHUNK);
  readonly ts = new Float64Array(CHUNK);
  /** Index of the previous fill of the same order, or NIL. */
  readonly prevOfOrder = new Int32Array(CHUNK);
}

/** Fills in log order, one column per field, each linked to the previous fill of its order. */
class FillColumns {
  readonly chunks: FillChunk[] = [];
  size = 0;

  push(execId: number, orderId: number, quantity: number, price: number, seq: number, ts: number, prev: number): number {
    const f = this.size;
    if ((f & MASK) === 0) this.chunks.push(new FillChunk());
    const k = this.chunks[f >>> SHIFT]!;
    const i = f & MASK;
    k.execId[i] = execId;
    k.orderId[i] = orderId;
    k.quantity[i] = quantity;
    k.price[i] = price;
    k.seq[i] = seq;
    k.ts[i] = ts;
    k.prevOfOrder[i] = prev;
    this.size = f + 1;
    return f;
  }

  /** The chunk holding fill `f` (its row there is f & MASK). */
  chunk(f: number): FillChunk {
    return this.chunks[f >>> SHIFT]!;
  }

  prev(f: number): number {
    return this.chunks[f >>> SHIFT]!.prevOfOrder[f & MASK]!;
  }

  /** True when the chain of fills ending at `last` has one with `execId`. */
  hasExec(last: number, execId: number): boolean {
    for (let f = last; f !== NIL; f = this.prev(f)) if (this.chunks[f >>> SHIFT]!.execId[f & MASK] === execId) return true;
    return false;
  }
}

/** A live, read-only view of one order's slot (it sees later changes). */
class OrderView implements ReadonlyOrder {
  private readonly k: OrderChunk;
  private readonly i: number;
  constructor(
    private readonly c: OrderColumns,
    private readonly chains: SeqChains,
    private readonly s: number,
  ) {
    this.k = c.chunk(s);
    this.i = s & MASK;
  }
  get orderId(): number {
    return this.k.orderId[this.i]!;
  }
  get clientId(): string {
    return this.c.clientId(this.s);
  }
  get clientOrderId(): string {
    return this.c.clientOrderId(this.s);
  }
  get symbol(): string {
    return this.c.names[this.k.symbol[this.i]!]!;
  }
  get side(): Side {
    return this.c.names[this.k.side[this.i]!] as Side;
  }
  get type(): OrderType {
    return this.c.names[this.k.type[this.i]!] as OrderType;
  }
  get timeInForce(): TimeInForce {
    return this.c.names[this.k.timeInForce[this.i]!] as TimeInForce;
  }
  get quantity(): number {
    return this.k.quantity[this.i]!;
  }
  get price(): number {
    return this.k.price[this.i]!;
  }
  get state(): OrderState {
    return this.c.stateName(this.s);
  }
  get filledQuantity(): number {
    return this.k.filledQuantity[this.i]!;
  }
  get leavesQuantity(): number {
    return this.k.leavesQuantity[this.i]!;
  }
  get avgPrice(): number {
    return this.k.avgPrice[this.i]!;
  }
  get venue(): string | undefined {
    return this.c.venueName(this.s);
  }
  get rejectCode(): number {
    return this.k.rejectCode[this.i]!;
  }
  get rejectReason(): string | undefined {
    return this.c.rejectReason.get(this.s);
  }
  get createdTs(): number {
    return this.k.createdTs[this.i]!;
  }
  get updatedTs(): number {
    return this.k.updatedTs[this.i]!;
  }
  /** A fresh array on every read. */
  get eventSeqs(): number[] {
    return this.chains.toArray(this.k.firstSeqLink[this.i]!);
  }
  get replacePending(): boolean {
    return (this.k.flags[this.i]! & REPLACE_PENDING) !== 0;
  }
  get cancelPending(): boolean {
    return (this.k.flags[this.i]! & CANCEL_PENDING) !== 0;
  }
  get valuationPrice(): number {
    return this.k.valuationPrice[this.i]!;
  }
}

/**
 * Compile-time exhaustiveness for the event switch. At run time an event type
 * this build does not know cannot arrive (the codec refuses unknown codes); if
 * one did, it is ignored rather than thrown, like every event that does not apply.
 */
function ignoreUnknownEvent(_event: never): void {}

/** The deterministic OMS state machine over the sequenced event log. */
export class OmsProjection {
  private sessionId = 0;
  private sessionState: SessionState = 'none';
  private previousSessionId = 0;
  private orderIdBase = 0;
  private restoredOrders = 0;
  private carriedOrders = 0;
  private rolling = false;
  private seq = 0;
  private ts = 0;
  private maxOrderId = 0;

  private venueMap = new Map<string, VenueInfo>();
  private instrumentMap = new Map<string, InstrumentInfo>();
  private clientMap = new Map<string, ClientBook>();
  private cols = new OrderColumns(0);
  private chains = new SeqChains();
  private fillCols = new FillColumns();
  /** How many orders (slots) the clientOrderId index has seen. */
  private coidIndexed = 0;
  /**
   * The last few command sources seen and their entries (a ring), so the
   * per-event cseq update rarely hashes: a busy log interleaves a handful of
   * sources.
   */
  private recentSrc: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  private recentEntry: { cseq: number }[] = [{ cseq: 0 }, { cseq: 0 }, { cseq: 0 }, { cseq: 0 }];
  private recentNext = 0;
  private activeByRole = new Map<string, string>();
  private alertMap = new Map<string, AlertRecord>();
  private cseqBySrc = new Map<string, { cseq: number }>();

  // ---- reading -----------------------------------------------------------

  /** Seq of the last event applied (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Sequencer time (µs) of the last event applied (0 before any). */
  get lastTs(): number {
    return this.ts;
  }

  get session(): SessionInfo {
    return {
      id: this.sessionId,
      state: this.sessionState,
      previousSessionId: this.previousSessionId,
      orderIdBase: this.orderIdBase,
      restoredOrders: this.restoredOrders,
      carriedOrders: this.carriedOrders,
      ...(this.rolling ? { rolling: true } : {}),
    };
  }

  /**
   * The orderId the active client proxy gives its next new order:
   * max(SessionOpened.orderIdBase, highest orderId seen + 1, 1).
   */
  get nextOrderId(): number {
    return Math.max(this.orderIdBase, this.maxOrderId + 1, 1);
  }

  get venues(): ReadonlyMap<string, VenueInfo> {
    return this.venueMap;
  }

  get instruments(): ReadonlyMap<string, InstrumentInfo> {
    return this.instrumentMap;
  }

  instrument(symbol: string): InstrumentInfo | undefined {
    return this.instrumentMap.get(symbol);
  }

  /** Clients that ClientAdded made known, in the order first seen. */
  *clients(): IterableIterator<ReadonlyClient> {
    for (const c of this.clientMap.values()) if (c.info !== undefined) yield c;
  }

  /** The client's state, also for a client only orders named (then `info` is undefined). */
  client(clientId: string): ReadonlyClient | undefined {
    return this.clientMap.get(clientId);
  }

  /** Open notional of a client: Σ over its non-terminal orders of leaves × valuation price. */
  openNotional(clientId: string): number {
    return this.clientMap.get(clientId)?.openNotional ?? 0;
  }

  /** The orderId that first used this clientOrderId for this client, if any. */
  orderIdForClientOrderId(clientId: string, clientOrderId: string): number | undefined {
    const book = this.clientMap.get(clientId);
    if (book === undefined) return undefined;
    this.indexClientOrderIds();
    return book.clientOrderIds.get(clientOrderId);
  }

  /** A live read-only view of the order (a new view object per call). */
  order(orderId: number): ReadonlyOrder | undefined {
    const s = this.cols.slotOf(orderId);
    return s < 0 ? undefined : new OrderView(this.cols, this.chains, s);
  }

  /** Every order of the session in the order it first appeared. */
  *orders(): IterableIterator<ReadonlyOrder> {
    const c = this.cols;
    const chains = this.chains;
    for (let s = 0; s < c.size; s++) yield new OrderView(c, chains, s);
  }

  get orderCount(): number {
    return this.cols.size;
  }

  get fillCount(): number {
    return this.fillCols.size;
  }

  /** The `i`th fill of the session (0-based, log order), as a fresh object. */
  fillAt(i: number): FillRecord | undefined {
    const f = this.fillCols;
    if (!(i >= 0 && i < f.size)) return undefined;
    const k = f.chunk(i);
    const r = i & MASK;
    const orderId = k.orderId[r]!;
    const c = this.cols;
    const s = c.slotOf(orderId);
    return {
      execId: k.execId[r]!,
      orderId,
      symbol: s < 0 ? '' : c.names[c.chunk(s).symbol[s & MASK]!]!,
      side: s < 0 ? 'buy' : (c.names[c.chunk(s).side[s & MASK]!] as Side),
      quantity: k.quantity[r]!,
      price: k.price[r]!,
      seq: k.seq[r]!,
      ts: k.ts[r]!,
    };
  }

  /** Fills in log order, as fresh objects. */
  *fills(): IterableIterator<FillRecord> {
    const n = this.fillCols.size;
    for (let i = 0; i < n; i++) yield this.fillAt(i)!;
  }

  /** True when the order has a fill with this execId ((orderId, execId) names a fill). */
  hasExec(orderId: number, execId: number): boolean {
    const s = this.cols.slotOf(orderId);
    if (s < 0) return false;
    const last = this.cols.chunk(s).lastFill[s & MASK]!;
    return last !== NIL && this.fillCols.hasExec(last, execId);
  }

  /** Fills of one order in log order. */
  fillsOf(orderId: number): FillRecord[] {
    const s = this.cols.slotOf(orderId);
    const out: FillRecord[] = [];
    for (let i = s < 0 ? NIL : this.cols.chunk(s).lastFill[s & MASK]!; i !== NIL; i = this.fillCols.prev(i)) out.push(this.fillAt(i)!);
    return out.reverse();
  }

  /** The instance the log names active for `role`, if any. */
  activeInstance(role: string): string | undefined {
    return this.activeByRole.get(role);
  }

  /** role → active instance. */
  get roles(): ReadonlyMap<string, string> {
    return this.activeByRole;
  }

  /** True when the log names `instance` active for some role. */
  isActive(instance: string): boolean {
    for (const i of this.activeByRole.values()) if (i === instance) return true;
    return false;
  }

  /** Alerts raised and not cleared, in the order raised. */
  alerts(): IterableIterator<AlertRecord> {
    return this.alertMap.values();
  }

  /**
   * Highest command seq of `instance` seen in this session's log (0 if none):
   * a restarted component numbers its next command from here + 1.
   */
  lastCseq(instance: string): number {
    return this.cseqBySrc.get(instance)?.cseq ?? 0;
  }

  // ---- applying ----------------------------------------------------------

  /** Applies a list of events in order. */
  applyAll(events: Iterable<Sequenced>): void {
    for (const e of events) this.apply(e);
  }

  /** Applies one sequenced event. Never throws; events that do not apply are ignored. */
  apply(e: Sequenced): void {
    const ev = e.event;
    // Most frequent first: replay speed depends on this switch.
    switch (ev.type) {
      case 'OrderExecuted':
        this.onExecuted(ev, e);
        break;
      case 'OrderPending':
        this.onPending(ev, e);
        break;
      case 'OrderAccepted': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s < 0) break;
        const k = c.chunk(s);
        const i = s & MASK;
        if (k.state[i] === PENDING) {
          k.state[i] = ACCEPTED;
          this.touch(k, i, e);
        }
        break;
      }
      case 'OrderRouted': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s < 0) break;
        const k = c.chunk(s);
        const i = s & MASK;
        // accepted → routed; a live routed order may be re-routed (venue changes, state does not).
        const st = k.state[i];
        if (st === ACCEPTED) k.state[i] = ROUTED;
        else if (st !== ROUTED && st !== PARTIALLY_FILLED) break;
        k.venue[i] = c.name(ev.venue);
        this.touch(k, i, e);
        break;
      }
      case 'OrderRejected': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s < 0) break;
        const st = c.chunk(s).state[s & MASK];
        if (st === PENDING || st === ACCEPTED) this.reject(s, ev.reason, ev.text, e);
        break;
      }
      case 'VenueRejected': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s < 0) break;
        const st = c.chunk(s).state[s & MASK];
        if (st === ACCEPTED || st === ROUTED) this.reject(s, ev.reason, ev.text, e);
        break;
      }
      case 'OrderCancelled':
        this.finish(ev.orderId, CANCELLED, e);
        break;
      case 'OrderExpired':
        this.finish(ev.orderId, EXPIRED, e);
        break;
      case 'CancelRequested':
        this.setPending(ev.orderId, CANCEL_PENDING, true, e);
        break;
      case 'CancelRejected':
        this.setPending(ev.orderId, CANCEL_PENDING, false, e);
        break;
      case 'ReplaceRequested':
        this.setPending(ev.orderId, REPLACE_PENDING, true, e);
        break;
      case 'ReplaceRejected':
        this.setPending(ev.orderId, REPLACE_PENDING, false, e);
        break;
      case 'OrderReplaced':
        this.onReplaced(ev, e);
        break;
      case 'OrderRestored':
        this.onRestored(ev, e);
        break;

      case 'SessionOpened':
        this.reset(ev.orderIdBase);
        this.sessionId = ev.sessionId;
        this.previousSessionId = ev.previousSessionId;
        this.sessionState = 'opening';
        break;
      case 'SessionReady':
        this.sessionState = 'open';
        this.restoredOrders = ev.restoredOrders;
        break;
      case 'SessionClosing':
        this.sessionState = 'closing';
        this.rolling = ev.roll === true;
        break;
      case 'SessionClosed':
        this.sessionState = 'closed';
        this.carriedOrders = ev.carriedOrders;
        break;

      case 'ComponentActivated':
        this.activeByRole.set(ev.role, ev.instance);
        break;
      case 'ComponentDeactivated':
      case 'ComponentStopped':
        if (this.activeByRole.get(ev.role) === ev.instance) this.activeByRole.delete(ev.role);
        break;
      case 'AlertRaised':
        this.alertMap.set(alertKey(ev.instance, ev.kind), {
          instance: ev.instance,
          kind: ev.kind,
          message: ev.message,
          seq: e.seq,
          ts: e.ts,
        });
        break;
      case 'AlertCleared':
        this.alertMap.delete(alertKey(ev.instance, ev.kind));
        break;

      case 'VenueAdded':
        this.venueMap.set(ev.venueId, { venueId: ev.venueId, name: ev.name });
        break;
      case 'InstrumentAdded': {
        const { type: _type, ...info } = ev;
        this.instrumentMap.set(ev.symbol, info);
        break;
      }
      case 'ClientAdded': {
        const { type: _type, ...info } = ev;
        this.book(ev.clientId).setInfo({ ...info, allowedSymbols: [...info.allowedSymbols] });
        break;
      }
      default:
        ignoreUnknownEvent(ev);
    }
    this.seq = e.seq;
    this.ts = e.ts;
    if (e.cseq > 0) {
      const src = e.src;
      const recent = this.recentSrc;
      let entry: { cseq: number } | undefined;
      for (let k = 0; k < 4; k++) {
        if (recent[k] === src) {
          entry = this.recentEntry[k]!;
          break;
        }
      }
      if (entry === undefined) {
        entry = this.cseqBySrc.get(src);
        if (entry === undefined) {
          entry = { cseq: 0 };
          this.cseqBySrc.set(src, entry);
        }
        const slot = this.recentNext;
        recent[slot] = src;
        this.recentEntry[slot] = entry;
        this.recentNext = (slot + 1) & 3;
      }
      if (e.cseq > entry.cseq) entry.cseq = e.cseq;
    }
  }

  private reset(base: number): void {
    this.previousSessionId = 0;
    this.rolling = false;
    this.orderIdBase = base;
    this.restoredOrders = 0;
    this.carriedOrders = 0;
    this.maxOrderId = 0;
    this.venueMap = new Map();
    this.instrumentMap = new Map();
    this.clientMap = new Map();
    this.cols = new OrderColumns(base);
    this.chains = new SeqChains();
    this.fillCols = new FillColumns();
    this.coidIndexed = 0;
    this.activeByRole = new Map();
    this.alertMap = new Map();
    this.cseqBySrc = new Map();
    this.recentSrc = [undefined, undefined, undefined, undefined];
    this.recentEntry = [{ cseq: 0 }, { cseq: 0 }, { cseq: 0 }, { cseq: 0 }];
    this.recentNext = 0;
  }

  /** Brings every client's clientOrderId index up to date with the orders seen so far. */
  private indexClientOrderIds(): void {
    const c = this.cols;
    for (let s = this.coidIndexed; s < c.size; s++) {
      const k = c.chunk(s);
      const ids = c.books[k.book[s & MASK]!]!.clientOrderIds;
      const coid = c.clientOrderId(s);
      if (!ids.has(coid)) ids.set(coid, k.orderId[s & MASK]!);
    }
    this.coidIndexed = c.size;
  }

  private book(clientId: string): ClientBook {
    let b = this.clientMap.get(clientId);
    if (b === undefined) {
      b = new ClientBook(clientId);
      this.clientMap.set(clientId, b);
    }
    return b;
  }

  private touch(k: OrderChunk, i: number, e: Sequenced): void {
    k.updatedTs[i] = e.ts;
    k.lastSeqLink[i] = this.chains.append(k.lastSeqLink[i]!, e.seq);
  }

  /** Re-derives the order's share of its client's open notional after any change. */
  private expose(k: OrderChunk, i: number): void {
    const units = TERMINAL[k.state[i]!] === 1 ? 0 : Math.round(k.leavesQuantity[i]! * k.valuationPrice[i]! * NOTIONAL_SCALE);
    const before = k.openUnits[i]!;
    if (units !== before) {
      this.cols.books[k.book[i]!]!.openUnits += units - before;
      k.openUnits[i] = units;
    }
  }

  /** Cancel/replace requested (`on`) or refused: sets or clears the flag (set only while live). */
  private setPending(orderId: number, flag: number, on: boolean, e: Sequenced): void {
    const c = this.cols;
    const s = c.slotOf(orderId);
    if (s < 0) return;
    const k = c.chunk(s);
    const i = s & MASK;
    if (!on) k.flags[i] = k.flags[i]! & ~flag;
    else if (TERMINAL[k.state[i]!] !== 1) k.flags[i] = k.flags[i]! | flag;
    this.touch(k, i, e);
  }

  private valuation(type: OrderType, price: number, symbol: string): number {
    if (type === 'limit') return price;
    return this.instrumentMap.get(symbol)?.referencePrice ?? 0;
  }

  private onPending(ev: EventOf<'OrderPending'>, e: Sequenced): void {
    const id = ev.orderId;
    if (id > this.maxOrderId) this.maxOrderId = id;
    const c = this.cols;
    if (c.slotOf(id) >= 0) return;
    const book = this.book(ev.clientId);
    const price = ev.orderType === 'market' ? 0 : ev.price;
    const s = c.add(
      id, book, ev.clientOrderId, ev.symbol, ev.side, ev.orderType, ev.timeInForce, ev.quantity, price,
      this.valuation(ev.orderType, price, ev.symbol), e.ts, this.chains.append(NIL, e.seq),
    );
    this.expose(c.chunk(s), s & MASK);
  }

  private onRestored(ev: EventOf<'OrderRestored'>, e: Sequenced): void {
    const id = ev.orderId;
    if (id > this.maxOrderId) this.maxOrderId = id;
    const c = this.cols;
    if (c.slotOf(id) >= 0 || ev.filledQuantity > ev.quantity) return;
    const book = this.book(ev.clientId);
    const price = ev.orderType === 'market' ? 0 : ev.price;
    const s = c.add(
      id, book, ev.clientOrderId, ev.symbol, ev.side, ev.orderType, ev.timeInForce, ev.quantity, price,
      this.valuation(ev.orderType, price, ev.symbol), e.ts, this.chains.append(NIL, e.seq),
    );
    c.setState(s, ev.state);
    const k = c.chunk(s);
    const i = s & MASK;
    k.filledQuantity[i] = ev.filledQuantity;
    k.leavesQuantity[i] = isTerminal(ev.state) ? 0 : ev.quantity - ev.filledQuantity;
    const avg = ev.filledQuantity > 0 ? ev.avgPrice : 0;
    k.avgPrice[i] = avg;
    k.filledValue[i] = avg * ev.filledQuantity;
    k.venue[i] = ev.venue === undefined ? NO_VENUE : c.name(ev.venue);
    this.expose(k, i);
  }

  private onExecuted(ev: EventOf<'OrderExecuted'>, e: Sequenced): void {
    const c = this.cols;
    const s = c.slotOf(ev.orderId);
    if (s < 0) return;
    const k = c.chunk(s);
    const i = s & MASK;
    const st = k.state[i];
    if (st !== ROUTED && st !== PARTIALLY_FILLED) return;
    const q = ev.fillQty;
    if (q <= 0 || q > k.leavesQuantity[i]!) return; // an overfill is a bug upstream: refuse it, keep filled <= quantity
    const execId = ev.execId;
    const fills = this.fillCols;
    const last = k.lastFill[i]!;
    if (last !== NIL && fills.hasExec(last, execId)) return; // (orderId, execId) names a fill: a repeat is ignored
    const filled = k.filledQuantity[i]! + q;
    k.filledQuantity[i] = filled;
    const leaves = k.quantity[i]! - filled;
    k.leavesQuantity[i] = leaves;
    const value = k.filledValue[i]! + q * ev.fillPrice;
    k.filledValue[i] = value;
    k.avgPrice[i] = value / filled;
    if (leaves === 0) {
      k.state[i] = FILLED;
      k.flags[i] = 0;
    } else {
      k.state[i] = PARTIALLY_FILLED;
    }
    k.lastFill[i] = fills.push(execId, k.orderId[i]!, q, ev.fillPrice, e.seq, e.ts, last);
    this.touch(k, i, e);
    this.expose(k, i);
  }

  private onReplaced(ev: EventOf<'OrderReplaced'>, e: Sequenced): void {
    const c = this.cols;
    const s = c.slotOf(ev.orderId);
    if (s < 0) return;
    const k = c.chunk(s);
    const i = s & MASK;
    if (TERMINAL[k.state[i]!] === 1) return;
    const q = ev.quantity;
    const limit = c.names[k.type[i]!] === 'limit';
    if (q <= 0 || q < k.filledQuantity[i]! || (limit && !(ev.price > 0))) return;
    k.quantity[i] = q;
    if (limit) {
      k.price[i] = ev.price;
      k.valuationPrice[i] = ev.price;
    }
    const leaves = q - k.filledQuantity[i]!;
    k.leavesQuantity[i] = leaves;
    // Replacing down to exactly the filled quantity completes the order.
    if (leaves === 0) {
      k.state[i] = FILLED;
      k.flags[i] = k.flags[i]! & ~CANCEL_PENDING;
    }
    k.flags[i] = k.flags[i]! & ~REPLACE_PENDING;
    this.touch(k, i, e);
    this.expose(k, i);
  }

  private reject(s: number, reason: number, text: string, e: Sequenced): void {
    const c = this.cols;
    const k = c.chunk(s);
    const i = s & MASK;
    k.state[i] = REJECTED;
    k.rejectCode[i] = reason;
    c.rejectReason.set(s, text.length > 0 ? `${reasonName(reason)}: ${text}` : reasonName(reason));
    k.leavesQuantity[i] = 0;
    k.flags[i] = 0;
    this.touch(k, i, e);
    this.expose(k, i);
  }

  private finish(orderId: number, state: number, e: Sequenced): void {
    const c = this.cols;
    const s = c.slotOf(orderId);
    if (s < 0) return;
    const k = c.chunk(s);
    const i = s & MASK;
    if (TERMINAL[k.state[i]!] === 1) return;
    k.state[i] = state;
    k.leavesQuantity[i] = 0;
    k.flags[i] = 0;
    this.touch(k, i, e);
    this.expose(k, i);
  }

  // ---- hashing -----------------------------------------------------------

  /**
   * SHA-256 (hex) over a canonical serialization of everything the log
   * determines: session, venues, instruments, clients (with open notional),
   * orders by orderId, fills in log order, active roles, alerts and command
   * seqs. (The clientOrderId index is left out: it is a function of the
   * orders.) Equal logs give equal hashes on any replica.
   */
  stateHash(): string {
    const h = new CanonicalHasher();
    h.line([
      'S', this.sessionId, this.sessionState, this.previousSessionId, this.orderIdBase,
      this.restoredOrders, this.carriedOrders, this.seq, this.ts, this.nextOrderId,
    ]);
    for (const k of sortedKeys(this.venueMap)) {
      const v = this.venueMap.get(k)!;
      h.line(['V', v.venueId, v.name]);
    }
    for (const k of sortedKeys(this.instrumentMap)) {
      const i = this.instrumentMap.get(k)!;
      h.line([
        'I', i.symbol, i.name, i.instrumentType, i.venue, i.currency, i.tickSize, i.lotSize, i.referencePrice,
        i.underlying ?? null, i.strike ?? null, i.expiry ?? null, i.putCall ?? null,
      ]);
    }
    for (const k of sortedKeys(this.clientMap)) {
      const c = this.clientMap.get(k)!;
      const info = c.info;
      h.line([
        'C', c.clientId, info?.name ?? null, info?.maxOrderNotional ?? null, info?.maxOpenNotional ?? null,
        info?.allowedSymbols ?? null, c.openUnits,
      ]);
    }
    const c = this.cols;
    const idOf = (s: number) => c.chunk(s).orderId[s & MASK]!;
    const slots = Array.from({ length: c.size }, (_, i) => i).sort((a, b) => idOf(a) - idOf(b));
    for (const s of slots) {
      const k = c.chunk(s);
      const i = s & MASK;
      const flags = k.flags[i]!;
      h.line([
        'O', k.orderId[i], c.clientId(s), c.clientOrderId(s), c.names[k.symbol[i]!], c.names[k.side[i]!], c.names[k.type[i]!],
        c.names[k.timeInForce[i]!], k.quantity[i], k.price[i], c.stateName(s), k.filledQuantity[i], k.leavesQuantity[i], k.avgPrice[i],
        k.filledValue[i], c.venueName(s) ?? null, k.rejectCode[i], c.rejectReason.get(s) ?? null, k.createdTs[i], k.updatedTs[i],
        (flags & REPLACE_PENDING) !== 0, (flags & CANCEL_PENDING) !== 0, k.valuationPrice[i], k.openUnits[i], this.chains.toArray(k.firstSeqLink[i]!),
      ]);
    }
    for (const f of this.fills()) h.line(['F', f.execId, f.orderId, f.symbol, f.side, f.quantity, f.price, f.seq, f.ts]);
    for (const k of sortedKeys(this.activeByRole)) h.line(['R', k, this.activeByRole.get(k)!]);
    for (const k of sortedKeys(this.alertMap)) {
      const a = this.alertMap.get(k)!;
      h.line(['A', a.instance, a.kind, a.message, a.seq, a.ts]);
    }
    for (const k of sortedKeys(this.cseqBySrc)) h.line(['Q', k, this.cseqBySrc.get(k)!.cseq]);
    return h.digest();
  }
}

function alertKey(instance: string, kind: string): string {
  return `${instance}\u0000${kind}`;
}

/** Code-unit order, independent of locale. */
function sortedKeys<K extends string | number>(m: ReadonlyMap<K, unknown>): K[] {
  return [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Feeds JSON lines to SHA-256 in ~64 KiB chunks. */
class CanonicalHasher {
  private readonly hash = createHash('sha256');
  private buf = '';
  line(values: readonly unknown[]): void {
    this.buf += JSON.stringify(values) + '\n';
    if (this.buf.length > 65_536) {
      this.hash.update(this.buf, 'utf8');
      this.buf = '';
    }
  }
  digest(): string {
    this.hash.update(this.buf, 'utf8');
    return this.hash.digest('hex');
  }
}
