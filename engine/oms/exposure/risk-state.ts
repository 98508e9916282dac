import { createHash } from 'node:crypto';
import type { EventOf, OrderType, Sequenced, Side } from '../../protocol/events.ts';
import { applyFill, newPosition, type Position } from '../positions/position.ts';
import { DEFAULT_DUPLICATE_WINDOW_MS, limitsOf, type Limits } from './limits.ts';
import { OrderSlots } from './order-slots.ts';
import { RecentOrders, type PackedKeyText, type PackedMemory } from './recent-orders.ts';

export type { PackedMemory } from './recent-orders.ts';

/** Money as whole units of 1/10,000 (sums stay exact, as in the OMS projection). */
const SCALE = 10_000;
const units = (money: number): number => Math.round(money * SCALE);

/** What risk knows of an instrument. */
export interface RiskInstrument {
  readonly symbol: string;
  readonly instrumentType: string;
  readonly currency: string;
  readonly tickSize: number;
  readonly referencePrice: number;
  /** Contract multiplier (1 for equities). */
  readonly multiplier: number;
  readonly expiry?: string;
  /** Sequencer time (µs) from which the instrument is expired: 00:00 UTC the day after `expiry`. */
  readonly expiresAtUs?: number;
  /** Options: what is delivered on exercise, at which price, and which way. */
  readonly underlying?: string;
  readonly strike?: number;
  readonly putCall?: string;
}

/** Who did something and when (sequencer µs). */
export interface Stamp {
  readonly by: string;
  readonly text: string;
  readonly seq: number;
  readonly ts: number;
}

/** The terms OrderPending and OrderRestored share, all that booking an order needs. */
type OrderTerms = Pick<EventOf<'OrderPending'>, 'orderId' | 'clientId' | 'symbol' | 'side' | 'orderType' | 'quantity' | 'price'>;

interface RiskOrder {
  readonly orderId: number;
  readonly clientId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly locate: boolean;
  readonly intentional: boolean;
  /** pending → accepted → routed (at or on the way to the venue). */
  state: 'pending' | 'accepted' | 'routed';
  quantity: number;
  filled: number;
  leaves: number;
  /** Price the open part is valued at: the limit, or a market order's protection price (the mark until it has one). */
  valuation: number;
  /** Its current share of its client's open notional (units) and of its holding's open quantity. */
  openUnits: number;
  openQty: number;
  dupKey: string;
  /**
   * Its first fill's execId (-1: none yet); later ones go in `execs`. Most orders fill once: no Set for them.
   * Undefined in an order decoded from a checkpoint written before this field: read as none (`>= 0` is false).
   */
  exec1: number;
  execs: Set<number> | undefined;
  /** Its client's and its holding's entries (they live as long as the order: both maps only grow within a session), so a fill builds no key. */
  client: ClientRisk;
  holding: Holding;
}

/** A client × instrument holding: the position and its open orders. */
export interface Holding {
  readonly position: Position;
  /** Leaves of live buy / sell orders (pending ones included). */
  openBuy: number;
  openSell: number;
}

/** A client's risk figures (exported for the checkpoint codec's class table only). */
export class ClientRisk {
  known = false;
  limits: Limits = {};
  /** Limit changes made at runtime (not by the reference file): these carry into the next session. */
  runtime: Limits = {};
  runtimeBy = '';
  openUnits = 0;
  executedUnits = 0;
  halt: Stamp | undefined;
  constructor(readonly clientId: string) {}
}

/** A client's risk figures, for checks and views. */
export interface ClientExposure {
  readonly clientId: string;
  readonly limits: Readonly<Limits>;
  /** Σ leaves × valuation price × multiplier over live orders. */
  readonly openNotional: number;
  /** Σ fill quantity × price × multiplier this session (buys and sells). */
  readonly executedNotional: number;
  readonly halt: Stamp | undefined;
}

/** The duplicate-order key: same client, instrument, side, quantity and price. */
export function duplicateKey(clientId: string, symbol: string, side: Side, type: OrderType, quantity: number, price: number): string {
  return `${clientId}\u0000${symbol}\u0000${side}\u0000${quantity}\u0000${type === 'market' ? 'mkt' : price}`;
}

/** How long (sequencer µs) an order is remembered for the duplicate check: the longest window a client may set. */
const MEMORY_US = 60_000_000;

/** An order's fills' execIds, ascending (for the hash). */
function execIdsOf(o: RiskOrder): number[] {
  const ids = o.execs === undefined ? [] : [...o.execs];
  if (o.exec1 >= 0) ids.push(o.exec1);
  return ids.sort((a, b) => a - b);
}

const holdingKey = (clientId: string, symbol: string): string => `${clientId}\u0000${symbol}`;

/** 00:00 UTC of the day after an ISO date, in µs: an option is tradable through its expiry date. */
export function expiryEndUs(expiry: string): number {
  return (Date.parse(`${expiry}T00:00:00Z`) + 86_400_000) * 1000;
}

/**
 * Risk's deterministic projection of the event log: instruments with their
 * multiplier and expiry, marks (the last fill or sequenced reference price),
 * per-client limits, open and executed notional, halts, the restricted list,
 * market orders' protection prices, recent orders for the duplicate check,
 * and positions with P&L per client × instrument. Folded from the same
 * event stream as the OMS projection, independent of its internals, with its
 * own stateHash. A session's SessionOpened starts it afresh; what carries
 * over (positions, runtime limits, halts, restricted list, marks) comes back
 * as sequenced events from the snapshot (see exposure/snapshot.ts).
 */
export class RiskState {
  private instrumentMap = new Map<string, RiskInstrument>();
  private marks = new Map<string, number>();
  private expiredSet = new Set<string>();
  private restrictedMap = new Map<string, Stamp>();
  private firmHaltStamp: Stamp | undefined;
  private clientMap = new Map<string, ClientRisk>();
  private orderMap = new OrderSlots<RiskOrder>();
  private holdingMap = new Map<string, Holding>();
  /**
   * The same holdings by client, then symbol: a lookup that builds no key string (one per order otherwise);
   * holdingMap keeps the order. Not enumerable, so not in a checkpoint, whose fields stay those of the build
   * before (decision 258); afterDecode rebuilds it.
   */
  declare private holdingsByClient: Map<string, Map<string, Holding>>;
  /** Duplicate key → recent orders with it (orderId, sequencer µs), oldest first; forgotten after memoryUs. */
  private recent = new RecentOrders(MEMORY_US);
  /** False for a state no one asks `duplicateOf` of (withoutDuplicateMemory). */
  private remembers = true;
  private sessionId = 0;
  private seq = 0;
  private ts = 0;

  /** The longest duplicate window (µs) any client may have that the memory keeps orders for. */
  private readonly memoryUs = MEMORY_US;

  constructor() {
    this.indexHoldings();
  }

  /** (Re)builds holdingsByClient from holdingMap, as a property checkpoints do not see. */
  private indexHoldings(): void {
    Object.defineProperty(this, 'holdingsByClient', { value: new Map(), writable: true, enumerable: false, configurable: true });
    for (const h of this.holdingMap.values()) this.indexHolding(h.position.clientId, h.position.symbol, h);
  }

  // ---- reading -------------------------------------------------------------

  get lastSeq(): number {
    return this.seq;
  }
  get lastTs(): number {
    return this.ts;
  }
  get session(): number {
    return this.sessionId;
  }

  instrument(symbol: string): RiskInstrument | undefined {
    return this.instrumentMap.get(symbol);
  }
  instruments(): IterableIterator<RiskInstrument> {
    return this.instrumentMap.values();
  }
  multiplier(symbol: string): number {
    return this.instrumentMap.get(symbol)?.multiplier ?? 1;
  }

  /** The price risk marks and bands against: the last sequenced reference or fill price, else the reference file's. */
  mark(symbol: string): number | undefined {
    return this.marks.get(symbol) ?? this.instrumentMap.get(symbol)?.referencePrice;
  }
  /** Only the marks the log moved (not the reference file's). */
  movedMarks(): ReadonlyMap<string, number> {
    return this.marks;
  }

  /** True once InstrumentExpired was sequenced, or when `tsUs` is past the expiry date. */
  isExpired(symbol: string, tsUs: number): boolean {
    if (this.expiredSet.has(symbol)) return true;
    const at = this.instrumentMap.get(symbol)?.expiresAtUs;
    return at !== undefined && tsUs >= at;
  }
  /** Instruments past expiry at `tsUs` that no InstrumentExpired has marked yet, by symbol. */
  dueExpiries(tsUs: number): string[] {
    const out: string[] = [];
    for (const i of this.instrumentMap.values()) {
      if (i.expiresAtUs !== undefined && tsUs >= i.expiresAtUs && !this.expiredSet.has(i.symbol)) out.push(i.symbol);
    }
    return out.sort();
  }
  expiredSymbols(): ReadonlySet<string> {
    return this.expiredSet;
  }

  restricted(symbol: string): Stamp | undefined {
    return this.restrictedMap.get(symbol);
  }
  restrictedList(): ReadonlyMap<string, Stamp> {
    return this.restrictedMap;
  }

  get firmHalt(): Stamp | undefined {
    return this.firmHaltStamp;
  }
  /** The halt that stops this client's trading (the firm-wide one first), if any. */
  haltOf(clientId: string): Stamp | undefined {
    return this.firmHaltStamp ?? this.clientMap.get(clientId)?.halt;
  }

  client(clientId: string): ClientExposure | undefined {
    const c = this.clientMap.get(clientId);
    return c === undefined ? undefined : exposureOf(c);
  }
  clients(): ClientExposure[] {
    return [...this.clientMap.values()].filter((c) => c.known).map(exposureOf);
  }
  /** The limits changed at runtime per client (what the snapshot carries). */
  runtimeLimits(): { clientId: string; by: string; limits: Limits }[] {
    const out: { clientId: string; by: string; limits: Limits }[] = [];
    for (const c of this.clientMap.values()) if (Object.keys(c.runtime).length > 0) out.push({ clientId: c.clientId, by: c.runtimeBy, limits: { ...c.runtime } });
    return out;
  }

  holding(clientId: string, symbol: string): Holding | undefined {
    return this.holdingsByClient.get(clientId)?.get(symbol);
  }
  /** Every holding with a position or a fill, in the order first seen. */
  holdings(): IterableIterator<Holding> {
    return this.holdingMap.values();
  }

  /** A live order's open share (leaves, valuation) as risk counts it, if it is live. */
  openOrder(orderId: number): { leaves: number; valuation: number; openUnits: number; side: Side } | undefined {
    const o = this.orderMap.get(orderId);
    return o === undefined ? undefined : { leaves: o.leaves, valuation: o.valuation, openUnits: o.openUnits, side: o.side };
  }
  /** The order's flags from its OrderPending (false for unknown orders). */
  flags(orderId: number): { locate: boolean; intentional: boolean } {
    const o = this.orderMap.get(orderId);
    return { locate: o?.locate ?? false, intentional: o?.intentional ?? false };
  }
  /** A market order's protection price, once MarketOrderCollared named it. */
  protectionPrice(orderId: number): number | undefined {
    const o = this.orderMap.get(orderId);
    return o !== undefined && o.orderType === 'market' && o.valuation > 0 && this.collared.has(orderId) ? o.valuation : undefined;
  }
  private collared = new Set<number>();

  /**
   * The first earlier order with the same duplicate key within the window
   * before `tsUs` (rejected ones forgotten), other than `orderId`.
   */
  duplicateOf(orderId: number, key: string, tsUs: number, windowUs: number): number | undefined {
    return this.recent.duplicateOf(orderId, key, tsUs, windowUs);
  }

  /** How many orders the duplicate check remembers (those of the last minute of log time): for diagnostics. */
  get rememberedOrders(): number {
    return this.recent.count;
  }

  /** The client's duplicate window in µs (0: the check is off). */
  duplicateWindowUs(clientId: string): number {
    const ms = this.clientMap.get(clientId)?.limits.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
    return Math.min(ms * 1000, this.memoryUs);
  }

  /** Every live order id of a client ('' or undefined: all clients), ascending. */
  liveOrderIds(clientId?: string, symbol?: string): number[] {
    const out: number[] = [];
    for (const o of this.orderMap.values()) {
      if (clientId !== undefined && clientId !== '' && o.clientId !== clientId) continue;
      if (symbol !== undefined && o.symbol !== symbol) continue;
      out.push(o.orderId);
    }
    return out.sort((a, b) => a - b);
  }

  // ---- applying -----------------------------------------------------------

  /** Applies one sequenced event. Never throws; events that do not apply are ignored. */
  apply(e: Sequenced): void {
    const ev = e.event;
    switch (ev.type) {
      case 'OrderExecuted':
        this.onExecuted(ev);
        break;
      case 'OrderPending':
        this.onPending(ev, e.ts);
        break;
      case 'OrderRestored':
        this.onRestored(ev);
        break;
      case 'OrderAccepted': {
        const o = this.orderMap.get(ev.orderId);
        if (o?.state === 'pending') o.state = 'accepted';
        break;
      }
      case 'OrderRouted': {
        const o = this.orderMap.get(ev.orderId);
        if (o?.state === 'accepted') o.state = 'routed';
        break;
      }
      case 'OrderParked': {
        // Taken off the venue at an explicit close (life's decision 075): waiting for the router again.
        const o = this.orderMap.get(ev.orderId);
        if (o?.state === 'routed') o.state = 'accepted';
        break;
      }
      case 'OrderRejected': {
        const o = this.orderMap.get(ev.orderId);
        if (o && (o.state === 'pending' || o.state === 'accepted')) {
          this.forgetRecent(o);
          this.done(o);
        }
        break;
      }
      case 'VenueRejected': {
        const o = this.orderMap.get(ev.orderId);
        // The OMS projection's rule: the router's (accepted) or the venue's (routed or acknowledged, before any fill).
        if (o && (o.state === 'accepted' || (o.state === 'routed' && o.filled === 0))) this.done(o);
        break;
      }
      case 'CancelRequested': {
        // The lifecycle rule (oms/lifecycle-rules.ts): before routing the log proves the order never reached the
        // venue, so the cancel takes effect at its seq. Otherwise the order stays open until the venue confirms.
        const o = this.orderMap.get(ev.orderId);
        if (o && (o.state === 'pending' || o.state === 'accepted')) this.done(o);
        break;
      }
      case 'ReplaceRequested': {
        // Likewise a replace before routing takes effect at once; later ones wait for OrderReplaced.
        const o = this.orderMap.get(ev.orderId);
        if (o && (o.state === 'pending' || o.state === 'accepted') && Number.isSafeInteger(ev.quantity)) {
          this.newTerms(o, ev.quantity, ev.price);
        }
        break;
      }
      case 'OrderCancelled':
      case 'OrderExpired': {
        const o = this.orderMap.get(ev.orderId);
        if (o) this.done(o);
        break;
      }
      case 'OrderReplaced':
        this.onReplaced(ev);
        break;
      case 'MarketOrderCollared': {
        const o = this.orderMap.get(ev.orderId);
        if (o && o.orderType === 'market' && ev.protectionPrice > 0) {
          this.collared.add(o.orderId);
          o.valuation = ev.protectionPrice;
          this.expose(o);
        }
        break;
      }
      case 'ReferencePriceMoved':
        if (ev.price > 0 && this.instrumentMap.has(ev.symbol)) this.marks.set(ev.symbol, ev.price);
        break;
      case 'InstrumentExpired':
        if (this.instrumentMap.has(ev.symbol) && !this.expiredSet.has(ev.symbol)) {
          this.expiredSet.add(ev.symbol);
          this.settleExpiry(ev.symbol);
        }
        break;
      case 'RestrictedListChanged':
        if (ev.restricted) this.restrictedMap.set(ev.symbol, { by: ev.by, text: ev.text, seq: e.seq, ts: e.ts });
        else this.restrictedMap.delete(ev.symbol);
        break;
      case 'TradingHalted': {
        const stamp = { by: ev.by, text: ev.text, seq: e.seq, ts: e.ts };
        if (ev.clientId === '') this.firmHaltStamp = stamp;
        else this.clientRisk(ev.clientId).halt = stamp;
        break;
      }
      case 'TradingResumed':
        if (ev.clientId === '') this.firmHaltStamp = undefined;
        else this.clientRisk(ev.clientId).halt = undefined;
        break;
      case 'LimitsChanged': {
        const c = this.clientRisk(ev.clientId);
        const change = limitsOf(ev);
        Object.assign(c.limits, change);
        if (ev.by !== 'reference') {
          Object.assign(c.runtime, change);
          c.runtimeBy = ev.by;
        }
        break;
      }
      case 'PositionRestored': {
        const h = this.holdingOf(ev.clientId, ev.symbol);
        h.position.quantity = ev.quantity;
        h.position.avgCost = ev.quantity === 0 ? 0 : ev.avgCost;
        // A new trading day: the carried realised P&L is history; today's starts at 0, the position keeps its cost.
        h.position.priorRealizedPnl = ev.realizedPnl;
        h.position.realizedPnl = 0;
        break;
      }
      case 'InstrumentAdded': {
        const inst: RiskInstrument = {
          symbol: ev.symbol,
          instrumentType: ev.instrumentType,
          currency: ev.currency,
          tickSize: ev.tickSize,
          referencePrice: ev.referencePrice,
          multiplier: ev.multiplier !== undefined && ev.multiplier > 0 ? ev.multiplier : 1,
          ...(ev.expiry !== undefined ? { expiry: ev.expiry, expiresAtUs: expiryEndUs(ev.expiry) } : {}),
          ...(ev.underlying !== undefined ? { underlying: ev.underlying } : {}),
          ...(ev.strike !== undefined ? { strike: ev.strike } : {}),
          ...(ev.putCall !== undefined ? { putCall: ev.putCall } : {}),
        };
        this.instrumentMap.set(ev.symbol, inst);
        break;
      }
      case 'ClientAdded': {
        const c = this.clientRisk(ev.clientId);
        c.known = true;
        Object.assign(c.limits, limitsOf(ev));
        break;
      }
      case 'SessionOpened':
        this.reset();
        this.sessionId = ev.sessionId;
        break;
      default:
        break;
    }
    this.seq = e.seq;
    this.ts = e.ts;
  }

  /**
   * A deep copy at the same position: folding the same events into either
   * afterwards leaves the other as it was. For a second owner that must diverge
   * later (the sequencer's policy after start-up shared the host's state while
   * both folded the same recovered events): copying the live state is far
   * cheaper than folding the whole session twice. Equal stateHash.
   */
  copy(): RiskState {
    const r = new RiskState();
    r.instrumentMap = new Map(this.instrumentMap); // instruments are never changed once added
    r.marks = new Map(this.marks);
    r.expiredSet = new Set(this.expiredSet);
    r.restrictedMap = new Map(this.restrictedMap); // stamps are never changed
    r.firmHaltStamp = this.firmHaltStamp;
    for (const [k, c] of this.clientMap) {
      const d = new ClientRisk(c.clientId);
      d.known = c.known;
      d.limits = { ...c.limits };
      d.runtime = { ...c.runtime };
      d.runtimeBy = c.runtimeBy;
      d.openUnits = c.openUnits;
      d.executedUnits = c.executedUnits;
      d.halt = c.halt;
      r.clientMap.set(k, d);
    }
    const holdings = new Map<Holding, Holding>();
    for (const [k, h] of this.holdingMap) {
      const d = { position: { ...h.position }, openBuy: h.openBuy, openSell: h.openSell };
      holdings.set(h, d);
      r.holdingMap.set(k, d);
      r.indexHolding(d.position.clientId, d.position.symbol, d);
    }
    for (const [k, o] of this.orderMap) {
      r.orderMap.set(k, { ...o, execs: o.execs === undefined ? undefined : new Set(o.execs), client: r.clientMap.get(o.clientId)!, holding: holdings.get(o.holding)! });
    }
    r.recent = this.recent.copy();
    r.remembers = this.remembers;
    r.collared = new Set(this.collared);
    r.sessionId = this.sessionId;
    r.seq = this.seq;
    r.ts = this.ts;
    return r;
  }

  /**
   * For the checkpoint codec (decision 140): a shallow copy without the
   * duplicate memory, and the memory in columns. The memory is hundreds of
   * thousands of tiny objects in a busy minute; V8's structured
   * deserialization of those took seconds, columns take milliseconds.
   * `withMemory` puts it back. Reads, changes nothing.
   */
  packedForCheckpoint(): { risk: RiskState; memory: PackedMemory } {
    const risk = Object.assign(Object.create(RiskState.prototype) as RiskState, this);
    risk.recent = new RecentOrders(MEMORY_US);
    // The live orders go in as a Map by orderId, as checkpoints have always held them (afterDecode takes them back).
    (risk as unknown as { orderMap: Map<number, RiskOrder> }).orderMap = new Map(this.orderMap);
    return { risk, memory: this.recent.pack() };
  }

  /**
   * Takes `decoded`'s state in place (a component restoring a checkpoint keeps its references to this object):
   * its fields, and the index built from them that no field assignment carries (holdingsByClient is not
   * enumerable, so Object.assign alone left the old, empty one, and the next fill opened a second holding).
   */
  adopt(decoded: RiskState): void {
    Object.assign(this, decoded);
    this.afterDecode();
  }

  /** For the checkpoint codec, on a state it decoded: the holdings' index, and the live orders from the checkpoint's Map (see packedForCheckpoint) back into slots. */
  afterDecode(): this {
    this.indexHoldings();
    const held = this.orderMap as unknown;
    if (held instanceof Map) {
      const slots = new OrderSlots<RiskOrder>();
      for (const [id, o] of held as Map<number, RiskOrder>) slots.set(id, o);
      this.orderMap = slots;
    }
    return this;
  }

  /**
   * Drops the duplicate memory and keeps none from now on: for a state that
   * never answers `duplicateOf`, only the close snapshot (the sequencer
   * policy's, decision 169: its memory was 17 MiB at 1 M orders, and grows
   * with the order rate, up to ~190 MiB at 10 k orders/s). Everything else
   * folds as before.
   */
  withoutDuplicateMemory(): this {
    this.remembers = false;
    this.recent = new RecentOrders(MEMORY_US);
    return this;
  }

  /** Puts back the duplicate memory `packedForCheckpoint` took out (into this decoded state, which has none). */
  withMemory(m: PackedMemory & Partial<PackedKeyText>): this {
    this.recent = RecentOrders.unpack(MEMORY_US, m);
    return this;
  }

  private reset(): void {
    this.instrumentMap = new Map();
    this.marks = new Map();
    this.expiredSet = new Set();
    this.restrictedMap = new Map();
    this.firmHaltStamp = undefined;
    this.clientMap = new Map();
    this.orderMap = new OrderSlots();
    this.holdingMap = new Map();
    this.holdingsByClient = new Map();
    this.recent = new RecentOrders(MEMORY_US);
    this.collared = new Set();
  }

  private clientRisk(clientId: string): ClientRisk {
    let c = this.clientMap.get(clientId);
    if (c === undefined) {
      c = new ClientRisk(clientId);
      this.clientMap.set(clientId, c);
    }
    return c;
  }

  private holdingOf(clientId: string, symbol: string): Holding {
    let h = this.holdingsByClient.get(clientId)?.get(symbol);
    if (h === undefined) {
      h = { position: newPosition(clientId, symbol), openBuy: 0, openSell: 0 };
      this.holdingMap.set(holdingKey(clientId, symbol), h);
      this.indexHolding(clientId, symbol, h);
    }
    return h;
  }

  private indexHolding(clientId: string, symbol: string, h: Holding): void {
    let bySymbol = this.holdingsByClient.get(clientId);
    if (bySymbol === undefined) this.holdingsByClient.set(clientId, (bySymbol = new Map()));
    bySymbol.set(symbol, h);
  }

  private onPending(ev: EventOf<'OrderPending'>, ts: number): void {
    if (this.orderMap.has(ev.orderId)) return;
    const o = this.open(ev, 'pending', 0, ev.locate === true, ev.intentional === true);
    // Only a state that remembers reads the key (the sequencer policy's never does: one string per order saved).
    if (this.remembers) o.dupKey = duplicateKey(ev.clientId, ev.symbol, ev.side, ev.orderType, ev.quantity, ev.orderType === 'market' ? 0 : ev.price);
    this.remember(o, ts);
  }

  /**
   * Expiry of an option (docs/decisions/096): every position in it closes. In
   * the money at the underlying's mark at the expiry event (call: mark >
   * strike; put: mark < strike) it is exercised (long) or assigned (short):
   * the option closes at 0 (the premium is realised) and the underlying is
   * bought or sold at the strike, quantity × multiplier shares. Out of (or
   * at) the money it expires worthless, closed at 0. A fold of sequenced
   * events only: the same log settles the same way on every replica.
   */
  private settleExpiry(symbol: string): void {
    const inst = this.instrumentMap.get(symbol);
    if (inst === undefined || inst.instrumentType !== 'option') return;
    const u = inst.underlying;
    const k = inst.strike;
    const call = inst.putCall === 'call';
    const known = u !== undefined && k !== undefined && k > 0 && (call || inst.putCall === 'put') && this.instrumentMap.has(u);
    const mark = known ? this.mark(u) : undefined;
    for (const h of [...this.holdingMap.values()]) {
      const p = h.position;
      if (p.symbol !== symbol || p.quantity === 0) continue;
      // Without an underlying and its mark the position cannot be settled: it stays at its last mark.
      if (!known || mark === undefined || !(mark > 0)) continue;
      const qty = p.quantity;
      applyFill(p, -qty, 0, inst.multiplier);
      const inTheMoney = call ? mark > k : mark < k;
      if (!inTheMoney) continue;
      const shares = qty * inst.multiplier * (call ? 1 : -1);
      applyFill(this.holdingOf(p.clientId, u).position, shares, k, this.multiplier(u));
    }
  }

  private onRestored(ev: EventOf<'OrderRestored'>): void {
    if (this.orderMap.has(ev.orderId) || ev.filledQuantity > ev.quantity) return;
    if (ev.state === 'filled' || ev.state === 'cancelled' || ev.state === 'rejected' || ev.state === 'expired') return;
    this.open(ev, ev.state === 'pending' ? 'pending' : ev.state === 'accepted' ? 'accepted' : 'routed', ev.filledQuantity, false, false);
  }

  /** Books a live order, new (OrderPending) or carried over (OrderRestored), and exposes its open part. */
  private open(ev: OrderTerms, state: RiskOrder['state'], filled: number, locate: boolean, intentional: boolean): RiskOrder {
    // Client first, then holding: the order in which the maps first see them, as before (holdings() keeps it).
    const client = this.clientRisk(ev.clientId);
    const holding = this.holdingOf(ev.clientId, ev.symbol);
    const o: RiskOrder = {
      orderId: ev.orderId,
      clientId: ev.clientId,
      symbol: ev.symbol,
      side: ev.side,
      orderType: ev.orderType,
      locate,
      intentional,
      state,
      quantity: ev.quantity,
      filled,
      leaves: ev.quantity - filled,
      valuation: ev.orderType === 'market' ? (this.mark(ev.symbol) ?? 0) : ev.price,
      openUnits: 0,
      openQty: 0,
      dupKey: '',
      exec1: -1,
      execs: undefined,
      client,
      holding,
    };
    this.orderMap.set(o.orderId, o);
    this.expose(o);
    return o;
  }

  private onExecuted(ev: EventOf<'OrderExecuted'>): void {
    const o = this.orderMap.get(ev.orderId);
    // The OMS projection's rule: fills count on routed / partially filled orders only, once per execId, never overfilling.
    if (o === undefined || o.state !== 'routed') return;
    const q = ev.fillQty;
    if (q <= 0 || q > o.leaves) return;
    const execId = ev.execId;
    if (o.exec1 === execId || o.execs?.has(execId)) return;
    if (o.exec1 >= 0) (o.execs ??= new Set()).add(execId);
    else o.exec1 = execId;
    const mult = this.multiplier(o.symbol);
    o.filled += q;
    o.leaves -= q;
    o.client.executedUnits += units(q * ev.fillPrice * mult);
    applyFill(o.holding.position, o.side === 'buy' ? q : -q, ev.fillPrice, mult);
    if (ev.fillPrice > 0) this.marks.set(o.symbol, ev.fillPrice);
    if (o.leaves === 0) this.done(o);
    else this.expose(o);
  }

  private onReplaced(ev: EventOf<'OrderReplaced'>): void {
    const o = this.orderMap.get(ev.orderId);
    if (o === undefined) return;
    this.newTerms(o, ev.quantity, ev.price);
  }

  /** A replace takes effect (the projection's newTerms): down to the filled quantity completes the order. */
  private newTerms(o: RiskOrder, quantity: number, price: number): void {
    const limit = o.orderType === 'limit';
    if (quantity <= 0 || quantity < o.filled || (limit && !(price > 0))) return;
    o.quantity = quantity;
    o.leaves = quantity - o.filled;
    if (limit) o.valuation = price;
    if (o.leaves === 0) this.done(o);
    else this.expose(o);
  }

  /** Re-derives the order's share of its client's open notional and its holding's open quantity. */
  private expose(o: RiskOrder): void {
    const u = units(o.leaves * o.valuation * this.multiplier(o.symbol));
    o.client.openUnits += u - o.openUnits;
    o.openUnits = u;
    const h = o.holding;
    if (o.side === 'buy') h.openBuy += o.leaves - o.openQty;
    else h.openSell += o.leaves - o.openQty;
    o.openQty = o.leaves;
  }

  /** The order is terminal: it leaves every open figure. */
  private done(o: RiskOrder): void {
    o.leaves = 0;
    this.expose(o);
    this.orderMap.delete(o.orderId);
    this.collared.delete(o.orderId);
  }

  private remember(o: RiskOrder, ts: number): void {
    if (this.remembers) this.recent.remember(o.dupKey, o.orderId, ts);
  }

  /** A rejected order is no reason to refuse the corrected resend. */
  private forgetRecent(o: RiskOrder): void {
    this.recent.forget(o.dupKey, o.orderId);
  }

  // ---- hashing -------------------------------------------------------------

  /** SHA-256 (hex) over a canonical, sorted serialization of everything above. Equal logs, equal hashes. */
  stateHash(): string {
    const h = createHash('sha256');
    const line = (v: unknown[]): void => void h.update(`${JSON.stringify(v)}\n`);
    line(['S', this.sessionId, this.seq, this.ts, this.firmHaltStamp ?? null]);
    for (const k of [...this.instrumentMap.keys()].sort()) line(['I', this.instrumentMap.get(k), this.marks.get(k) ?? null, this.expiredSet.has(k)]);
    for (const k of [...this.restrictedMap.keys()].sort()) line(['R', k, this.restrictedMap.get(k)]);
    for (const k of [...this.clientMap.keys()].sort()) {
      const c = this.clientMap.get(k)!;
      line(['C', k, c.known, c.limits, c.runtime, c.runtimeBy, c.openUnits, c.executedUnits, c.halt ?? null]);
    }
    for (const id of [...this.orderMap.keys()].sort((a, b) => a - b)) {
      const o = this.orderMap.get(id)!;
      line(['O', id, o.state, o.quantity, o.filled, o.leaves, o.valuation, this.collared.has(id), execIdsOf(o)]);
    }
    for (const k of [...this.holdingMap.keys()].sort()) {
      const x = this.holdingMap.get(k)!;
      line(['H', x.position, x.openBuy, x.openSell]);
    }
    for (const [k, items] of this.recent.entries()) line(['D', k, items]);
    return h.digest('hex');
  }
}

function exposureOf(c: ClientRisk): ClientExposure {
  return {
    clientId: c.clientId,
    limits: c.limits,
    openNotional: c.openUnits / SCALE,
    executedNotional: c.executedUnits / SCALE,
    halt: c.halt,
  };
}
