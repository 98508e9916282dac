import { Reason } from '../protocol/reasons.ts';
import { OrderBook, type BookTrade, type SelfTradeCancel } from './book.ts';
import { MarketMaker, type MarketMakerOptions } from './market-maker.ts';
import { seedFor } from './prng.ts';
import type {
  MarketData,
  NewOrderMsg,
  OrderStatusMsg,
  ReplaceMsg,
  VenueFill,
  VenueOrderState,
  VenueReply,
  VenueRequest,
} from './protocol.ts';

/** An instrument as the OMS reference data describes it; the venue needs only these fields. */
export interface VenueInstrument {
  readonly symbol: string;
  readonly tickSize: number;
  readonly lotSize: number;
  readonly referencePrice: number;
  /** Venue id from reference data (e.g. XNAS). Informational here. */
  readonly venue?: string;
}

export interface ExchangeOptions<P> {
  instruments: readonly VenueInstrument[];
  /** Seeds every instrument's market maker (each gets its own stream derived from seed and symbol). */
  seed: number;
  /** Receives every reply, addressed to the peer that owns the order. Called synchronously. */
  deliver: (peer: P, reply: VenueReply) => void;
  marketMaker?: MarketMakerOptions;
  /** False turns simulated liquidity off (books hold OMS orders only). Default true. */
  simulateLiquidity?: boolean;
  /** execIds start after this. Default 0: the first execId is 1. */
  execIdBase?: number;
  /** Levels of depth in market data. Default 5. */
  depthLevels?: number;
  /**
   * How many finished orders (filled, cancelled, expired, rejected) the venue
   * remembers to answer duplicates and status requests; older ones are
   * forgotten, oldest first. Default 100,000.
   */
  retainFinished?: number;
}

type FinalState = Exclude<VenueOrderState, 'unknown'>;

/**
 * The venue's record of one OMS order, kept while it is live and for a
 * while after it finished (see ExchangeOptions.retainFinished), so duplicates
 * and status requests can be answered.
 */
class VenueOrder<P> {
  filled = 0;
  /** Flat [execId, quantity, price, …]; allocated on the first fill (most records never need it). */
  fills: number[] | undefined = undefined;
  /** gtd: expiry time, µs since the Unix epoch (0: none). */
  expireAt = 0;
  /** Filled before its current book entry (a parked order re-entered): the book knows only the rest. */
  bookOffset = 0;
  constructor(
    readonly orderId: number,
    readonly bookId: number,
    readonly inst: InstrumentState | undefined,
    /** Time in force 'day': expires at {@link Exchange.expireDayOrders}. */
    readonly day: boolean,
    public peer: P,
    public quantity: number,
    public price: number,
    public state: FinalState,
  ) {}
}

interface InstrumentState {
  readonly symbol: string;
  readonly lotSize: number;
  readonly book: OrderBook;
  readonly mm: MarketMaker | undefined;
  dirty: boolean;
  mdSeq: number;
}

/** Counters for monitoring. */
export interface ExchangeStats {
  requests: number;
  replies: number;
  fills: number;
  duplicates: number;
  rejects: number;
  openOrders: number;
  knownOrders: number;
  /** Finished orders forgotten so far (see ExchangeOptions.retainFinished). */
  forgottenOrders: number;
}

/**
 * The simulated exchange without any I/O: one book and one market maker per
 * instrument, and the venue's record of every OMS order it was sent. Requests
 * go in through {@link handle}; replies come out through `deliver`, addressed
 * to the peer (gateway connection) that owns the order. The owner is whoever
 * last sent a message about the order, so a gateway that reconnects under a
 * new identity gets the order back by asking for its status.
 *
 * Deterministic: same instruments, seed and sequence of calls give the same
 * replies. The socket service (venue.ts) adds the clock and the network.
 */
export class Exchange<P> {
  private readonly instruments = new Map<string, InstrumentState>();
  private readonly byOrderId = new Map<number, VenueOrder<P>>();
  /** OMS orders resting in a book (or being matched), by book id. */
  private readonly byBookId = new Map<number, VenueOrder<P>>();
  private readonly deliver: (peer: P, reply: VenueReply) => void;
  private readonly depthLevels: number;
  private nextBookId = 1;
  private execSeq: number;
  private readonly counters = { requests: 0, replies: 0, fills: 0, duplicates: 0, rejects: 0, forgottenOrders: 0 };
  /** Self-trade prevention keys: owner name → small integer (> 0). */
  private readonly owners = new Map<string, number>();
  /** Live gtd orders (their expiry is checked by {@link expireGtdOrders}). */
  private readonly gtd = new Set<VenueOrder<P>>();
  /** Finished orders' ids, oldest first, from `finishedHead` on: forgotten beyond `retainFinished`. */
  private finished: number[] = [];
  private finishedHead = 0;
  private readonly retainFinished: number;
  /** Highest orderId forgotten: a NewOrder at or below it may be a resend of a forgotten order and is refused. */
  private forgottenMax = 0;

  constructor(opts: ExchangeOptions<P>) {
    this.deliver = opts.deliver;
    this.retainFinished = opts.retainFinished ?? 100_000;
    this.execSeq = opts.execIdBase ?? 0;
    this.depthLevels = opts.depthLevels ?? 5;
    const allocate = (): number => this.nextBookId++;
    for (const inst of opts.instruments) {
      if (this.instruments.has(inst.symbol)) throw new Error(`instrument ${inst.symbol} listed twice`);
      if (!(inst.lotSize >= 1) || !Number.isSafeInteger(inst.lotSize)) throw new RangeError(`${inst.symbol}: lotSize must be a whole number >= 1`);
      if (!(inst.referencePrice > 0)) throw new RangeError(`${inst.symbol}: referencePrice must be > 0`);
      const book = new OrderBook({ tickSize: inst.tickSize });
      const mm =
        opts.simulateLiquidity === false
          ? undefined
          : new MarketMaker(book, inst, seedFor(opts.seed, inst.symbol), allocate, opts.marketMaker);
      this.instruments.set(inst.symbol, { symbol: inst.symbol, lotSize: inst.lotSize, book, mm, dirty: true, mdSeq: 0 });
    }
  }

  /** Symbols this venue lists, in configuration order. */
  symbols(): string[] {
    return [...this.instruments.keys()];
  }

  /** The book of `symbol`, for inspection (tests, tools). Do not mutate it directly. */
  book(symbol: string): OrderBook | undefined {
    return this.instruments.get(symbol)?.book;
  }

  /** The market maker of `symbol`, when liquidity is simulated. */
  marketMaker(symbol: string): MarketMaker | undefined {
    return this.instruments.get(symbol)?.mm;
  }

  /** Counters since construction. */
  stats(): ExchangeStats {
    return { ...this.counters, openOrders: this.byBookId.size, knownOrders: this.byOrderId.size };
  }

  /** True when the venue still holds live quantity of `orderId` (it can still trade). */
  isLive(orderId: number): boolean {
    return this.byOrderId.get(orderId)?.state === 'open';
  }

  /** Handles one gateway request from `peer`. Replies are delivered before it returns. */
  handle(peer: P, msg: VenueRequest): void {
    this.counters.requests++;
    switch (msg.type) {
      case 'NewOrder':
        this.newOrder(peer, msg);
        break;
      case 'Cancel':
        this.cancel(peer, msg.orderId);
        break;
      case 'Replace':
        this.replace(peer, msg);
        break;
      case 'Expire': {
        const o = this.byOrderId.get(msg.orderId);
        if (o === undefined || o.state !== 'open') break;
        o.peer = peer;
        if (msg.reason === Reason.SESSION_PARKED) {
          this.park(o);
          break;
        }
        this.takeOff(o, 'expired');
        this.send(peer, { type: 'Expired', orderId: o.orderId, reason: msg.reason });
        break;
      }
      case 'Status':
        for (const id of msg.orderIds) {
          const o = this.byOrderId.get(id);
          if (o !== undefined) o.peer = peer;
          this.send(peer, this.status(id));
        }
        break;
      default: {
        const never: never = msg;
        throw new Error(`unexpected request ${JSON.stringify(never)}`);
      }
    }
  }

  /** The venue's state of `orderId` (state `unknown` when never seen). */
  status(orderId: number): OrderStatusMsg {
    const o = this.byOrderId.get(orderId);
    if (o === undefined) {
      const state = orderId <= this.forgottenMax ? 'forgotten' : 'unknown';
      return { type: 'OrderStatus', orderId, state, quantity: 0, price: 0, filledQuantity: 0, leaves: 0, fills: [] };
    }
    const fills: VenueFill[] = [];
    const flat = o.fills ?? [];
    for (let i = 0; i < flat.length; i += 3) {
      fills.push({ execId: flat[i]!, quantity: flat[i + 1]!, price: flat[i + 2]! });
    }
    return {
      type: 'OrderStatus',
      orderId,
      state: o.state,
      quantity: o.quantity,
      price: o.price,
      filledQuantity: o.filled,
      leaves: o.state === 'open' ? o.quantity - o.filled : 0,
      fills,
    };
  }

  /**
   * End of the trading day: every open day order leaves the book and its
   * owner gets Expired{DAY_ORDER_SESSION_END}. GTC orders stay. Returns how
   * many expired.
   */
  expireDayOrders(): number {
    let n = 0;
    for (const o of [...this.byBookId.values()]) {
      if (!o.day || o.state !== 'open') continue;
      this.takeOff(o, 'expired');
      this.send(o.peer, { type: 'Expired', orderId: o.orderId, reason: Reason.DAY_ORDER_SESSION_END });
      n++;
    }
    return n;
  }

  /**
   * Expires every live gtd order whose expiry time is at or before `nowUs`
   * (µs since the Unix epoch): Expired{GTD_EXPIRED} to its owner. The venue
   * service calls this on its clock; the OMS learns of it only through the
   * sequenced OrderExpired the gateway asks for. Returns how many expired.
   */
  expireGtdOrders(nowUs: number): number {
    let n = 0;
    for (const o of [...this.gtd]) {
      if (o.expireAt > nowUs) continue;
      this.gtd.delete(o);
      if (o.state !== 'open') continue;
      this.takeOff(o, 'expired');
      this.send(o.peer, { type: 'Expired', orderId: o.orderId, reason: Reason.GTD_EXPIRED });
      n++;
    }
    return n;
  }

  /**
   * Parking (decision 075): the order leaves the book but is not finished, so
   * it is never forgotten; a NewOrder with its id re-enters it (new time
   * priority) with the fills it has.
   */
  private park(o: VenueOrder<P>): void {
    o.inst!.book.cancel(o.bookId);
    o.inst!.dirty = true;
    this.byBookId.delete(o.bookId);
    if (o.expireAt > 0) this.gtd.delete(o);
    o.state = 'parked';
    this.send(o.peer, { type: 'Expired', orderId: o.orderId, reason: Reason.SESSION_PARKED });
  }

  /** Takes a live order out of the book and gives it its final state. */
  private takeOff(o: VenueOrder<P>, state: FinalState): void {
    o.inst!.book.cancel(o.bookId);
    o.inst!.dirty = true;
    this.byBookId.delete(o.bookId);
    this.finish(o, state);
  }

  /** Marks an order finished and forgets the oldest finished ones beyond `retainFinished`. */
  private finish(o: VenueOrder<P>, state: FinalState): void {
    o.state = state;
    if (o.expireAt > 0) this.gtd.delete(o);
    this.finished.push(o.orderId);
    while (this.finished.length - this.finishedHead > this.retainFinished) {
      const id = this.finished[this.finishedHead++]!;
      const gone = this.byOrderId.get(id);
      if (gone !== undefined && gone.state !== 'open') {
        this.byOrderId.delete(id);
        this.counters.forgottenOrders++;
        if (id > this.forgottenMax) this.forgottenMax = id;
      }
    }
    if (this.finishedHead > 4096 && this.finishedHead * 2 > this.finished.length) {
      this.finished = this.finished.slice(this.finishedHead);
      this.finishedHead = 0;
    }
  }

  /** The small integer standing for `owner` in the books' self-trade prevention (0: none). */
  private ownerKey(owner: string | undefined): number {
    if (owner === undefined || owner === '') return 0;
    let k = this.owners.get(owner);
    if (k === undefined) {
      k = this.owners.size + 1;
      this.owners.set(owner, k);
    }
    return k;
  }

  /** Advances every market maker one step; fills against OMS orders are delivered. */
  step(): void {
    for (const inst of this.instruments.values()) {
      if (inst.mm === undefined) continue;
      this.applyTrades(inst.mm.step(), undefined);
      inst.dirty = true;
    }
  }

  /**
   * Market data of the symbols that changed since the last call (or all,
   * with `all`), and clears their changed mark. `timeMs` is stamped as given.
   */
  takeMarketData(timeMs: number, all = false): MarketData[] {
    const out: MarketData[] = [];
    for (const inst of this.instruments.values()) {
      if (!inst.dirty && !all) continue;
      inst.dirty = false;
      out.push(this.marketData(inst, timeMs));
    }
    return out;
  }

  private marketData(inst: InstrumentState, timeMs: number): MarketData {
    const book = inst.book;
    const depth = book.depth(this.depthLevels);
    return {
      symbol: inst.symbol,
      seq: ++inst.mdSeq,
      timeMs,
      bid: book.bestBid() ?? null,
      bidSize: book.bestBidSize(),
      ask: book.bestAsk() ?? null,
      askSize: book.bestAskSize(),
      last: book.lastPrice() ?? null,
      lastSize: book.lastQuantity,
      volume: book.volume,
      bids: depth.bids.map((l) => [l.price, l.quantity]),
      asks: depth.asks.map((l) => [l.price, l.quantity]),
    };
  }

  // ---- order handling ----------------------------------------------------

  private send(peer: P, reply: VenueReply): void {
    this.counters.replies++;
    this.deliver(peer, reply);
  }

  private reject(peer: P, msg: NewOrderMsg, inst: InstrumentState | undefined, text: string): void {
    this.counters.rejects++;
    // Remember the reject so that a resend gets the same answer, not a new order.
    const o = new VenueOrder(msg.orderId, 0, inst, false, peer, msg.quantity, msg.price, 'rejected');
    this.byOrderId.set(msg.orderId, o);
    this.finish(o, 'rejected');
    this.send(peer, { type: 'Rejected', orderId: msg.orderId, reason: Reason.VENUE_REJECT, text });
  }

  private newOrder(peer: P, msg: NewOrderMsg): void {
    const seen = this.byOrderId.get(msg.orderId);
    if (seen !== undefined && seen.state === 'parked' && seen.inst !== undefined) {
      this.enter(peer, msg, seen.inst, seen);
      return;
    }
    if (seen !== undefined) {
      this.counters.duplicates++;
      seen.peer = peer;
      this.send(peer, this.status(msg.orderId));
      return;
    }
    if (msg.orderId <= this.forgottenMax) {
      // Maybe a resend of an order finished and forgotten long ago: never trade it twice.
      this.counters.rejects++;
      this.send(peer, { type: 'Rejected', orderId: msg.orderId, reason: Reason.VENUE_REJECT, text: `order id ${msg.orderId} is older than the venue's memory` });
      return;
    }
    const inst = this.instruments.get(msg.symbol);
    if (inst === undefined) return this.reject(peer, msg, inst, `unknown symbol ${msg.symbol}`);
    const qtyProblem = this.quantityProblem(inst, msg.quantity);
    if (qtyProblem !== undefined) return this.reject(peer, msg, inst, qtyProblem);
    const market = msg.orderType === 'market';
    if (!market) {
      const priceProblem = this.priceProblem(inst, msg.price);
      if (priceProblem !== undefined) return this.reject(peer, msg, inst, priceProblem);
    }

    if (msg.timeInForce === 'gtd' && !(msg.expireAt !== undefined && msg.expireAt > 0)) {
      return this.reject(peer, msg, inst, 'a gtd order needs an expiry time');
    }
    this.enter(peer, msg, inst, undefined);
  }

  /**
   * Puts an order in the book and matches it: a new one, or a parked one
   * re-entered (`parked`: its record, fills kept; it trades only what is left
   * of `msg.quantity`, the order's terms now).
   */
  private enter(peer: P, msg: NewOrderMsg, inst: InstrumentState, parked: VenueOrder<P> | undefined): void {
    const market = msg.orderType === 'market';
    const book = inst.book;
    const bookId = this.nextBookId++;
    const price = market ? 0 : book.toPrice(book.toTicks(msg.price));
    const tif = msg.timeInForce;
    let o: VenueOrder<P>;
    if (parked !== undefined) {
      // Re-entered under the same record: a new book entry (time priority starts again), the fills kept.
      o = new VenueOrder(msg.orderId, bookId, inst, tif === 'day', peer, msg.quantity, price, 'open');
      o.filled = parked.filled;
      o.fills = parked.fills;
      o.bookOffset = parked.filled;
      if (!(msg.quantity > o.filled)) {
        this.byOrderId.set(msg.orderId, o);
        this.finish(o, 'filled');
        this.send(peer, this.status(msg.orderId));
        return;
      }
    } else {
      o = new VenueOrder(msg.orderId, bookId, inst, tif === 'day', peer, msg.quantity, price, 'open');
    }
    this.byOrderId.set(msg.orderId, o);
    this.send(peer, { type: 'Ack', orderId: msg.orderId });
    const left = msg.quantity - o.filled;

    const owner = this.ownerKey(msg.owner);
    const fok = tif === 'fok';
    // A collared market order is an IOC limit at its protection price: it never trades through it.
    const collared = market && msg.protectionPrice !== undefined;
    const r = collared
      ? book.limitTicks(bookId, msg.side, book.toTicks(msg.protectionPrice!), left, true, owner, fok)
      : market
        ? book.market(bookId, msg.side, left, owner, fok)
        : book.limitTicks(bookId, msg.side, book.toTicks(msg.price), left, tif === 'ioc', owner, fok);
    this.selfTradeCancels(r.selfCancelled);
    this.applyTrades(r.trades, o);
    inst.dirty = true;
    if (r.rested) {
      this.byBookId.set(bookId, o);
      if (tif === 'gtd') {
        o.expireAt = msg.expireAt!;
        this.gtd.add(o);
      }
    }
    if (r.expired > 0) {
      this.finish(o, 'expired');
      // Say why the rest did not trade: a market order's is the book running dry (or its collar), not an IOC remainder.
      const reason = fok
        ? Reason.FOK_NOT_FILLED
        : collared
          ? Reason.PRICE_COLLAR
          : tif === 'ioc'
            ? Reason.IOC_REMAINDER
            : Reason.VENUE_NO_LIQUIDITY;
      this.send(o.peer, { type: 'Expired', orderId: o.orderId, reason });
    }
  }

  /** Self-trade prevention (cancel-resting): the resting orders the book took out are cancelled. */
  private selfTradeCancels(cancelled: readonly SelfTradeCancel[]): void {
    for (const c of cancelled) {
      const maker = this.byBookId.get(c.id);
      if (maker === undefined) continue;
      this.byBookId.delete(c.id);
      maker.inst!.dirty = true;
      this.finish(maker, 'cancelled');
      this.send(maker.peer, { type: 'Cancelled', orderId: maker.orderId, reason: Reason.SELF_TRADE_PREVENTED });
    }
  }

  private cancel(peer: P, orderId: number): void {
    const o = this.byOrderId.get(orderId);
    if (o === undefined) {
      this.send(peer, { type: 'CancelRejected', orderId, reason: Reason.UNKNOWN_ORDER, text: `order ${orderId} unknown to the venue` });
      return;
    }
    o.peer = peer;
    if (o.state === 'parked') {
      // Off the book already (decision 075): it is simply never re-entered.
      this.finish(o, 'cancelled');
      this.send(peer, { type: 'Cancelled', orderId, reason: Reason.TRADER_REQUEST });
      return;
    }
    if (o.state !== 'open') {
      this.send(peer, { type: 'CancelRejected', orderId, reason: Reason.TOO_LATE, text: `too late to cancel: order ${orderId} is ${o.state}` });
      return;
    }
    this.takeOff(o, 'cancelled');
    this.send(peer, { type: 'Cancelled', orderId, reason: Reason.TRADER_REQUEST });
  }

  private replace(peer: P, msg: ReplaceMsg): void {
    const { orderId } = msg;
    const o = this.byOrderId.get(orderId);
    const refuse = (reason: number, text: string): void =>
      this.send(peer, { type: 'ReplaceRejected', orderId, reason, text });
    if (o === undefined) return refuse(Reason.UNKNOWN_ORDER, `order ${orderId} unknown to the venue`);
    o.peer = peer;
    if (o.state !== 'open' && o.state !== 'parked') return refuse(Reason.TOO_LATE, `too late to replace: order ${orderId} is ${o.state}`);
    const inst = o.inst!;
    const market = o.price === 0;
    const problem = this.quantityProblem(inst, msg.quantity) ?? (market ? undefined : this.priceProblem(inst, msg.price));
    if (problem !== undefined) return refuse(Reason.VENUE_REJECT, problem);
    if (msg.quantity < o.filled) {
      return refuse(Reason.REPLACE_BELOW_FILLED, `quantity ${msg.quantity} is below the ${o.filled} already filled`);
    }
    const book = inst.book;
    const price = market ? 0 : book.toPrice(book.toTicks(msg.price));
    if (o.state === 'parked') {
      // Off the book: the new terms are kept for its re-entry (down to the filled quantity ends it).
      o.quantity = msg.quantity;
      o.price = price;
      if (msg.quantity === o.filled) this.finish(o, 'filled');
      this.send(peer, { type: 'ReplaceAck', orderId, quantity: o.quantity, price: o.price, leaves: 0 });
      return;
    }
    if (msg.quantity === o.filled) {
      // Down to exactly what filled: nothing is left to trade, the order is done (FIX: replaced, then filled).
      o.quantity = msg.quantity;
      o.price = price;
      this.takeOff(o, 'filled');
      this.send(peer, { type: 'ReplaceAck', orderId, quantity: o.quantity, price: o.price, leaves: 0 });
      return;
    }
    const r = book.replaceTicks(o.bookId, msg.quantity - o.bookOffset, book.toTicks(msg.price));
    if (!r.ok) return refuse(Reason.VENUE_REJECT, `replace refused by the book: ${r.reason}`);
    o.quantity = msg.quantity;
    o.price = price;
    inst.dirty = true;
    this.send(peer, { type: 'ReplaceAck', orderId, quantity: o.quantity, price: o.price, leaves: o.quantity - o.filled });
    this.selfTradeCancels(r.selfCancelled);
    this.applyTrades(r.trades, o);
  }

  private quantityProblem(inst: InstrumentState, q: number): string | undefined {
    if (!Number.isSafeInteger(q) || q <= 0) return `quantity ${q} must be a whole number > 0`;
    if (q % inst.lotSize !== 0) return `quantity ${q} is not a multiple of the lot size ${inst.lotSize}`;
    return undefined;
  }

  private priceProblem(inst: InstrumentState, p: number): string | undefined {
    if (!Number.isFinite(p) || p <= 0) return `price ${p} must be > 0`;
    if (!inst.book.isOnTick(p)) return `price ${p} is off the tick grid (${inst.book.tickSize})`;
    return undefined;
  }

  /**
   * Reports the OMS side(s) of each trade as fills. `taker` is the OMS order
   * that caused the trades, or undefined when the market maker did.
   */
  private applyTrades(trades: readonly BookTrade[], taker: VenueOrder<P> | undefined): void {
    for (let i = 0; i < trades.length; i++) {
      const t = trades[i]!;
      if (taker !== undefined) this.fill(taker, t.quantity, t.price, t.takerLeaves);
      const maker = this.byBookId.get(t.makerId);
      if (maker !== undefined) this.fill(maker, t.quantity, t.price, t.makerLeaves);
    }
  }

  private fill(o: VenueOrder<P>, quantity: number, price: number, leaves: number): void {
    const execId = ++this.execSeq;
    o.filled += quantity;
    (o.fills ??= []).push(execId, quantity, price);
    if (leaves === 0) {
      this.byBookId.delete(o.bookId);
      this.finish(o, 'filled');
    }
    this.counters.fills++;
    this.send(o.peer, { type: 'Fill', orderId: o.orderId, execId, quantity, price, leaves });
  }
}
