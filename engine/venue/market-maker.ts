import type { BookTrade, OrderBook } from './book.ts';
import { Prng } from './prng.ts';

/** What the market maker needs to know about an instrument (a subset of the OMS reference data). */
export interface QuotedInstrument {
  readonly symbol: string;
  readonly tickSize: number;
  readonly lotSize: number;
  readonly referencePrice: number;
}

/** Tuning of the simulated liquidity. Every field has a default that suits a demo. */
export interface MarketMakerOptions {
  /** Price levels quoted on each side. Default 5. */
  levels?: number;
  /** Full quoted spread in basis points of the reference price (at least 2 ticks). Default 2. */
  spreadBps?: number;
  /** Standard deviation of one step of the fair-value walk, in basis points of the reference price. Default 1. */
  volatilityBps?: number;
  /** Floor on that standard deviation, in ticks, so coarse-tick instruments (options) still move. Default 0.3. */
  minVolatilityTicks?: number;
  /** Fraction of the gap to the reference price closed per step (mean reversion keeps prices near the reference). Default 0.01. */
  meanReversion?: number;
  /** Notional aimed at for the top level; sets the base size in lots. Default 25,000. */
  levelNotional?: number;
  /** Base quote size in lots; overrides levelNotional. */
  baseLots?: number;
  /** Probability per step that a simulated outside trader sends a small market order. Default 0.25. */
  takerProbability?: number;
}

/**
 * Simulated liquidity for one instrument. A seeded random walk with mean
 * reversion moves a fair value around the reference price; on every step the
 * market maker pulls its quotes and posts fresh ones on several levels each
 * side, with sizes in whole lots that grow with depth. A new quote that
 * crosses a resting (OMS) order trades with it, just as when a real market
 * moves through a limit. Now and then an outside trader sends a small market
 * order, so the tape prints even when the OMS is quiet.
 *
 * Deterministic: the same seed, book and order flow give the same quotes and
 * trades.
 */
export class MarketMaker {
  private readonly rng: Prng;
  private readonly levels: number;
  private readonly halfSpread: number;
  private readonly sigma: number;
  private readonly kappa: number;
  private readonly refTicks: number;
  private readonly takerProbability: number;
  /** Top-level quote size in lots. */
  readonly baseLots: number;
  private fair: number;
  private quoteIds: number[] = [];

  /**
   * @param book the instrument's book, shared with the venue's other participants
   * @param instrument tick, lot and reference price of the instrument
   * @param seed PRNG seed for this instrument
   * @param nextId allocates book order ids, unique across everything in the book
   */
  constructor(
    private readonly book: OrderBook,
    private readonly instrument: QuotedInstrument,
    seed: number,
    private readonly nextId: () => number,
    opts: MarketMakerOptions = {},
  ) {
    this.rng = new Prng(seed);
    this.levels = Math.max(1, Math.floor(opts.levels ?? 5));
    this.refTicks = Math.max(1, book.toTicks(instrument.referencePrice));
    this.halfSpread = Math.max(1, Math.round((this.refTicks * (opts.spreadBps ?? 2)) / 2e4));
    this.sigma = Math.max(opts.minVolatilityTicks ?? 0.3, (this.refTicks * (opts.volatilityBps ?? 1)) / 1e4);
    this.kappa = Math.min(1, Math.max(0, opts.meanReversion ?? 0.01));
    this.takerProbability = opts.takerProbability ?? 0.25;
    const lotNotional = instrument.referencePrice * Math.max(1, instrument.lotSize);
    this.baseLots = Math.max(1, Math.floor(opts.baseLots ?? Math.min(1000, Math.max(1, Math.round((opts.levelNotional ?? 25_000) / lotNotional)))));
    this.fair = this.refTicks;
  }

  /** The current fair value as a price. */
  fairPrice(): number {
    return this.book.toPrice(Math.round(this.fair));
  }

  /** Ids of the market maker's quotes posted by the last step (some may since have filled). */
  quotes(): readonly number[] {
    return this.quoteIds;
  }

  /**
   * One tick of the simulation: move the fair value, re-quote both sides,
   * maybe send an outside market order. Returns every trade it caused, in
   * order; the venue reports those that involve OMS orders.
   */
  step(): BookTrade[] {
    const rng = this.rng;
    const book = this.book;
    const lot = Math.max(1, this.instrument.lotSize);
    const minFair = this.halfSpread + this.levels + 1;
    this.fair += this.kappa * (this.refTicks - this.fair) + this.sigma * rng.normal();
    if (this.fair < minFair) this.fair = minFair;

    for (const id of this.quoteIds) book.cancel(id);
    this.quoteIds = [];

    const trades: BookTrade[] = [];
    const mid = Math.round(this.fair);
    for (let i = 0; i < this.levels; i++) {
      const bid = mid - this.halfSpread - i;
      const ask = mid + this.halfSpread + i;
      const bidQty = lot * this.baseLots * rng.int(1, 2 + i);
      const askQty = lot * this.baseLots * rng.int(1, 2 + i);
      if (bid >= 1) this.post('buy', bid, bidQty, trades);
      this.post('sell', ask, askQty, trades);
    }

    if (rng.float() < this.takerProbability) {
      const side = rng.float() < 0.5 ? 'buy' : 'sell';
      const qty = lot * rng.int(1, Math.max(1, Math.ceil(this.baseLots / 2)));
      for (const t of book.market(this.nextId(), side, qty).trades) trades.push(t);
    }
    return trades;
  }

  private post(side: 'buy' | 'sell', ticks: number, qty: number, trades: BookTrade[]): void {
    const id = this.nextId();
    const r = this.book.limitTicks(id, side, ticks, qty);
    for (const t of r.trades) trades.push(t);
    if (r.rested) this.quoteIds.push(id);
  }
}
