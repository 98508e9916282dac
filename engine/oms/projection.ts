import type { OrderType, SessionState } from '../../contract/domain.ts';
import { WAITS_ON_ROLE } from '../../contract/roles.ts';
import { EVENT_SPECS, type EventOf, type EventType, type Sequenced } from '../protocol/events.ts';
import { reasonName } from '../protocol/reasons.ts';
import { NIL } from './order-table/chunks.ts';
import { decideCancel, decideReplace, type RequestDecision, type RuleOrder } from './lifecycle-rules.ts';
import { VALUE_SCALE } from './money.ts';
import {
  ACCEPTED, CANCELLED, EXPIRED, FILLED, isAtVenueCode, NEW, PARTIALLY_FILLED, PENDING, REJECTED, ROUTED, type StateCode,
} from './order-table/codes.ts';
import { OrderTable, type OrderRow, type ReplaceHistory } from './order-table/order-table.ts';
import { isTerminalStage } from './order-state.ts';
import { ClientBook } from './projection-clients.ts';
import { CommandSeqs } from './projection-cseq.ts';
import { hashState } from './projection-hash.ts';
import {
  NOTIONAL_SCALE, type AlertRecord, type FillRecord, type InstrumentInfo, type OriginalTerms, type ReadonlyClient, type ReadonlyOrder,
  type RequestRefusal, type SessionInfo, type VenueInfo,
} from './projection-types.ts';
import { OrderCursor } from './projection-view.ts';

export * from './projection-types.ts';

/**
 * The OMS projection: the one deterministic fold of the event log that every
 * component, the view and the time machine share. This file holds the order
 * rules; how orders are stored is OrderTable's business (order-table/), the
 * state hash is in projection-hash.ts.
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

/**
 * Compile-time exhaustiveness for the event switch. At run time an event type
 * this build does not know cannot arrive (the codec refuses unknown codes); if
 * one did, it is ignored rather than thrown, like every event that does not apply.
 */
function ignoreUnknownEvent(_event: never): void {}

/**
 * The prices a new or restored order is added with (OrderTable.addAt), rewritten for each: passed as numbers to
 * addAt, which V8 does not inline, the price was boxed into a new HeapNumber per order (decision 270). Its fields
 * start as non-small numbers so they are doubles from the start; read only during the addAt call.
 */
const newOrderPrices = { price: 0.5, valuation: 0.5 };

/** The message code of event type `type` (EVENT_DEFS; codes never change meaning). */
function codeOf(type: EventType): number {
  return EVENT_SPECS.byType.get(type)!.code;
}
/** The codes OmsProjection.applyCoded dispatches on; every other code goes to apply. */
const EXECUTED_CODE = codeOf('OrderExecuted');
const PENDING_CODE = codeOf('OrderPending');
const ACCEPTED_CODE = codeOf('OrderAccepted');
const ROUTED_CODE = codeOf('OrderRouted');
const ACKNOWLEDGED_CODE = codeOf('OrderAcknowledged');
const CANCELLED_CODE = codeOf('OrderCancelled');
const REJECTED_CODE = codeOf('OrderRejected');

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
  /** The latest ReferencePriceMoved price by symbol (risk's sequenced mark); only what the views show. */
  private referenceMoves = new Map<string, number>();
  private clientMap = new Map<string, ClientBook>();
  /** The session's orders and fills. */
  private table = new OrderTable(0);
  /** Risk's flags of the orders that have any (sparse): part of the terms idempotent entry compares. */
  private flagMap = new Map<number, { readonly locate?: boolean; readonly intentional?: boolean }>();
  /** Client books by their number in the table (ClientBook.slot). */
  private books: ClientBook[] = [];
  /** How many orders (rows) the clientOrderId index has seen. */
  private coidIndexed = 0;
  private activeByRole = new Map<string, string>();
  private alertMap = new Map<string, AlertRecord>();
  private cseqs = new CommandSeqs();
  /** The latest cancel/replace request refused at its seq. */
  private refusal: RequestRefusal | undefined = undefined;

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
    // The same object while nothing in it changed: the order path reads it several times per order (issue 11:
    // a new object each time was ~0.8 KB of garbage per order). A change makes a new one, so a kept one stays as it was.
    const c = this.sessionView;
    if (
      c !== undefined && c.id === this.sessionId && c.state === this.sessionState && c.previousSessionId === this.previousSessionId &&
      c.orderIdBase === this.orderIdBase && c.restoredOrders === this.restoredOrders && c.carriedOrders === this.carriedOrders && (c.rolling === true) === this.rolling
    ) {
      return c;
    }
    return (this.sessionView = {
      id: this.sessionId,
      state: this.sessionState,
      previousSessionId: this.previousSessionId,
      orderIdBase: this.orderIdBase,
      restoredOrders: this.restoredOrders,
      carriedOrders: this.carriedOrders,
      ...(this.rolling ? { rolling: true } : {}),
    });
  }
  private sessionView: SessionInfo | undefined = undefined;

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

  /**
   * The reference price in force for `symbol` at this point of the log: the
   * latest ReferencePriceMoved (risk's mark), else the InstrumentAdded price.
   * For what the views show (the live screen and the time machine alike); the
   * open notional of a market order stays valued at the InstrumentAdded price.
   */
  referencePrice(symbol: string): number | undefined {
    return this.referenceMoves.get(symbol) ?? this.instrumentMap.get(symbol)?.referencePrice;
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

  /**
   * The refusal of the cancel or replace request sequenced at `seq`, if the
   * projection refused it there (one request in flight per order, terminal or
   * unknown order, terms no venue takes; docs/decisions/070). Only the latest
   * refusal is kept: ask right after applying the request's event, as the
   * client proxy (to answer the trader) and the gateway (to not forward it) do.
   */
  refusedAt(seq: number): RequestRefusal | undefined {
    const r = this.refusal;
    return r !== undefined && r.seq === seq ? r : undefined;
  }

  /** The replace in flight at the venue for the order, if one is: its new clientOrderId (FIX ClOrdID) and terms. */
  pendingReplace(orderId: number): { clientOrderId: string; quantity: number; price: number } | undefined {
    const r = this.table.row(orderId);
    if (r < 0 || !this.table.replacePending(r)) return undefined;
    const h = this.table.replaceHistory(r);
    if (h === undefined || h.pendingCoid === '') return undefined;
    return { clientOrderId: h.pendingCoid, quantity: h.pendingQuantity ?? this.table.quantity(r), price: h.pendingPrice ?? this.table.price(r) };
  }

  /** The terms the order was entered with (before any replace); undefined for an unknown order. */
  originalTerms(orderId: number): OriginalTerms | undefined {
    const t = this.table;
    const r = t.row(orderId);
    if (r < 0) return undefined;
    const h = t.replaceHistory(r);
    return h !== undefined ? h.first : this.termsNow(r);
  }

  private termsNow(r: number): OriginalTerms {
    const t = this.table;
    const terms: OriginalTerms = {
      symbol: t.symbol(r), side: t.side(r), orderType: t.orderType(r), timeInForce: t.timeInForce(r), quantity: t.quantity(r), price: t.price(r),
    };
    const exp = t.expireAt(r);
    const flags = this.flagMap.get(t.orderId(r));
    return exp > 0 || flags !== undefined ? { ...terms, ...(exp > 0 ? { expireAt: exp } : {}), ...flags } : terms;
  }

  /**
   * The role the order waits on now (contract/roles.ts WAITS_ON_ROLE: by its stage, else the gateway while a
   * cancel or replace is in flight), or undefined (none, or an unknown order). Read without a view object: the
   * heartbeat monitor asks on every order event (issue 15). The same answer as waitsOnRole(o.stage, o.state) with
   * the gateway for a request in flight.
   */
  waitsOn(orderId: number): string | undefined {
    const t = this.table;
    const r = t.row(orderId);
    if (r < 0) return undefined;
    return WAITS_ON_ROLE[t.stateName(r)] ?? (t.cancelPending(r) || t.replacePending(r) ? 'gateway' : undefined);
  }

  /** A live read-only view of the order (a new view object per call). */
  order(orderId: number): ReadonlyOrder | undefined {
    const r = this.table.row(orderId);
    return r < 0 ? undefined : new OrderCursor(this.table, this.books, r);
  }

  /** Every order of the session in the order it first appeared (from the `from`th on: a page cursor). */
  *orders(from = 0): IterableIterator<ReadonlyOrder> {
    const t = this.table;
    const books = this.books;
    for (let r = from; r < t.size; r++) yield new OrderCursor(t, books, r);
  }

  /**
   * Calls `fn` with the orders of rows `from` to `end` (exclusive) in the order they first appeared, through one
   * cursor moved from row to row: valid only during its call. A pass over a million orders made a million cursors
   * (and iterator results) with orders(): young garbage whose scavenges paused the host inside the blotter's builds.
   */
  forEachOrder(from: number, end: number, fn: (o: ReadonlyOrder) => void): void {
    const t = this.table;
    const last = Math.min(end, t.size);
    if (from >= last) return;
    const c = new OrderCursor(t, this.books, from);
    for (let r = from; r < last; r++) fn(c.moveTo(r));
  }

  /**
   * The seq of the last event that touched the order of row `r` (rows as forEachOrder counts them): every event
   * that changes an order touches it, so an order whose seq is at most S is as it was at S (the blotter's kept
   * lists re-place only the orders touched since they were built, decision 232).
   */
  orderTouchedSeq(r: number): number {
    return this.table.lastSeq(r);
  }

  /**
   * The ids of the orders routed to a venue and not yet answered by it (stage `routed`), read from the state
   * column without an order object: few at any moment (those in flight), found in one pass over the rows.
   */
  routedOrderIds(): number[] {
    const t = this.table;
    const ids: number[] = [];
    for (let r = 0; r < t.size; r++) if (t.state(r) === ROUTED) ids.push(t.orderId(r));
    return ids;
  }

  /** The row of an order (as forEachOrder counts rows), -1 for an unknown order. */
  orderRow(orderId: number): number {
    return this.table.row(orderId);
  }

  /** The client of an order (undefined for an unknown order), without an order object. */
  clientIdOf(orderId: number): string | undefined {
    const r = this.table.row(orderId);
    return r < 0 ? undefined : this.books[this.table.client(r)]!.clientId;
  }

  /** The `i`th fill written into `into` (no object made per fill); false past the last fill. */
  fillInto(i: number, into: { -readonly [K in keyof FillRecord]: FillRecord[K] }): boolean {
    const t = this.table;
    const f = t.fills;
    if (!(i >= 0 && i < f.size)) return false;
    const orderId = f.orderId(i);
    const r = t.row(orderId);
    into.execId = f.execId(i);
    into.orderId = orderId;
    into.symbol = r < 0 ? '' : t.symbol(r);
    into.side = r < 0 ? 'buy' : t.side(r);
    into.quantity = f.quantity(i);
    into.price = f.price(i);
    into.seq = f.seq(i);
    into.ts = f.ts(i);
    return true;
  }

  get orderCount(): number {
    return this.table.size;
  }

  get fillCount(): number {
    return this.table.fills.size;
  }

  /** The `i`th fill of the session (0-based, log order), as a fresh object. */
  fillAt(i: number): FillRecord | undefined {
    const t = this.table;
    const f = t.fills;
    if (!(i >= 0 && i < f.size)) return undefined;
    const orderId = f.orderId(i);
    const r = t.row(orderId);
    return {
      execId: f.execId(i),
      orderId,
      symbol: r < 0 ? '' : t.symbol(r),
      side: r < 0 ? 'buy' : t.side(r),
      quantity: f.quantity(i),
      price: f.price(i),
      seq: f.seq(i),
      ts: f.ts(i),
    };
  }

  /** Fills in log order, as fresh objects. */
  *fills(): IterableIterator<FillRecord> {
    const n = this.table.fills.size;
    for (let i = 0; i < n; i++) yield this.fillAt(i)!;
  }

  /** True when the order has a fill with this execId ((orderId, execId) names a fill). */
  hasExec(orderId: number, execId: number): boolean {
    const r = this.table.row(orderId);
    return r >= 0 && this.table.hasExec(r, execId);
  }

  /** Fills of one order in log order. */
  fillsOf(orderId: number): FillRecord[] {
    const t = this.table;
    const r = t.row(orderId);
    const out: FillRecord[] = [];
    for (let f = r < 0 ? NIL : t.lastFill(r); f !== NIL; f = t.fills.prev(f)) out.push(this.fillAt(f)!);
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
    return this.cseqs.last(instance);
  }

  /** Highest command seq per source seen in this session (the sequencer's dedupe table; checkpoint start-up, decision 140). */
  *commandSeqs(): IterableIterator<[string, number]> {
    for (const src of this.cseqs.sources()) yield [src, this.cseqs.last(src)];
  }

  /** See projection-hash.ts. */
  stateHash(): string {
    return hashState({
      sessionId: this.sessionId,
      sessionState: this.sessionState,
      previousSessionId: this.previousSessionId,
      orderIdBase: this.orderIdBase,
      restoredOrders: this.restoredOrders,
      carriedOrders: this.carriedOrders,
      seq: this.seq,
      ts: this.ts,
      nextOrderId: this.nextOrderId,
      venues: this.venueMap,
      instruments: this.instrumentMap,
      referenceMoves: this.referenceMoves,
      clients: this.clientMap,
      books: this.books,
      table: this.table,
      roles: this.activeByRole,
      alerts: this.alertMap,
      cseqs: this.cseqs,
      refusal: this.refusal,
    });
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
      case 'OrderAccepted':
        this.onAccepted(ev, e);
        break;
      case 'OrderRouted':
        this.onRouted(ev, e);
        break;
      case 'OrderAcknowledged':
        this.onAcknowledged(ev, e);
        break;
      case 'OrderParked':
        this.onParked(ev, e);
        break;
      case 'OrderRejected':
        this.onRejected(ev, e);
        break;
      case 'VenueRejected':
        this.onVenueRejected(ev, e);
        break;
      case 'OrderCancelled':
        this.finish(ev.orderId, CANCELLED, e);
        break;
      case 'OrderExpired':
        this.finish(ev.orderId, EXPIRED, e);
        break;
      case 'CancelRequested':
        this.onCancelRequested(ev, e);
        break;
      case 'CancelRejected':
        this.onCancelPending(ev.orderId, false, e);
        break;
      case 'ReplaceRequested':
        this.onReplaceRequested(ev, e);
        break;
      case 'ReplaceRejected':
        this.onReplaceRejected(ev.orderId, e);
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
      case 'ReferencePriceMoved':
        this.referenceMoves.set(ev.symbol, ev.price);
        break;
      // Risk's other events (70-89) are folded by engine/oms/exposure/risk-state.ts, not here.
      case 'LimitsChanged': case 'RestrictedListChanged': case 'TradingHalted': case 'TradingResumed':
      case 'InstrumentExpired': case 'MarketOrderCollared': case 'PositionRestored':
        break;
      default:
        ignoreUnknownEvent(ev);
    }
    this.seq = e.seq;
    this.ts = e.ts;
    if (e.cseq > 0) this.cseqs.see(e.src, e.cseq);
  }

  /**
   * apply, given the event's message code as well (a log's replay: ReadableLog.replay passes it, EventVisitor):
   * the order lifecycle's common events are dispatched on the code, a small integer, and each handler loads its
   * event's fields from one shape; apply's switch loads `e.event.type` from any of the replay's 15+ event shapes
   * (a megamorphic load per event) first. `code` must be the event's own (the codec's); any other code goes to
   * apply. Same result as apply (decision 276).
   */
  applyCoded(e: Sequenced, code: number): void {
    const ev = e.event;
    if (code === EXECUTED_CODE) this.onExecuted(ev as EventOf<'OrderExecuted'>, e);
    else if (code === PENDING_CODE) this.onPending(ev as EventOf<'OrderPending'>, e);
    else if (code === ACCEPTED_CODE) this.onAccepted(ev as EventOf<'OrderAccepted'>, e);
    else if (code === ROUTED_CODE) this.onRouted(ev as EventOf<'OrderRouted'>, e);
    else if (code === ACKNOWLEDGED_CODE) this.onAcknowledged(ev as EventOf<'OrderAcknowledged'>, e);
    else if (code === CANCELLED_CODE) this.finish((ev as EventOf<'OrderCancelled'>).orderId, CANCELLED, e);
    else if (code === REJECTED_CODE) this.onRejected(ev as EventOf<'OrderRejected'>, e);
    else return this.apply(e);
    this.seq = e.seq;
    this.ts = e.ts;
    if (e.cseq > 0) this.cseqs.see(e.src, e.cseq);
  }

  // ---- order events --------------------------------------------------------
  // One small method per event: apply() stays a dispatcher, so V8 optimizes each handler with its own inlining
  // budget (the cursor's accessors inlined) instead of running out of budget inside one large apply (issue #9).

  /** pending → accepted (risk passed it). */
  private onAccepted(ev: EventOf<'OrderAccepted'>, e: Sequenced): void {
    const o = this.table.seek(ev.orderId);
    if (o !== undefined && o.state() === PENDING) {
      o.setState(ACCEPTED);
      o.touchAt(e);
    }
  }

  /** accepted → routed, once: an order that may be at a venue is never re-routed. */
  private onRouted(ev: EventOf<'OrderRouted'>, e: Sequenced): void {
    const o = this.table.seek(ev.orderId);
    if (o === undefined || o.state() !== ACCEPTED) return;
    o.setState(ROUTED);
    o.setVenue(ev.venue);
    o.touchAt(e);
  }

  /**
   * routed → new; a fill may have come first (then the order stays partially filled or filled). An order
   * re-entered after parking (decision 075) keeps its earlier fills: acknowledged, it is partially filled.
   */
  private onAcknowledged(ev: EventOf<'OrderAcknowledged'>, e: Sequenced): void {
    const o = this.table.seek(ev.orderId);
    if (o === undefined) return;
    if (o.state() === ROUTED) o.setState(o.filledQuantity() > 0 ? PARTIALLY_FILLED : NEW);
    o.touchAt(e);
  }

  /**
   * Off the venue's book (decision 075): back to "waiting for the router", fills and any request in
   * flight kept (the venue answers a cancel or replace of a parked order); re-routed at the next open.
   */
  private onParked(ev: EventOf<'OrderParked'>, e: Sequenced): void {
    const o = this.table.seek(ev.orderId);
    if (o === undefined) return;
    if (isAtVenueCode(o.state())) o.setState(ACCEPTED);
    o.touchAt(e);
    this.expose(o);
  }

  /** Risk's refusal, of a pending or accepted order. */
  private onRejected(ev: EventOf<'OrderRejected'>, e: Sequenced): void {
    const o = this.table.seek(ev.orderId);
    if (o === undefined) return;
    const st = o.state();
    if (st === PENDING || st === ACCEPTED) this.reject(o, ev.reason, ev.text, e);
  }

  /** The router's (accepted) or the venue's (routed or acknowledged, before any fill). */
  private onVenueRejected(ev: EventOf<'VenueRejected'>, e: Sequenced): void {
    const o = this.table.seek(ev.orderId);
    if (o === undefined) return;
    const st = o.state();
    if (st === ACCEPTED || st === ROUTED || st === NEW) this.reject(o, ev.reason, ev.text, e);
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
    this.referenceMoves = new Map();
    this.clientMap = new Map();
    this.table = new OrderTable(base);
    this.flagMap = new Map();
    this.books = [];
    this.coidIndexed = 0;
    this.activeByRole = new Map();
    this.alertMap = new Map();
    this.cseqs = new CommandSeqs();
    this.refusal = undefined;
  }

  /** Whether every order seen so far is in its client's clientOrderId index (no look-up will have to finish it). */
  get clientOrderIdsIndexed(): boolean {
    return this.coidIndexed >= this.table.size;
  }

  /**
   * Indexes up to `rows` more orders' clientOrderIds; true while orders are left. The index is otherwise built
   * on the first lookup: on a host resumed with a million orders that one lookup (the first order entered) took
   * ~200 ms of the loop, so the host builds it whole before it serves (host.ts, decision 272).
   */
  indexClientOrderIdsSome(rows: number): boolean {
    this.indexClientOrderIds(rows);
    return this.coidIndexed < this.table.size;
  }

  /** Brings every client's clientOrderId index up to date with the orders seen so far (at most `rows` more). */
  private indexClientOrderIds(rows = Infinity): void {
    const t = this.table;
    const end = Math.min(t.size, this.coidIndexed + rows);
    for (let r = this.coidIndexed; r < end; r++) {
      const ids = this.books[t.client(r)]!.clientOrderIds;
      const coid = t.clientOrderId(r);
      if (!ids.has(coid)) ids.set(coid, t.orderId(r));
    }
    this.coidIndexed = end;
  }

  private book(clientId: string): ClientBook {
    let b = this.clientMap.get(clientId);
    if (b === undefined) {
      b = new ClientBook(clientId);
      this.clientMap.set(clientId, b);
    }
    return b;
  }

  /** The book's number in this session's table, giving it one on its first order. */
  private bookSlot(book: ClientBook): number {
    if (book.slot < 0) {
      book.slot = this.books.length;
      this.books.push(book);
    }
    return book.slot;
  }

  /** Re-derives the order's share of its client's open notional after any change. */
  private expose(o: OrderRow): void {
    // Open notional: leaves × valuation price while live, nothing once terminal (OrderRow.reexpose).
    const change = o.reexpose(NOTIONAL_SCALE);
    if (change !== 0) this.books[o.client()]!.openUnits += change;
  }

  /** CancelRequested (`on`) or CancelRejected: the flag is set only while the order is live. */
  private onCancelPending(orderId: number, on: boolean, e: Sequenced): void {
    const o = this.table.seek(orderId);
    if (o === undefined) return;
    if (!on || !o.isTerminal()) o.setCancelPending(on);
    o.touchAt(e);
  }

  /** ReplaceRejected: the replace in flight is over (its clientOrderId was never the order's). */
  private onReplaceRejected(orderId: number, e: Sequenced): void {
    const o = this.table.seek(orderId);
    if (o === undefined) return;
    o.setReplacePending(false);
    const h = this.table.replaceHistory(o.r);
    if (h !== undefined) h.pendingCoid = '';
    o.touchAt(e);
  }

  /** The order as the lifecycle rules see it. */
  private ruleOrder(r: number): RuleOrder | undefined {
    if (r < 0) return undefined;
    const t = this.table;
    return {
      orderId: t.orderId(r), stage: t.stateName(r), cancelPending: t.cancelPending(r), replacePending: t.replacePending(r),
      filledQuantity: t.filledQuantity(r), limit: t.isLimit(r),
    };
  }

  private refuse(d: Extract<RequestDecision, { kind: 'refuse' }>, orderId: number, r: number, e: Sequenced): void {
    this.refusal = { seq: e.seq, orderId, reason: d.reason, text: d.text };
    // A refused request is still part of the order's story.
    if (r >= 0) this.table.at(r).touchAt(e);
  }

  /**
   * One cancel or replace in flight per order, decided here at the request's
   * seq; at once where the log proves the order never reached the venue,
   * otherwise pending until the venue answers (docs/decisions/070).
   */
  private onCancelRequested(ev: EventOf<'CancelRequested'>, e: Sequenced): void {
    const r = this.table.row(ev.orderId);
    const d = decideCancel(this.ruleOrder(r), ev.orderId);
    if (d.kind === 'refuse') return this.refuse(d, ev.orderId, r, e);
    if (d.kind === 'now') return this.finish(ev.orderId, CANCELLED, e);
    this.onCancelPending(ev.orderId, true, e);
  }

  private onReplaceRequested(ev: EventOf<'ReplaceRequested'>, e: Sequenced): void {
    const t = this.table;
    const r = t.row(ev.orderId);
    const d = decideReplace(this.ruleOrder(r), ev.orderId, ev.quantity, ev.price);
    if (d.kind === 'refuse') return this.refuse(d, ev.orderId, r, e);
    let h = t.replaceHistory(r);
    if (h === undefined) {
      h = { first: this.termsNow(r), chain: [], current: t.clientOrderId(r), pendingCoid: '' };
      t.setReplaceHistory(r, h);
    }
    h.pendingCoid = ev.clientOrderId ?? `${h.current}~R${h.chain.length + 1}`;
    h.pendingQuantity = ev.quantity;
    h.pendingPrice = ev.price;
    const o = t.at(r);
    if (d.kind === 'now') return this.newTerms(o, ev.quantity, ev.price, e);
    o.setReplacePending(true);
    o.touchAt(e);
  }

  /** Price used for open notional: the limit price, or the reference price at entry for market orders. */
  private valuation(type: OrderType, price: number, symbol: string): number {
    if (type === 'limit') return price;
    return this.instrumentMap.get(symbol)?.referencePrice ?? 0;
  }

  /** A new order, pending; an orderId already seen is ignored. */
  private onPending(ev: EventOf<'OrderPending'>, e: Sequenced): void {
    const id = ev.orderId;
    if (id > this.maxOrderId) this.maxOrderId = id;
    const t = this.table;
    if (t.row(id) >= 0) return;
    const price = ev.orderType === 'market' ? 0 : ev.price;
    const prices = newOrderPrices;
    prices.price = price;
    prices.valuation = this.valuation(ev.orderType, price, ev.symbol);
    const r = t.addAt(id, this.bookSlot(this.book(ev.clientId)), ev.clientOrderId, ev.symbol, ev.side, ev.orderType, ev.timeInForce, ev.quantity, prices, e);
    if (ev.expireAt !== undefined) t.setExpireAt(r, ev.expireAt);
    if (ev.locate === true || ev.intentional === true) this.flagMap.set(id, riskFlags(ev));
    this.expose(t.at(r));
  }

  /** A live order carried from the previous session, as it was there. */
  private onRestored(ev: EventOf<'OrderRestored'>, e: Sequenced): void {
    const id = ev.orderId;
    if (id > this.maxOrderId) this.maxOrderId = id;
    const t = this.table;
    if (t.row(id) >= 0 || ev.filledQuantity > ev.quantity) return;
    const price = ev.orderType === 'market' ? 0 : ev.price;
    // The order is indexed under the clientOrderId it was entered with (idempotent entry across sessions).
    const chain = ev.origClientOrderIds ?? [];
    const entered = chain[0] ?? ev.clientOrderId;
    const prices = newOrderPrices;
    prices.price = price;
    prices.valuation = this.valuation(ev.orderType, price, ev.symbol);
    const r = t.addAt(id, this.bookSlot(this.book(ev.clientId)), entered, ev.symbol, ev.side, ev.orderType, ev.timeInForce, ev.quantity, prices, e);
    if (ev.locate === true || ev.intentional === true) this.flagMap.set(id, riskFlags(ev));
    if (ev.expireAt !== undefined) t.setExpireAt(r, ev.expireAt);
    // Its entry time in the session it was entered in (older logs: none; it is then first seen now).
    if (ev.enteredTs !== undefined) t.setEnteredTs(r, ev.enteredTs);
    const pendingCoid = ev.replacePendingClientOrderId ?? '';
    if (chain.length > 0 || pendingCoid !== '' || ev.enteredQuantity !== undefined) {
      // The replace history as it stood at the close: entered terms, the OrigClOrdID chain, the replace in flight.
      const now = this.termsNow(r);
      const first: OriginalTerms = {
        ...now,
        quantity: ev.enteredQuantity ?? now.quantity,
        price: ev.orderType === 'market' ? 0 : (ev.enteredPrice ?? now.price),
      };
      const h: ReplaceHistory = { first, chain: chain.slice(), current: ev.clientOrderId, pendingCoid };
      if (pendingCoid !== '') {
        h.pendingQuantity = ev.replacePendingQuantity ?? ev.quantity;
        h.pendingPrice = ev.replacePendingPrice ?? ev.price;
      }
      t.setReplaceHistory(r, h);
    }
    const o = t.at(r);
    if (!isTerminalStage(ev.state)) {
      if (ev.cancelPending === true) o.setCancelPending(true);
      if (pendingCoid !== '') o.setReplacePending(true);
    }
    o.setStateName(ev.state);
    o.setFilledQuantity(ev.filledQuantity);
    o.setLeavesQuantity(isTerminalStage(ev.state) ? 0 : ev.quantity - ev.filledQuantity);
    const avg = ev.filledQuantity > 0 ? ev.avgPrice : 0;
    o.setAvgPrice(avg);
    o.setFilledValue(Math.round(avg * ev.filledQuantity * VALUE_SCALE));
    o.setVenue(ev.venue);
    this.expose(o);
  }

  /**
   * A fill of an order the venue may hold (routed, new, partially filled),
   * with a cancel or replace in flight or not: an execution is never dropped
   * for a request that lost the race. Overfills and repeated execIds are refused.
   */
  private onExecuted(ev: EventOf<'OrderExecuted'>, e: Sequenced): void {
    const o = this.table.seek(ev.orderId);
    if (o === undefined || !isAtVenueCode(o.state())) return;
    const q = ev.fillQty;
    if (q <= 0 || q > o.leavesQuantity()) return; // an overfill is a bug upstream: refuse it, keep filled <= quantity
    if (o.hasExec(ev.execId)) return; // (orderId, execId) names a fill: a repeat is ignored
    const leaves = o.bookFillOf(ev, e);
    if (leaves === 0) {
      o.setState(FILLED);
      o.clearPending();
    } else {
      o.setState(PARTIALLY_FILLED);
    }
    o.touchAt(e);
    this.expose(o);
  }

  /**
   * The venue confirmed a replace: new quantity (and price, for a limit
   * order) of a live order, never below what is filled. Applied even with no
   * replace in flight in this session (one sent before a session boundary).
   */
  private onReplaced(ev: EventOf<'OrderReplaced'>, e: Sequenced): void {
    const o = this.table.seek(ev.orderId);
    if (o === undefined || o.isTerminal()) return;
    this.newTerms(o, ev.quantity, ev.price, e);
  }

  /** A replace takes effect: new terms and the replace's clientOrderId; down to the filled quantity completes the order. */
  private newTerms(o: OrderRow, q: number, price: number, e: Sequenced): void {
    const limit = o.isLimit();
    // Terms no venue would confirm (decideReplace refuses them in a request): ignored.
    if (q <= 0 || q < o.filledQuantity() || (limit && !(price > 0))) return;
    const h = this.table.replaceHistory(o.r);
    if (h !== undefined && h.pendingCoid !== '') {
      h.chain.push(h.current);
      h.current = h.pendingCoid;
      h.pendingCoid = '';
    }
    o.setQuantity(q);
    if (limit) {
      o.setPrice(price);
      o.setValuationPrice(price);
    }
    const leaves = q - o.filledQuantity();
    o.setLeavesQuantity(leaves);
    // Replacing down to exactly the filled quantity completes the order.
    if (leaves === 0) {
      o.setState(FILLED);
      o.setCancelPending(false);
    }
    o.setReplacePending(false);
    o.touchAt(e);
    this.expose(o);
  }

  private reject(o: OrderRow, reason: number, text: string, e: Sequenced): void {
    o.setState(REJECTED);
    o.setReject(reason, text.length > 0 ? `${reasonName(reason)}: ${text}` : reasonName(reason));
    o.setLeavesQuantity(0);
    o.clearPending();
    o.touchAt(e);
    this.expose(o);
  }

  /** Cancelled or expired: a live order ends with nothing left. */
  private finish(orderId: number, state: StateCode, e: Sequenced): void {
    const o = this.table.seek(orderId);
    if (o === undefined || o.isTerminal()) return;
    o.setState(state);
    o.setLeavesQuantity(0);
    o.clearPending();
    o.touchAt(e);
    this.expose(o);
  }
}

/** Risk's flags of a new or restored order, as the terms idempotent entry compares keep them. */
// One shared object per combination, never a new one per order: a checkpoint then holds three objects and
// back-references, not one object per flagged order (at 794 k flagged orders their decode was the largest
// part of a 5 M-event past state's rebuild). Read only: termsNow copies them.
const LOCATE = Object.freeze({ locate: true });
const INTENTIONAL = Object.freeze({ intentional: true });
const BOTH = Object.freeze({ locate: true, intentional: true });

function riskFlags(ev: { locate?: boolean; intentional?: boolean }): { readonly locate?: boolean; readonly intentional?: boolean } {
  return ev.locate === true ? (ev.intentional === true ? BOTH : LOCATE) : INTENTIONAL;
}

function alertKey(instance: string, kind: string): string {
  return `${instance}\u0000${kind}`;
}
