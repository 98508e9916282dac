import { createHash } from 'node:crypto';
import type { OrderState, OrderType, SessionState, Side, TimeInForce } from '../../contract/domain.ts';
import type { EventOf, Sequenced } from '../protocol/events.ts';
import { reasonName } from '../protocol/reasons.ts';
import { FillColumns, NIL, OrderTable, SeqChains } from './store.ts';

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

class OrderRecord implements ReadonlyOrder {
  state: OrderState;
  quantity: number;
  price: number;
  filledQuantity = 0;
  leavesQuantity: number;
  avgPrice = 0;
  /** Σ fillQty × fillPrice; avgPrice = filledValue / filledQuantity. */
  filledValue = 0;
  venue: string | undefined = undefined;
  rejectCode = 0;
  rejectReason: string | undefined = undefined;
  updatedTs: number;
  replacePending = false;
  cancelPending = false;
  valuationPrice: number;
  /** This order's share of book.openUnits. */
  openUnits = 0;
  /** First and last link of its seq chain. */
  readonly firstSeqLink: number;
  lastSeqLink: number;
  /** Its latest fill in the fill columns, NIL before the first. */
  lastFill = NIL;

  constructor(
    readonly orderId: number,
    readonly clientId: string,
    readonly clientOrderId: string,
    readonly symbol: string,
    readonly side: Side,
    readonly type: OrderType,
    readonly timeInForce: TimeInForce,
    quantity: number,
    price: number,
    state: OrderState,
    valuationPrice: number,
    readonly createdTs: number,
    private readonly chains: SeqChains,
    seq: number,
    readonly book: ClientBook,
  ) {
    this.state = state;
    this.quantity = quantity;
    this.price = price;
    this.leavesQuantity = quantity;
    this.valuationPrice = valuationPrice;
    this.updatedTs = createdTs;
    this.firstSeqLink = this.lastSeqLink = chains.append(NIL, seq);
  }

  /** A fresh array on every call. */
  get eventSeqs(): number[] {
    return this.chains.toArray(this.firstSeqLink);
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
  private orderTable = new OrderTable<OrderRecord>(0);
  private chains = new SeqChains();
  private fillCols = new FillColumns();
  /** How many of orderTable.list the clientOrderId index has seen. */
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

  order(orderId: number): ReadonlyOrder | undefined {
    return this.orderTable.get(orderId);
  }

  /** Every order of the session in the order it first appeared. */
  orders(): IterableIterator<ReadonlyOrder> {
    return this.orderTable.list.values();
  }

  get orderCount(): number {
    return this.orderTable.size;
  }

  get fillCount(): number {
    return this.fillCols.size;
  }

  /** The `i`th fill of the session (0-based, log order), as a fresh object. */
  fillAt(i: number): FillRecord | undefined {
    const f = this.fillCols;
    if (!(i >= 0 && i < f.size)) return undefined;
    const orderId = f.orderId[i]!;
    const o = this.orderTable.get(orderId);
    return {
      execId: f.execId[i]!,
      orderId,
      symbol: o?.symbol ?? '',
      side: o?.side ?? 'buy',
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
    const o = this.orderTable.get(orderId);
    return o !== undefined && o.lastFill !== NIL && this.fillCols.hasExec(o.lastFill, execId);
  }

  /** Fills of one order in log order. */
  fillsOf(orderId: number): FillRecord[] {
    const o = this.orderTable.get(orderId);
    const out: FillRecord[] = [];
    for (let i = o?.lastFill ?? NIL; i !== NIL; i = this.fillCols.prevOfOrder[i]!) out.push(this.fillAt(i)!);
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
        const o = this.orderTable.get(ev.orderId);
        if (o !== undefined && o.state === 'pending') {
          o.state = 'accepted';
          this.touch(o, e);
        }
        break;
      }
      case 'OrderRouted': {
        const o = this.orderTable.get(ev.orderId);
        if (o === undefined) break;
        // accepted → routed; a live routed order may be re-routed (venue changes, state does not).
        if (o.state === 'accepted') o.state = 'routed';
        else if (o.state !== 'routed' && o.state !== 'partially_filled') break;
        o.venue = ev.venue;
        this.touch(o, e);
        break;
      }
      case 'OrderRejected': {
        const o = this.orderTable.get(ev.orderId);
        if (o !== undefined && (o.state === 'pending' || o.state === 'accepted')) this.reject(o, ev.reason, ev.text, e);
        break;
      }
      case 'VenueRejected': {
        const o = this.orderTable.get(ev.orderId);
        if (o !== undefined && (o.state === 'accepted' || o.state === 'routed')) this.reject(o, ev.reason, ev.text, e);
        break;
      }
      case 'OrderCancelled':
        this.finish(ev.orderId, 'cancelled', e);
        break;
      case 'OrderExpired':
        this.finish(ev.orderId, 'expired', e);
        break;
      case 'CancelRequested': {
        const o = this.orderTable.get(ev.orderId);
        if (o === undefined) break;
        if (!isTerminal(o.state)) o.cancelPending = true;
        this.touch(o, e);
        break;
      }
      case 'CancelRejected': {
        const o = this.orderTable.get(ev.orderId);
        if (o === undefined) break;
        o.cancelPending = false;
        this.touch(o, e);
        break;
      }
      case 'ReplaceRequested': {
        const o = this.orderTable.get(ev.orderId);
        if (o === undefined) break;
        if (!isTerminal(o.state)) o.replacePending = true;
        this.touch(o, e);
        break;
      }
      case 'ReplaceRejected': {
        const o = this.orderTable.get(ev.orderId);
        if (o === undefined) break;
        o.replacePending = false;
        this.touch(o, e);
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
    this.orderTable = new OrderTable<OrderRecord>(base);
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
    const list = this.orderTable.list;
    for (let i = this.coidIndexed; i < list.length; i++) {
      const o = list[i]!;
      const ids = o.book.clientOrderIds;
      if (!ids.has(o.clientOrderId)) ids.set(o.clientOrderId, o.orderId);
    }
    this.coidIndexed = list.length;
  }

  private book(clientId: string): ClientBook {
    let b = this.clientMap.get(clientId);
    if (b === undefined) {
      b = new ClientBook(clientId);
      this.clientMap.set(clientId, b);
    }
    return b;
  }

  private touch(o: OrderRecord, e: Sequenced): void {
    o.updatedTs = e.ts;
    o.lastSeqLink = this.chains.append(o.lastSeqLink, e.seq);
  }

  /** Re-derives the order's share of its client's open notional after any change. */
  private expose(o: OrderRecord): void {
    const units = isTerminal(o.state) ? 0 : Math.round(o.leavesQuantity * o.valuationPrice * NOTIONAL_SCALE);
    if (units !== o.openUnits) {
      o.book.openUnits += units - o.openUnits;
      o.openUnits = units;
    }
  }

  private valuation(type: OrderType, price: number, symbol: string): number {
    if (type === 'limit') return price;
    return this.instrumentMap.get(symbol)?.referencePrice ?? 0;
  }

  private onPending(ev: EventOf<'OrderPending'>, e: Sequenced): void {
    const id = ev.orderId;
    if (id > this.maxOrderId) this.maxOrderId = id;
    if (this.orderTable.get(id) !== undefined) return;
    const book = this.book(ev.clientId);
    const price = ev.orderType === 'market' ? 0 : ev.price;
    const o = new OrderRecord(
      id, ev.clientId, ev.clientOrderId, ev.symbol, ev.side, ev.orderType, ev.timeInForce,
      ev.quantity, price, 'pending', this.valuation(ev.orderType, price, ev.symbol), e.ts, this.chains, e.seq, book,
    );
    this.orderTable.add(o);
    this.expose(o);
  }

  private onRestored(ev: EventOf<'OrderRestored'>, e: Sequenced): void {
    const id = ev.orderId;
    if (id > this.maxOrderId) this.maxOrderId = id;
    if (this.orderTable.get(id) !== undefined || ev.filledQuantity > ev.quantity) return;
    const book = this.book(ev.clientId);
    const price = ev.orderType === 'market' ? 0 : ev.price;
    const o = new OrderRecord(
      id, ev.clientId, ev.clientOrderId, ev.symbol, ev.side, ev.orderType, ev.timeInForce,
      ev.quantity, price, ev.state, this.valuation(ev.orderType, price, ev.symbol), e.ts, this.chains, e.seq, book,
    );
    o.filledQuantity = ev.filledQuantity;
    o.leavesQuantity = isTerminal(ev.state) ? 0 : ev.quantity - ev.filledQuantity;
    o.avgPrice = ev.filledQuantity > 0 ? ev.avgPrice : 0;
    o.filledValue = o.avgPrice * ev.filledQuantity;
    o.venue = ev.venue;
    this.orderTable.add(o);
    this.expose(o);
  }

  private onExecuted(ev: EventOf<'OrderExecuted'>, e: Sequenced): void {
    const o = this.orderTable.get(ev.orderId);
    if (o === undefined || (o.state !== 'routed' && o.state !== 'partially_filled')) return;
    const q = ev.fillQty;
    if (q <= 0 || q > o.leavesQuantity) return; // an overfill is a bug upstream: refuse it, keep filled <= quantity
    const execId = ev.execId;
    const fills = this.fillCols;
    if (o.lastFill !== NIL && fills.hasExec(o.lastFill, execId)) return; // (orderId, execId) names a fill: a repeat is ignored
    o.filledQuantity += q;
    o.leavesQuantity = o.quantity - o.filledQuantity;
    o.filledValue += q * ev.fillPrice;
    o.avgPrice = o.filledValue / o.filledQuantity;
    o.state = o.leavesQuantity === 0 ? 'filled' : 'partially_filled';
    if (o.state === 'filled') o.cancelPending = o.replacePending = false;
    o.lastFill = fills.push(execId, o.orderId, q, ev.fillPrice, e.seq, e.ts, o.lastFill);
    this.touch(o, e);
    this.expose(o);
  }

  private onReplaced(ev: EventOf<'OrderReplaced'>, e: Sequenced): void {
    const o = this.orderTable.get(ev.orderId);
    if (o === undefined || isTerminal(o.state)) return;
    const q = ev.quantity;
    if (q <= 0 || q < o.filledQuantity || (o.type === 'limit' && !(ev.price > 0))) return;
    o.quantity = q;
    if (o.type === 'limit') {
      o.price = ev.price;
      o.valuationPrice = ev.price;
    }
    o.leavesQuantity = q - o.filledQuantity;
    // Replacing down to exactly the filled quantity completes the order.
    if (o.leavesQuantity === 0) {
      o.state = 'filled';
      o.cancelPending = false;
    }
    o.replacePending = false;
    this.touch(o, e);
    this.expose(o);
  }

  private reject(o: OrderRecord, reason: number, text: string, e: Sequenced): void {
    o.state = 'rejected';
    o.rejectCode = reason;
    o.rejectReason = text.length > 0 ? `${reasonName(reason)}: ${text}` : reasonName(reason);
    o.leavesQuantity = 0;
    o.cancelPending = o.replacePending = false;
    this.touch(o, e);
    this.expose(o);
  }

  private finish(orderId: number, state: 'cancelled' | 'expired', e: Sequenced): void {
    const o = this.orderTable.get(orderId);
    if (o === undefined || isTerminal(o.state)) return;
    o.state = state;
    o.leavesQuantity = 0;
    o.cancelPending = o.replacePending = false;
    this.touch(o, e);
    this.expose(o);
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
    const sorted = this.orderTable.list.slice().sort((a, b) => a.orderId - b.orderId);
    for (const o of sorted) {
      h.line([
        'O', o.orderId, o.clientId, o.clientOrderId, o.symbol, o.side, o.type, o.timeInForce, o.quantity, o.price,
        o.state, o.filledQuantity, o.leavesQuantity, o.avgPrice, o.filledValue, o.venue ?? null, o.rejectCode,
        o.rejectReason ?? null, o.createdTs, o.updatedTs, o.replacePending, o.cancelPending, o.valuationPrice,
        o.openUnits, o.eventSeqs,
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
