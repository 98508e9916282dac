import { describe, expect, it } from 'vitest';
import { OrderBook, type BookTrade, type Depth } from '../../engine/venue/book.ts';
import { MarketMaker } from '../../engine/venue/market-maker.ts';
import { Prng } from '../../engine/venue/prng.ts';

const AAPL = { symbol: 'AAPL', tickSize: 0.01, lotSize: 1, referencePrice: 189.25 };
const OPT = { symbol: 'AAPL 250620C190', tickSize: 0.05, lotSize: 10, referencePrice: 4.1 };

function run(seed: number, steps: number, inst = AAPL): { depths: Depth[]; trades: BookTrade[]; book: OrderBook; mm: MarketMaker } {
  const book = new OrderBook({ tickSize: inst.tickSize });
  let id = 1;
  const mm = new MarketMaker(book, inst, seed, () => id++);
  const depths: Depth[] = [];
  const trades: BookTrade[] = [];
  for (let i = 0; i < steps; i++) {
    trades.push(...mm.step());
    depths.push(book.depth(10));
  }
  return { depths, trades, book, mm };
}

describe('Prng', () => {
  it('is reproducible and roughly uniform', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 10_000 }, () => a.float());
    expect(Array.from({ length: 10_000 }, () => b.float())).toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Prng(43).float()).not.toBe(new Prng(42).float());
  });
});

describe('MarketMaker', () => {
  it('gives the same quotes and trades for the same seed, different ones for another', () => {
    const a = run(7, 300);
    const b = run(7, 300);
    expect(b.depths).toEqual(a.depths);
    expect(b.trades).toEqual(a.trades);
    expect(a.trades.length).toBeGreaterThan(0);
    const c = run(8, 300);
    expect(c.depths).not.toEqual(a.depths);
  });

  it('quotes several levels a side, in whole lots, never crossed', () => {
    const { depths } = run(1, 200, OPT);
    for (const d of depths) {
      expect(d.bids.length).toBe(5);
      expect(d.asks.length).toBeGreaterThanOrEqual(4); // the outside taker may lift a level
      expect(d.bids[0]!.price).toBeLessThan(d.asks[0]!.price);
      for (const l of [...d.bids, ...d.asks]) expect(l.quantity % OPT.lotSize).toBe(0);
    }
  });

  it('walks around the reference price without wandering off', () => {
    const { book, mm, depths } = run(3, 5000);
    const mids = depths.map((d) => (d.bids[0]!.price + d.asks[0]!.price) / 2);
    const lo = Math.min(...mids);
    const hi = Math.max(...mids);
    expect(hi - lo).toBeGreaterThan(0.1); // it does move
    expect(lo).toBeGreaterThan(AAPL.referencePrice * 0.97);
    expect(hi).toBeLessThan(AAPL.referencePrice * 1.03);
    expect(Math.abs(mm.fairPrice() - AAPL.referencePrice)).toBeLessThan(AAPL.referencePrice * 0.03);
    expect(book.lastPrice()).toBeDefined();
  });

  it('fills a marketable order and leaves a large one partly filled', () => {
    const { book } = run(5, 10);
    const ask = book.bestAsk()!;
    const small = book.limit(1_000_000, 'buy', ask, 1);
    expect(small.filled).toBe(1);
    const askSide = book.depth(100).asks.reduce((s, l) => s + l.quantity, 0);
    const big = book.market(1_000_001, 'buy', askSide + 500);
    expect(big.trades.length).toBeGreaterThan(1);
    expect(big.filled).toBe(askSide);
    expect(big.expired).toBe(500);
  });

  it('crosses resting orders when the market moves through them', () => {
    const book = new OrderBook({ tickSize: 0.01 });
    let id = 1;
    const mm = new MarketMaker(book, AAPL, 9, () => id++, { takerProbability: 0 });
    mm.step();
    // A bid 3 ticks below the ask: a few steps of a 2-tick-sigma walk reach it.
    const bidTicks = book.bestAskTicks()! - 3;
    book.limitTicks(999_999, 'buy', bidTicks, 100_000);
    let filled = 0;
    for (let i = 0; i < 500 && filled === 0; i++) {
      for (const t of mm.step()) if (t.makerId === 999_999) filled += t.quantity;
    }
    expect(filled).toBeGreaterThan(0);
    expect(book.order(999_999)!.filled).toBe(filled);
  });
});
