/**
 * A price-time priority limit order book for one instrument.
 *
 * Prices live on the instrument's tick grid and are keyed by integer ticks, so
 * no float ever decides which level an order joins. Each side keeps its price
 * levels in one array sorted worst → best (the best level is the last element,
 * so taking it out is a pop) plus a Map from ticks to level; each level is a
 * doubly linked FIFO queue of orders, so cancel is O(1) and matching never
 * scans. A new price level costs one binary search and one splice.
 *
 * The book is a pure state machine: no clock, no randomness, no I/O. Order ids
 * are chosen by the caller and must be unique among the book's resting orders.
 */
import { isOnStep, tickDecimals } from '../../contract/ticks.ts';
import { IntMap } from './int-map.ts';

export type BookSide = 'buy' | 'sell';

/** One match between an incoming (taker) and a resting (maker) order. */
export interface BookTrade {
  readonly takerId: number;
  readonly makerId: number;
  readonly takerSide: BookSide;
  readonly priceTicks: number;
  /** priceTicks × tickSize, rounded to the tick's decimals. */
  readonly price: number;
  readonly quantity: number;
  /** Taker quantity still unmatched after this trade (it may then rest or expire). */
  readonly takerLeaves: number;
  /** Maker quantity still resting after this trade; 0 means the maker is done. */
  readonly makerLeaves: number;
}

/** What one add or replace did. */
export interface OrderResult {
  /** In match order: best price first, then time priority within a price. */
  readonly trades: BookTrade[];
  /** Quantity matched by this call. */
  readonly filled: number;
  /** Quantity left resting in the book after this call (0 when not resting). */
  readonly leaves: number;
  readonly rested: boolean;
  /** Unmatched quantity dropped because the order was IOC, FOK or market. */
  readonly expired: number;
  /**
   * Self-trade prevention: resting orders of the taker's own owner that the
   * taker reached, taken out of the book instead of trading (cancel-resting),
   * with the quantity each had left. Empty when none.
   */
  readonly selfCancelled: readonly SelfTradeCancel[];
}

/** A resting order cancelled by self-trade prevention. */
export interface SelfTradeCancel {
  readonly id: number;
  readonly leaves: number;
}

export type ReplaceResult =
  | ({ readonly ok: true; readonly priorityKept: boolean } & OrderResult)
  | { readonly ok: false; readonly reason: 'unknown_order' | 'below_filled' };

/** One aggregated price level as seen from outside. */
export interface DepthLevel {
  readonly price: number;
  readonly quantity: number;
  readonly orders: number;
}

export interface Depth {
  /** Best (highest) first. */
  readonly bids: DepthLevel[];
  /** Best (lowest) first. */
  readonly asks: DepthLevel[];
}

/** A resting order as seen from outside. */
export interface RestingOrderView {
  readonly id: number;
  readonly side: BookSide;
  readonly price: number;
  readonly priceTicks: number;
  /** Total quantity of the order (including what already filled). */
  readonly quantity: number;
  readonly filled: number;
  readonly leaves: number;
}

class Order {
  prev: Order | null = null;
  next: Order | null = null;
  filled = 0;
  /** Self-trade prevention key: orders of one owner (> 0) never trade with each other; 0 is nobody. */
  owner = 0;
  constructor(
    public id: number,
    public buy: boolean,
    public ticks: number,
    public quantity: number,
    public leaves: number,
    public level: Level | null,
  ) {}
}

class Level {
  head: Order | null = null;
  tail: Order | null = null;
  total = 0;
  count = 0;
  constructor(public ticks: number) {}

  push(o: Order): void {
    o.level = this;
    o.prev = this.tail;
    o.next = null;
    if (this.tail === null) this.head = o;
    else this.tail.next = o;
    this.tail = o;
    this.total += o.leaves;
    this.count++;
  }

  unlink(o: Order): void {
    if (o.prev === null) this.head = o.next;
    else o.prev.next = o.next;
    if (o.next === null) this.tail = o.prev;
    else o.next.prev = o.prev;
    o.prev = o.next = null;
    o.level = null;
    this.total -= o.leaves;
    this.count--;
  }
}

/** One side's levels, sorted by key ascending where key = ticks for bids and -ticks for asks: best is last. */
class Side {
  readonly levels: Level[] = [];
  readonly byTicks = new IntMap<Level>();
  /** Emptied levels kept for the next new price (at most SPARE_MAX): a quoting book moves its prices every tick. */
  private spare: Level[] = [];
  constructor(readonly bid: boolean) {}

  /** Takes an emptied level out of byTicks and keeps it for reuse. */
  drop(level: Level): void {
    this.byTicks.delete(level.ticks);
    level.head = level.tail = null;
    level.total = 0;
    level.count = 0;
    if (this.spare.length < SPARE_MAX) this.spare.push(level);
  }

  best(): Level | undefined {
    return this.levels[this.levels.length - 1];
  }

  /** First index whose key is >= key. */
  private lowerBound(key: number): number {
    const levels = this.levels;
    const sign = this.bid ? 1 : -1;
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (levels[mid]!.ticks * sign < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  levelFor(ticks: number): Level {
    let level = this.byTicks.get(ticks);
    if (level !== undefined) return level;
    level = this.spare.pop();
    if (level === undefined) level = new Level(ticks);
    else level.ticks = ticks;
    this.byTicks.set(ticks, level);
    const levels = this.levels;
    const key = this.bid ? ticks : -ticks;
    const last = levels[levels.length - 1];
    // New best prices are the common case for a quoting book: append.
    if (last === undefined || (this.bid ? last.ticks : -last.ticks) < key) levels.push(level);
    else levels.splice(this.lowerBound(key), 0, level);
    return level;
  }

  remove(level: Level): void {
    const levels = this.levels;
    if (levels[levels.length - 1] === level) levels.pop();
    else {
      const i = this.lowerBound(this.bid ? level.ticks : -level.ticks);
      if (levels[i] === level) levels.splice(i, 1);
    }
    this.drop(level);
  }
}

/**
 * How many emptied levels and finished orders a book keeps for reuse (decision 264): a market maker's quotes live one
 * venue tick (250 ms in the host), long enough to outlive a scavenge, so new objects each tick were promoted garbage.
 */
const SPARE_MAX = 64;

const EMPTY: BookTrade[] = [];
const NO_SELF: SelfTradeCancel[] = [];

export interface OrderBookOptions {
  /** Minimum price increment, > 0. */
  tickSize: number;
}

/** A price-time priority limit order book for one instrument. See the module comment. */
export class OrderBook {
  readonly tickSize: number;
  private readonly scale: number;
  private readonly tickUnits: number;
  private readonly bids = new Side(true);
  private readonly asks = new Side(false);
  private readonly orders = new IntMap<Order>();
  /** Orders that left the book, kept for reuse (at most SPARE_MAX; see there). */
  private readonly spare: Order[] = [];

  /** Last trade price in ticks; 0 before the first trade. */
  lastTicks = 0;
  /** Last trade quantity; 0 before the first trade. */
  lastQuantity = 0;
  /** Total quantity traded. */
  volume = 0;
  /** Number of trades (maker/taker matches). */
  tradeCount = 0;

  constructor(opts: OrderBookOptions) {
    if (!(opts.tickSize > 0) || !Number.isFinite(opts.tickSize)) throw new RangeError(`tickSize must be > 0, got ${opts.tickSize}`);
    this.tickSize = opts.tickSize;
    this.scale = 10 ** tickDecimals(opts.tickSize);
    this.tickUnits = Math.round(opts.tickSize * this.scale);
  }

  // ---- prices ------------------------------------------------------------

  /** The nearest tick to `price` (Math.round(price / tickSize)). */
  toTicks(price: number): number {
    return Math.round(price / this.tickSize);
  }

  /** True when `price` is a whole number of ticks (within a millionth of a tick: contract/ticks.ts). */
  isOnTick(price: number): boolean {
    return isOnStep(price, this.tickSize);
  }

  /** ticks × tickSize, rounded to the tick's decimals so 18925 × 0.01 prints as 189.25. */
  toPrice(ticks: number): number {
    return (ticks * this.tickUnits) / this.scale;
  }

  // ---- queries -----------------------------------------------------------

  /** Best bid price, or undefined when there are no bids. */
  bestBid(): number | undefined {
    const l = this.bids.best();
    return l === undefined ? undefined : this.toPrice(l.ticks);
  }

  /** Best ask price, or undefined when there are no asks. */
  bestAsk(): number | undefined {
    const l = this.asks.best();
    return l === undefined ? undefined : this.toPrice(l.ticks);
  }

  /** Best bid in ticks, or undefined. */
  bestBidTicks(): number | undefined {
    return this.bids.best()?.ticks;
  }

  /** Best ask in ticks, or undefined. */
  bestAskTicks(): number | undefined {
    return this.asks.best()?.ticks;
  }

  /** Total resting quantity at the best bid (0 when none). */
  bestBidSize(): number {
    return this.bids.best()?.total ?? 0;
  }

  /** Total resting quantity at the best ask (0 when none). */
  bestAskSize(): number {
    return this.asks.best()?.total ?? 0;
  }

  /** Last trade price, or undefined before the first trade. */
  lastPrice(): number | undefined {
    return this.tradeCount === 0 ? undefined : this.toPrice(this.lastTicks);
  }

  /** The best `levels` price levels per side, best first. */
  depth(levels: number): Depth {
    return { bids: this.sideDepth(this.bids, levels), asks: this.sideDepth(this.asks, levels) };
  }

  private sideDepth(side: Side, n: number): DepthLevel[] {
    const out: DepthLevel[] = [];
    const levels = side.levels;
    for (let i = levels.length - 1; i >= 0 && out.length < n; i--) {
      const l = levels[i]!;
      out.push({ price: this.toPrice(l.ticks), quantity: l.total, orders: l.count });
    }
    return out;
  }

  /** A resting order, or undefined when `id` is not resting (unknown, filled, cancelled or expired). */
  order(id: number): RestingOrderView | undefined {
    const o = this.orders.get(id);
    if (o === undefined) return undefined;
    return {
      id: o.id,
      side: o.buy ? 'buy' : 'sell',
      price: this.toPrice(o.ticks),
      priceTicks: o.ticks,
      quantity: o.quantity,
      filled: o.filled,
      leaves: o.leaves,
    };
  }

  /** Number of resting orders. */
  get size(): number {
    return this.orders.size;
  }

  /** Ids of resting orders on one side in priority order (best price, then oldest). For tests and debugging. */
  queue(side: BookSide): number[] {
    const s = side === 'buy' ? this.bids : this.asks;
    const ids: number[] = [];
    for (let i = s.levels.length - 1; i >= 0; i--) {
      for (let o = s.levels[i]!.head; o !== null; o = o.next) ids.push(o.id);
    }
    return ids;
  }

  // ---- commands ----------------------------------------------------------

  /**
   * Adds a limit order at `price` (rounded to the nearest tick). It first
   * matches against the opposite side; what is left rests at the back of its
   * price level, unless `ioc` is set, in which case it expires.
   */
  limit(id: number, side: BookSide, price: number, quantity: number, ioc = false): OrderResult {
    return this.limitTicks(id, side, this.toTicks(price), quantity, ioc);
  }

  /**
   * As {@link limit}, with the price given in ticks. `owner` (> 0) turns on
   * self-trade prevention: resting orders of the same owner that the order
   * reaches are cancelled (see OrderResult.selfCancelled). `fok` (fill or
   * kill): the order trades its whole quantity at once or not at all (then
   * all of it expires and the book is untouched).
   */
  limitTicks(id: number, side: BookSide, ticks: number, quantity: number, ioc = false, owner = 0, fok = false): OrderResult {
    this.checkNew(id, quantity);
    if (!Number.isSafeInteger(ticks)) throw new RangeError(`price ticks must be an integer, got ${ticks}`);
    const buy = side === 'buy';
    if (fok && !this.fillable(buy, ticks, quantity, owner)) {
      return { trades: EMPTY, filled: 0, leaves: 0, rested: false, expired: quantity, selfCancelled: NO_SELF };
    }
    const trades: BookTrade[] = [];
    const self: SelfTradeCancel[] = [];
    const left = this.match(id, buy, ticks, quantity, trades, owner, self);
    const selfCancelled = self.length === 0 ? NO_SELF : self;
    if (left === 0) return { trades, filled: quantity, leaves: 0, rested: false, expired: 0, selfCancelled };
    if (ioc || fok) return { trades, filled: quantity - left, leaves: 0, rested: false, expired: left, selfCancelled };
    const o = this.newOrder(id, buy, ticks, quantity, left);
    o.filled = quantity - left;
    o.owner = owner;
    (buy ? this.bids : this.asks).levelFor(ticks).push(o);
    this.orders.set(id, o);
    return { trades, filled: quantity - left, leaves: left, rested: true, expired: 0, selfCancelled };
  }

  /**
   * A market order: matches whatever the opposite side holds at any price;
   * the rest expires. `owner` and `fok` as for {@link limitTicks}.
   */
  market(id: number, side: BookSide, quantity: number, owner = 0, fok = false): OrderResult {
    this.checkNew(id, quantity);
    const buy = side === 'buy';
    const limit = buy ? Infinity : -Infinity;
    if (fok && !this.fillable(buy, limit, quantity, owner)) {
      return { trades: EMPTY, filled: 0, leaves: 0, rested: false, expired: quantity, selfCancelled: NO_SELF };
    }
    const trades: BookTrade[] = [];
    const self: SelfTradeCancel[] = [];
    const left = this.match(id, buy, limit, quantity, trades, owner, self);
    return { trades, filled: quantity - left, leaves: 0, rested: false, expired: left, selfCancelled: self.length === 0 ? NO_SELF : self };
  }

  /**
   * True when `quantity` could trade at once up to `limit` ticks against
   * orders of other owners (what a fill-or-kill order needs). Walks only as
   * far as it must.
   */
  fillable(buy: boolean, limit: number, quantity: number, owner = 0): boolean {
    const levels = (buy ? this.asks : this.bids).levels;
    let need = quantity;
    for (let i = levels.length - 1; i >= 0 && need > 0; i--) {
      const level = levels[i]!;
      if (buy ? level.ticks > limit : level.ticks < limit) break;
      if (owner === 0) {
        need -= level.total;
        continue;
      }
      for (let o = level.head; o !== null && need > 0; o = o.next) if (o.owner !== owner) need -= o.leaves;
    }
    return need <= 0;
  }

  /** Removes a resting order. Returns the quantity it had left, or undefined when `id` is not resting. */
  cancel(id: number): number | undefined {
    const o = this.orders.get(id);
    if (o === undefined) return undefined;
    const level = o.level!;
    level.unlink(o);
    if (level.count === 0) (o.buy ? this.bids : this.asks).remove(level);
    this.orders.delete(id);
    const leaves = o.leaves;
    this.release(o);
    return leaves;
  }

  /** An Order from the spare ones, else a new one. */
  private newOrder(id: number, buy: boolean, ticks: number, quantity: number, leaves: number): Order {
    const o = this.spare.pop();
    if (o === undefined) return new Order(id, buy, ticks, quantity, leaves, null);
    o.id = id;
    o.buy = buy;
    o.ticks = ticks;
    o.quantity = quantity;
    o.leaves = leaves;
    o.filled = 0;
    o.owner = 0;
    return o;
  }

  /** Keeps an order that left the book (nothing refers to it any more) for reuse. */
  private release(o: Order): void {
    o.prev = o.next = null;
    o.level = null;
    if (this.spare.length < SPARE_MAX) this.spare.push(o);
  }

  /**
   * Amends a resting order to a new total `quantity` (filled part included)
   * and `price`. Lowering the quantity at the same price keeps the order's
   * place in the queue; a new price or a larger quantity sends it to the back,
   * and a new price that crosses the spread matches first like a new order.
   * Refused when the order is not resting or `quantity` is not above what
   * already filled.
   */
  replace(id: number, quantity: number, price: number): ReplaceResult {
    return this.replaceTicks(id, quantity, this.toTicks(price));
  }

  /** As {@link replace}, with the price given in ticks; self-trade prevention applies with the order's own owner. */
  replaceTicks(id: number, quantity: number, ticks: number): ReplaceResult {
    const o = this.orders.get(id);
    if (o === undefined) return { ok: false, reason: 'unknown_order' };
    if (!Number.isSafeInteger(quantity) || quantity <= o.filled) return { ok: false, reason: 'below_filled' };
    if (!Number.isSafeInteger(ticks)) throw new RangeError(`price ticks must be an integer, got ${ticks}`);
    const leaves = quantity - o.filled;
    const level = o.level!;
    if (ticks === o.ticks && leaves <= o.leaves) {
      level.total -= o.leaves - leaves;
      o.leaves = leaves;
      o.quantity = quantity;
      return { ok: true, priorityKept: true, trades: EMPTY, filled: 0, leaves, rested: true, expired: 0, selfCancelled: NO_SELF };
    }
    level.unlink(o);
    if (level.count === 0) (o.buy ? this.bids : this.asks).remove(level);
    this.orders.delete(id);
    o.ticks = ticks;
    o.quantity = quantity;
    const trades: BookTrade[] = [];
    const self: SelfTradeCancel[] = [];
    const left = this.match(id, o.buy, ticks, leaves, trades, o.owner, self);
    o.filled += leaves - left;
    o.leaves = left;
    if (left > 0) {
      (o.buy ? this.bids : this.asks).levelFor(ticks).push(o);
      this.orders.set(id, o);
    } else this.release(o);
    return {
      ok: true, priorityKept: false, trades, filled: leaves - left, leaves: left, rested: left > 0, expired: 0,
      selfCancelled: self.length === 0 ? NO_SELF : self,
    };
  }

  // ---- matching ----------------------------------------------------------

  private checkNew(id: number, quantity: number): void {
    if (!Number.isSafeInteger(quantity) || quantity <= 0) throw new RangeError(`quantity must be a whole number > 0, got ${quantity}`);
    if (this.orders.has(id)) throw new Error(`order id ${id} is already resting in the book`);
  }

  /**
   * Matches a taker against the opposite side up to `limit` ticks; returns the
   * unmatched quantity. Resting orders of the taker's `owner` (> 0) are taken
   * out of the book into `self` instead of trading.
   */
  private match(
    takerId: number, buy: boolean, limit: number, quantity: number, trades: BookTrade[], owner = 0, self: SelfTradeCancel[] = [],
  ): number {
    const opp = buy ? this.asks : this.bids;
    const levels = opp.levels;
    const takerSide: BookSide = buy ? 'buy' : 'sell';
    let left = quantity;
    while (left > 0 && levels.length > 0) {
      const level = levels[levels.length - 1]!;
      if (buy ? level.ticks > limit : level.ticks < limit) break;
      const price = this.toPrice(level.ticks);
      let o = level.head;
      while (o !== null && left > 0) {
        if (owner !== 0 && o.owner === owner) {
          const next = o.next;
          self.push({ id: o.id, leaves: o.leaves });
          level.unlink(o);
          this.orders.delete(o.id);
          this.release(o);
          o = next;
          continue;
        }
        this.lastTicks = level.ticks;
        const q = o.leaves < left ? o.leaves : left;
        o.leaves -= q;
        o.filled += q;
        left -= q;
        level.total -= q;
        this.volume += q;
        this.tradeCount++;
        this.lastQuantity = q;
        trades.push({
          takerId,
          makerId: o.id,
          takerSide,
          priceTicks: level.ticks,
          price,
          quantity: q,
          takerLeaves: left,
          makerLeaves: o.leaves,
        });
        const next = o.next;
        if (o.leaves === 0) {
          // The maker is done: it is the head, so unlink it cheaply.
          level.head = next;
          if (next === null) level.tail = null;
          else next.prev = null;
          o.next = null;
          o.level = null;
          level.count--;
          this.orders.delete(o.id);
          this.release(o);
        }
        o = next;
      }
      if (level.count === 0) {
        levels.pop();
        opp.drop(level);
      }
    }
    return left;
  }
}
