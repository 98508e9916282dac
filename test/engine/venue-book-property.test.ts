import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderBook, type BookSide } from '../../engine/venue/book.ts';

/**
 * A deliberately naive reference book: a flat list of orders, sorted on every
 * match. Slow and obviously right; the real book must agree with it trade for
 * trade.
 */
interface NaiveOrder {
  id: number;
  buy: boolean;
  ticks: number;
  quantity: number;
  filled: number;
  leaves: number;
  time: number;
}
interface NaiveTrade {
  takerId: number;
  makerId: number;
  priceTicks: number;
  quantity: number;
  takerLeaves: number;
  makerLeaves: number;
}

class NaiveBook {
  orders: NaiveOrder[] = [];
  private clock = 0;

  private match(id: number, buy: boolean, limit: number, qty: number, trades: NaiveTrade[]): number {
    let left = qty;
    while (left > 0) {
      const candidates = this.orders
        .filter((o) => o.buy !== buy && (buy ? o.ticks <= limit : o.ticks >= limit))
        .sort((a, b) => (buy ? a.ticks - b.ticks : b.ticks - a.ticks) || a.time - b.time);
      const m = candidates[0];
      if (m === undefined) break;
      const q = Math.min(m.leaves, left);
      m.leaves -= q;
      m.filled += q;
      left -= q;
      trades.push({ takerId: id, makerId: m.id, priceTicks: m.ticks, quantity: q, takerLeaves: left, makerLeaves: m.leaves });
      if (m.leaves === 0) this.orders = this.orders.filter((o) => o !== m);
    }
    return left;
  }

  limit(id: number, buy: boolean, ticks: number, qty: number, ioc: boolean): NaiveTrade[] {
    const trades: NaiveTrade[] = [];
    const left = this.match(id, buy, ticks, qty, trades);
    if (left > 0 && !ioc) this.orders.push({ id, buy, ticks, quantity: qty, filled: qty - left, leaves: left, time: this.clock++ });
    return trades;
  }

  market(id: number, buy: boolean, qty: number): NaiveTrade[] {
    const trades: NaiveTrade[] = [];
    this.match(id, buy, buy ? Infinity : -Infinity, qty, trades);
    return trades;
  }

  cancel(id: number): number | undefined {
    const o = this.orders.find((x) => x.id === id);
    if (o === undefined) return undefined;
    this.orders = this.orders.filter((x) => x !== o);
    return o.leaves;
  }

  replace(id: number, qty: number, ticks: number): NaiveTrade[] | string {
    const o = this.orders.find((x) => x.id === id);
    if (o === undefined) return 'unknown_order';
    if (qty <= o.filled) return 'below_filled';
    const leaves = qty - o.filled;
    if (ticks === o.ticks && leaves <= o.leaves) {
      o.leaves = leaves;
      o.quantity = qty;
      return [];
    }
    this.orders = this.orders.filter((x) => x !== o);
    const trades: NaiveTrade[] = [];
    const left = this.match(id, o.buy, ticks, leaves, trades);
    if (left > 0) this.orders.push({ ...o, ticks, quantity: qty, filled: qty - left, leaves: left, time: this.clock++ });
    return trades;
  }

  depth(buy: boolean): [number, number, number][] {
    const byTicks = new Map<number, [number, number]>();
    for (const o of this.orders) {
      if (o.buy !== buy) continue;
      const l = byTicks.get(o.ticks) ?? [0, 0];
      l[0] += o.leaves;
      l[1] += 1;
      byTicks.set(o.ticks, l);
    }
    return [...byTicks.entries()]
      .sort((a, b) => (buy ? b[0] - a[0] : a[0] - b[0]))
      .map(([t, [q, n]]) => [t, q, n]);
  }
}

type Op =
  | { kind: 'limit'; side: BookSide; ticks: number; qty: number; ioc: boolean }
  | { kind: 'market'; side: BookSide; qty: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'replace'; pick: number; qty: number; ticks: number };

const side = fc.constantFrom<BookSide>('buy', 'sell');
const ticks = fc.integer({ min: 996, max: 1004 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('limit' as const), side, ticks, qty: fc.integer({ min: 1, max: 40 }), ioc: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('market' as const), side, qty: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 50 }), ticks }) },
);

describe('OrderBook under random order flow', () => {
  it('agrees with a naive reference book and keeps its invariants', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 250 }), (ops) => {
        const book = new OrderBook({ tickSize: 0.1 });
        const ref = new NaiveBook();
        const sideOf = new Map<number, BookSide>();
        const quantityOf = new Map<number, number>();
        const filledOf = new Map<number, number>();
        let boughtTotal = 0;
        let soldTotal = 0;
        let nextId = 1;

        for (const o of ops) {
          let got: NaiveTrade[] = [];
          let want: NaiveTrade[] | string = [];
          if (o.kind === 'limit' || o.kind === 'market') {
            const id = nextId++;
            sideOf.set(id, o.side);
            quantityOf.set(id, o.qty);
            const r = o.kind === 'limit' ? book.limitTicks(id, o.side, o.ticks, o.qty, o.ioc) : book.market(id, o.side, o.qty);
            want = o.kind === 'limit' ? ref.limit(id, o.side === 'buy', o.ticks, o.qty, o.ioc) : ref.market(id, o.side === 'buy', o.qty);
            got = r.trades;
            expect(r.filled + r.leaves + r.expired).toBe(o.qty);
          } else if (o.kind === 'cancel') {
            const id = (o.pick % nextId) + 1;
            expect(book.cancel(id)).toBe(ref.cancel(id));
          } else {
            const id = (o.pick % nextId) + 1;
            const r = book.replaceTicks(id, o.qty, o.ticks);
            want = ref.replace(id, o.qty, o.ticks);
            if (r.ok) {
              quantityOf.set(id, o.qty);
              got = r.trades;
            } else {
              expect(r.reason).toBe(want);
              want = [];
            }
          }
          expect(typeof want).not.toBe('string');
          expect(got.map((t) => ({ ...t }))).toEqual(
            (want as NaiveTrade[]).map((t) => ({
              ...t,
              takerSide: sideOf.get(t.takerId),
              price: book.toPrice(t.priceTicks),
            })),
          );

          for (const t of got) {
            for (const id of [t.takerId, t.makerId]) filledOf.set(id, (filledOf.get(id) ?? 0) + t.quantity);
            if (sideOf.get(t.takerId) === sideOf.get(t.makerId)) throw new Error('a trade between two orders of one side');
            boughtTotal += t.quantity;
            soldTotal += t.quantity;
          }

          // Never crossed after matching.
          const bid = book.bestBidTicks();
          const ask = book.bestAskTicks();
          if (bid !== undefined && ask !== undefined) expect(bid).toBeLessThan(ask);

          // Same resting state as the reference, level by level.
          const d = book.depth(Infinity);
          expect(d.bids.map((l) => [book.toTicks(l.price), l.quantity, l.orders])).toEqual(ref.depth(true));
          expect(d.asks.map((l) => [book.toTicks(l.price), l.quantity, l.orders])).toEqual(ref.depth(false));
        }

        // Fills on the buy side equal fills on the sell side.
        let buys = 0;
        let sells = 0;
        for (const [id, f] of filledOf) {
          if (sideOf.get(id) === 'buy') buys += f;
          else sells += f;
        }
        expect(buys).toBe(sells);
        expect(boughtTotal).toBe(soldTotal);
        expect(book.volume).toBe(boughtTotal);

        // leaves + filled = quantity for everything still resting; nothing overfills.
        for (const [id, q] of quantityOf) {
          const f = filledOf.get(id) ?? 0;
          expect(f).toBeLessThanOrEqual(q);
          const rest = book.order(id);
          if (rest !== undefined) {
            expect(rest.filled).toBe(f);
            expect(rest.leaves + rest.filled).toBe(rest.quantity);
            expect(rest.quantity).toBe(q);
          }
        }
        expect(book.size).toBe(ref.orders.length);
      }),
      { numRuns: 500 },
    );
  });
});
