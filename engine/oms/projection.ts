import { createHash } from 'node:crypto';
import { ORDER_STATES, ORDER_TYPES, SIDES, TIME_IN_FORCE, type OrderState, type OrderType, type SessionState, type Side, type TimeInForce } from '../../contract/domain.ts';
import type { EventOf, Sequenced } from '../protocol/events.ts';
import { asciiString } from '../protocol/bytes.ts';
import { reasonName } from '../protocol/reasons.ts';
import { FillColumns, NIL, SeqChains } from './store.ts';

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

/** How far past the end of the dense range a new orderId may land and still be indexed densely. */
const MAX_DENSE_GAP = 4096;

/**
 * The session's orders, one column per field, indexed by slot (the order's
 * rank of first appearance): numbers in typed arrays; symbols, venues, sides,
 * types and times in force as indexes into a small table of names; clients as
 * indexes into the list of client books; clientOrderIds as ASCII bytes in one
 * pool. Replaying millions of orders then leaves no JavaScript object behind
 * per order or per change, so the garbage collector has next to nothing to
 * copy, trace or compact, and memory per order is a few hundred bytes. Readers
 * get an OrderView over a slot.
 *
 * Orders are found by orderId through a dense index (the client proxy numbers
 * orders sequentially from the session's orderIdBase) and, for anything else
 * (restored orders of earlier sessions, a stray id far ahead), a map.
 */
class OrderColumns {
  size = 0;
  private capacity = 0;
  orderId = new Float64Array(0);
  quantity = new Float64Array(0);
  price = new Float64Array(0);
  filledQuantity = new Float64Array(0);
  leavesQuantity = new Float64Array(0);
  avgPrice = new Float64Array(0);
  /** Σ fillQty × fillPrice; avgPrice = filledValue / filledQuantity. */
  filledValue = new Float64Array(0);
  valuationPrice = new Float64Array(0);
  /** This order's share of its client's openUnits. */
  openUnits = new Float64Array(0);
  rejectCode = new Float64Array(0);
  createdTs = new Float64Array(0);
  updatedTs = new Float64Array(0);
  /** First and last link of the order's seq chain; its latest fill (NIL before the first). */
  firstSeqLink = new Int32Array(0);
  lastSeqLink = new Int32Array(0);
  lastFill = new Int32Array(0);
  /** Index into `books`. */
  book = new Int32Array(0);
  /** Indexes into `names`; venue is NO_VENUE until routed. */
  symbol = new Int32Array(0);
  venue = new Int32Array(0);
  side = new Int32Array(0);
  type = new Int32Array(0);
  timeInForce = new Int32Array(0);
  /** The clientOrderId's bytes in `coidBytes`: start and length (-1: not ASCII, kept in otherCoid). */
  coidStart = new Int32Array(0);
  coidLength = new Int32Array(0);
  state = new Uint8Array(0);
  /** REPLACE_PENDING | CANCEL_PENDING. */
  flags = new Uint8Array(0);

  private coidBytes = new Uint8Array(0);
  private coidUsed = 0;
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
    if (s === this.capacity) this.grow(s === 0 ? 1024 : s * 8);
    this.index(orderId, s);
    this.size = s + 1;
    // Slots are only ever appended to fresh (zeroed) columns: the fields that start at 0 need no write.
    this.orderId[s] = orderId;
    this.quantity[s] = quantity;
    this.price[s] = price;
    this.leavesQuantity[s] = quantity;
    this.valuationPrice[s] = valuationPrice;
    this.createdTs[s] = ts;
    this.updatedTs[s] = ts;
    this.firstSeqLink[s] = seqLink;
    this.lastSeqLink[s] = seqLink;
    this.lastFill[s] = NIL;
    if (book.slot < 0) {
      book.slot = this.books.length;
      this.books.push(book);
    }
    this.book[s] = book.slot;
    this.symbol[s] = this.name(symbol);
    this.venue[s] = NO_VENUE;
    this.side[s] = side === 'buy' ? 0 : side === 'sell' ? 1 : this.name(side);
    this.type[s] = type === 'limit' ? 2 : type === 'market' ? 3 : this.name(type);
    this.timeInForce[s] = timeInForce === 'day' ? 4 : timeInForce === 'ioc' ? 5 : timeInForce === 'gtc' ? 6 : this.name(timeInForce);
    if (PENDING !== 0) this.state[s] = PENDING;
    this.putClientOrderId(s, clientOrderId);
    return s;
  }

  clientId(s: number): string {
    return this.books[this.book[s]!]!.clientId;
  }

  clientOrderId(s: number): string {
    const n = this.coidLength[s]!;
    if (n < 0) return this.otherCoid.get(s)!;
    return asciiString(this.coidBytes, this.coidStart[s]!, n);
  }

  stateName(s: number): OrderState {
    const code = this.state[s]!;
    return (code === OTHER_STATE ? this.otherState.get(s) : ORDER_STATES[code]) as OrderState;
  }

  setState(s: number, state: string): void {
    const code = STATE_CODE.get(state);
    if (code !== undefined) {
      this.state[s] = code;
      this.otherState.delete(s);
    } else {
      this.state[s] = OTHER_STATE;
      this.otherState.set(s, state);
    }
  }

  venueName(s: number): string | undefined {
    const v = this.venue[s]!;
    return v === NO_VENUE ? undefined : this.names[v];
  }

  private putClientOrderId(s: number, coid: string): void {
    const n = coid.length;
    if (this.coidUsed + n > this.coidBytes.length) {
      const next = new Uint8Array(Math.max(1 << 16, (this.coidUsed + n) * 2));
      next.set(this.coidBytes.subarray(0, this.coidUsed));
      this.coidBytes = next;
    }
    const b = this.coidBytes;
    const at = this.coidUsed;
    for (let i = 0; i < n; i++) {
      const c = coid.charCodeAt(i);
      if (c >= 0x80) {
        this.coidStart[s] = 0;
        this.coidLength[s] = -1;
        this.otherCoid.set(s, coid);
        return;
      }
      b[at + i] = c;
    }
    this.coidStart[s] = at;
    this.coidLength[s] = n;
    this.coidUsed = at + n;
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

  /**
   * New columns of `n` slots. Growing eightfold copies little; the untouched
   * tail of a fresh column is zero pages the system maps in only when written,
   * so it costs address space, not memory.
   */
  private grow(n: number): void {
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array) => {
      const b = new Uint8Array(n);
      b.set(a);
      return b;
    };
    this.orderId = f64(this.orderId);
    this.quantity = f64(this.quantity);
    this.price = f64(this.price);
    this.filledQuantity = f64(this.filledQuantity);
    this.leavesQuantity = f64(this.leavesQuantity);
    this.avgPrice = f64(this.avgPrice);
    this.filledValue = f64(this.filledValue);
    this.valuationPrice = f64(this.valuationPrice);
    this.openUnits = f64(this.openUnits);
    this.rejectCode = f64(this.rejectCode);
    this.createdTs = f64(this.createdTs);
    this.updatedTs = f64(this.updatedTs);
    this.firstSeqLink = i32(this.firstSeqLink);
    this.lastSeqLink = i32(this.lastSeqLink);
    this.lastFill = i32(this.lastFill);
    this.book = i32(this.book);
    this.symbol = i32(this.symbol);
    this.venue = i32(this.venue);
    this.side = i32(this.side);
    this.type = i32(this.type);
    this.timeInForce = i32(this.timeInForce);
    this.coidStart = i32(this.coidStart);
    this.coidLength = i32(this.coidLength);
    this.state = u8(this.state);
    this.flags = u8(this.flags);
    this.capacity = n;
  }
}

/** A live, read-only view of one order's slot (it sees later changes). */
class OrderView implements ReadonlyOrder {
  constructor(
    private readonly c: OrderColumns,
    private readonly chains: SeqChains,
    private readonly s: number,
  ) {}
  get orderId(): number {
    return this.c.orderId[this.s]!;
  }
  get clientId(): string {
    return this.c.clientId(this.s);
  }
  get clientOrderId(): string {
    return this.c.clientOrderId(this.s);
  }
  get symbol(): string {
    return this.c.names[this.c.symbol[this.s]!]!;
  }
  get side(): Side {
    return this.c.names[this.c.side[this.s]!] as Side;
  }
  get type(): OrderType {
    return this.c.names[this.c.type[this.s]!] as OrderType;
  }
  get timeInForce(): TimeInForce {
    return this.c.names[this.c.timeInForce[this.s]!] as TimeInForce;
  }
  get quantity(): number {
    return this.c.quantity[this.s]!;
  }
  get price(): number {
    return this.c.price[this.s]!;
  }
  get state(): OrderState {
    return this.c.stateName(this.s);
  }
  get filledQuantity(): number {
    return this.c.filledQuantity[this.s]!;
  }
  get leavesQuantity(): number {
    return this.c.leavesQuantity[this.s]!;
  }
  get avgPrice(): number {
    return this.c.avgPrice[this.s]!;
  }
  get venue(): string | undefined {
    return this.c.venueName(this.s);
  }
  get rejectCode(): number {
    return this.c.rejectCode[this.s]!;
  }
  get rejectReason(): string | undefined {
    return this.c.rejectReason.get(this.s);
  }
  get createdTs(): number {
    return this.c.createdTs[this.s]!;
  }
  get updatedTs(): number {
    return this.c.updatedTs[this.s]!;
  }
  /** A fresh array on every read. */
  get eventSeqs(): number[] {
    return this.chains.toArray(this.c.firstSeqLink[this.s]!);
  }
  get replacePending(): boolean {
    return (this.c.flags[this.s]! & REPLACE_PENDING) !== 0;
  }
  get cancelPending(): boolean {
    return (this.c.flags[this.s]! & CANCEL_PENDING) !== 0;
  }
  get valuationPrice(): number {
    return this.c.valuationPrice[this.s]!;
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
  /** Last command source seen and its entry, so the per-event cseq update rarely hashes. */
  private lastSrc: string | undefined = undefined;
  private lastSrcEntry: { cseq: number } = { cseq: 0 };
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
    const orderId = f.orderId[i]!;
    const s = this.cols.slotOf(orderId);
    return {
      execId: f.execId[i]!,
      orderId,
      symbol: s < 0 ? '' : this.cols.names[this.cols.symbol[s]!]!,
      side: s < 0 ? 'buy' : (this.cols.names[this.cols.side[s]!] as Side),
      quantity: f.quantity[i]!,
      price: f.price[i]!,
      seq: f.seq[i]!,
      ts: f.ts[i]!,
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
    const last = this.cols.lastFill[s]!;
    return last !== NIL && this.fillCols.hasExec(last, execId);
  }

  /** Fills of one order in log order. */
  fillsOf(orderId: number): FillRecord[] {
    const s = this.cols.slotOf(orderId);
    const out: FillRecord[] = [];
    for (let i = s < 0 ? NIL : this.cols.lastFill[s]!; i !== NIL; i = this.fillCols.prevOfOrder[i]!) out.push(this.fillAt(i)!);
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
        if (s >= 0 && c.state[s] === PENDING) {
          c.state[s] = ACCEPTED;
          this.touch(s, e);
        }
        break;
      }
      case 'OrderRouted': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s < 0) break;
        // accepted → routed; a live routed order may be re-routed (venue changes, state does not).
        const st = c.state[s];
        if (st === ACCEPTED) c.state[s] = ROUTED;
        else if (st !== ROUTED && st !== PARTIALLY_FILLED) break;
        c.venue[s] = c.name(ev.venue);
        this.touch(s, e);
        break;
      }
      case 'OrderRejected': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s >= 0 && (c.state[s] === PENDING || c.state[s] === ACCEPTED)) this.reject(s, ev.reason, ev.text, e);
        break;
      }
      case 'VenueRejected': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s >= 0 && (c.state[s] === ACCEPTED || c.state[s] === ROUTED)) this.reject(s, ev.reason, ev.text, e);
        break;
      }
      case 'OrderCancelled':
        this.finish(ev.orderId, CANCELLED, e);
        break;
      case 'OrderExpired':
        this.finish(ev.orderId, EXPIRED, e);
        break;
      case 'CancelRequested': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s < 0) break;
        if (TERMINAL[c.state[s]!] !== 1) c.flags[s] = c.flags[s]! | CANCEL_PENDING;
        this.touch(s, e);
        break;
      }
      case 'CancelRejected': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s < 0) break;
        c.flags[s] = c.flags[s]! & ~CANCEL_PENDING;
        this.touch(s, e);
        break;
      }
      case 'ReplaceRequested': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s < 0) break;
        if (TERMINAL[c.state[s]!] !== 1) c.flags[s] = c.flags[s]! | REPLACE_PENDING;
        this.touch(s, e);
        break;
      }
      case 'ReplaceRejected': {
        const c = this.cols;
        const s = c.slotOf(ev.orderId);
        if (s < 0) break;
        c.flags[s] = c.flags[s]! & ~REPLACE_PENDING;
        this.touch(s, e);
        break;
      }
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
      let entry = this.lastSrcEntry;
      if (e.src !== this.lastSrc) {
        const found = this.cseqBySrc.get(e.src);
        if (found === undefined) {
          entry = { cseq: 0 };
          this.cseqBySrc.set(e.src, entry);
        } else {
          entry = found;
        }
        this.lastSrc = e.src;
        this.lastSrcEntry = entry;
      }
      if (e.cseq > entry.cseq) entry.cseq = e.cseq;
    }
  }

  private reset(base: number): void {
    this.previousSessionId = 0;
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
    this.lastSrc = undefined;
    this.lastSrcEntry = { cseq: 0 };
  }

  /** Brings every client's clientOrderId index up to date with the orders seen so far. */
  private indexClientOrderIds(): void {
    const c = this.cols;
    for (let s = this.coidIndexed; s < c.size; s++) {
      const ids = c.books[c.book[s]!]!.clientOrderIds;
      const coid = c.clientOrderId(s);
      if (!ids.has(coid)) ids.set(coid, c.orderId[s]!);
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

  private touch(s: number, e: Sequenced): void {
    const c = this.cols;
    c.updatedTs[s] = e.ts;
    c.lastSeqLink[s] = this.chains.append(c.lastSeqLink[s]!, e.seq);
  }

  /** Re-derives the order's share of its client's open notional after any change. */
  private expose(s: number): void {
    const c = this.cols;
    const units = TERMINAL[c.state[s]!] === 1 ? 0 : Math.round(c.leavesQuantity[s]! * c.valuationPrice[s]! * NOTIONAL_SCALE);
    const before = c.openUnits[s]!;
    if (units !== before) {
      c.books[c.book[s]!]!.openUnits += units - before;
      c.openUnits[s] = units;
    }
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
    this.expose(s);
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
    c.filledQuantity[s] = ev.filledQuantity;
    c.leavesQuantity[s] = isTerminal(ev.state) ? 0 : ev.quantity - ev.filledQuantity;
    const avg = ev.filledQuantity > 0 ? ev.avgPrice : 0;
    c.avgPrice[s] = avg;
    c.filledValue[s] = avg * ev.filledQuantity;
    c.venue[s] = ev.venue === undefined ? NO_VENUE : c.name(ev.venue);
    this.expose(s);
  }

  private onExecuted(ev: EventOf<'OrderExecuted'>, e: Sequenced): void {
    const c = this.cols;
    const s = c.slotOf(ev.orderId);
    if (s < 0) return;
    const st = c.state[s];
    if (st !== ROUTED && st !== PARTIALLY_FILLED) return;
    const q = ev.fillQty;
    if (q <= 0 || q > c.leavesQuantity[s]!) return; // an overfill is a bug upstream: refuse it, keep filled <= quantity
    const execId = ev.execId;
    const fills = this.fillCols;
    const last = c.lastFill[s]!;
    if (last !== NIL && fills.hasExec(last, execId)) return; // (orderId, execId) names a fill: a repeat is ignored
    const filled = c.filledQuantity[s]! + q;
    c.filledQuantity[s] = filled;
    const leaves = c.quantity[s]! - filled;
    c.leavesQuantity[s] = leaves;
    const value = c.filledValue[s]! + q * ev.fillPrice;
    c.filledValue[s] = value;
    c.avgPrice[s] = value / filled;
    if (leaves === 0) {
      c.state[s] = FILLED;
      c.flags[s] = 0;
    } else {
      c.state[s] = PARTIALLY_FILLED;
    }
    c.lastFill[s] = fills.push(execId, c.orderId[s]!, q, ev.fillPrice, e.seq, e.ts, last);
    this.touch(s, e);
    this.expose(s);
  }

  private onReplaced(ev: EventOf<'OrderReplaced'>, e: Sequenced): void {
    const c = this.cols;
    const s = c.slotOf(ev.orderId);
    if (s < 0 || TERMINAL[c.state[s]!] === 1) return;
    const q = ev.quantity;
    const limit = c.names[c.type[s]!] === 'limit';
    if (q <= 0 || q < c.filledQuantity[s]! || (limit && !(ev.price > 0))) return;
    c.quantity[s] = q;
    if (limit) {
      c.price[s] = ev.price;
      c.valuationPrice[s] = ev.price;
    }
    const leaves = q - c.filledQuantity[s]!;
    c.leavesQuantity[s] = leaves;
    // Replacing down to exactly the filled quantity completes the order.
    if (leaves === 0) {
      c.state[s] = FILLED;
      c.flags[s] = c.flags[s]! & ~CANCEL_PENDING;
    }
    c.flags[s] = c.flags[s]! & ~REPLACE_PENDING;
    this.touch(s, e);
    this.expose(s);
  }

  private reject(s: number, reason: number, text: string, e: Sequenced): void {
    const c = this.cols;
    c.state[s] = REJECTED;
    c.rejectCode[s] = reason;
    c.rejectReason.set(s, text.length > 0 ? `${reasonName(reason)}: ${text}` : reasonName(reason));
    c.leavesQuantity[s] = 0;
    c.flags[s] = 0;
    this.touch(s, e);
    this.expose(s);
  }

  private finish(orderId: number, state: number, e: Sequenced): void {
    const c = this.cols;
    const s = c.slotOf(orderId);
    if (s < 0 || TERMINAL[c.state[s]!] === 1) return;
    c.state[s] = state;
    c.leavesQuantity[s] = 0;
    c.flags[s] = 0;
    this.touch(s, e);
    this.expose(s);
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
    const slots = Array.from({ length: c.size }, (_, i) => i).sort((a, b) => c.orderId[a]! - c.orderId[b]!);
    for (const s of slots) {
      const flags = c.flags[s]!;
      h.line([
        'O', c.orderId[s], c.clientId(s), c.clientOrderId(s), c.names[c.symbol[s]!], c.names[c.side[s]!], c.names[c.type[s]!],
        c.names[c.timeInForce[s]!], c.quantity[s], c.price[s], c.stateName(s), c.filledQuantity[s], c.leavesQuantity[s], c.avgPrice[s],
        c.filledValue[s], c.venueName(s) ?? null, c.rejectCode[s],
        c.rejectReason.get(s) ?? null, c.createdTs[s], c.updatedTs[s], (flags & REPLACE_PENDING) !== 0, (flags & CANCEL_PENDING) !== 0,
        c.valuationPrice[s], c.openUnits[s], this.chains.toArray(c.firstSeqLink[s]!),
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
