import { describe, expect, it } from 'vitest';
import { OrderBook, type BookTrade } from '../../engine/venue/book.ts';

const brief = (ts: BookTrade[]): [number, number, number][] => ts.map((t) => [t.makerId, t.quantity, t.price]);

function sellLadder(): OrderBook {
  const b = new OrderBook({ tickSize: 0.01 });
  b.limit(1, 'sell', 101, 10);
  b.limit(2, 'sell', 100, 10);
  b.limit(3, 'sell', 100, 5);
  b.limit(4, 'sell', 100, 5);
  return b;
}

describe('OrderBook prices', () => {
  it('keys prices by ticks and prints them without float noise', () => {
    const b = new OrderBook({ tickSize: 0.01 });
    expect(b.toTicks(189.25)).toBe(18925);
    expect(b.toPrice(18925)).toBe(189.25);
    expect(b.isOnTick(189.25)).toBe(true);
    expect(b.isOnTick(189.255)).toBe(false);
    const o = new OrderBook({ tickSize: 0.05 });
    expect(o.toPrice(82)).toBe(4.1);
    expect(o.isOnTick(4.1)).toBe(true);
    expect(o.isOnTick(4.12)).toBe(false);
    const w = new OrderBook({ tickSize: 25 });
    expect(w.toPrice(3)).toBe(75);
  });

  it('rejects a non-positive tick size', () => {
    expect(() => new OrderBook({ tickSize: 0 })).toThrow(RangeError);
  });
});

describe('OrderBook matching', () => {
  it('fills best price first, then oldest first within a price', () => {
    const b = sellLadder();
    const r = b.limit(10, 'buy', 101, 18);
    expect(brief(r.trades)).toEqual([
      [2, 10, 100],
      [3, 5, 100],
      [4, 3, 100],
    ]);
    expect(r).toMatchObject({ filled: 18, leaves: 0, rested: false, expired: 0 });
    expect(b.order(4)).toMatchObject({ leaves: 2, filled: 3, quantity: 5 });
    expect(b.bestAsk()).toBe(100);
    expect(b.bestAskSize()).toBe(2);
  });

  it('partial fills add up and the remainder rests at the limit', () => {
    const b = sellLadder();
    const r = b.limit(10, 'buy', 100.5, 25);
    expect(r.trades.reduce((s, t) => s + t.quantity, 0)).toBe(20);
    expect(r.trades.map((t) => t.takerLeaves)).toEqual([15, 10, 5]);
    expect(r).toMatchObject({ filled: 20, leaves: 5, rested: true });
    expect(b.bestBid()).toBe(100.5);
    expect(b.bestAsk()).toBe(101);
    expect(b.order(10)).toMatchObject({ side: 'buy', price: 100.5, quantity: 25, filled: 20, leaves: 5 });
    expect(b.lastPrice()).toBe(100);
    expect(b.lastQuantity).toBe(5);
    expect(b.volume).toBe(20);
  });

  it('does not match a limit that does not cross', () => {
    const b = sellLadder();
    const r = b.limit(10, 'buy', 99.99, 100);
    expect(r.trades).toEqual([]);
    expect(b.bestBid()).toBe(99.99);
    expect(b.depth(3)).toEqual({
      bids: [{ price: 99.99, quantity: 100, orders: 1 }],
      asks: [
        { price: 100, quantity: 20, orders: 3 },
        { price: 101, quantity: 10, orders: 1 },
      ],
    });
  });

  it('expires the remainder of an IOC limit', () => {
    const b = sellLadder();
    const r = b.limit(10, 'buy', 100, 30, true);
    expect(r).toMatchObject({ filled: 20, leaves: 0, rested: false, expired: 10 });
    expect(b.bestBid()).toBeUndefined();
    expect(b.bestAsk()).toBe(101);
  });

  it('sweeps every level with a market order and expires what is left', () => {
    const b = sellLadder();
    const r = b.market(10, 'buy', 50);
    expect(brief(r.trades)).toEqual([
      [2, 10, 100],
      [3, 5, 100],
      [4, 5, 100],
      [1, 10, 101],
    ]);
    expect(r).toMatchObject({ filled: 30, expired: 20, rested: false });
    expect(b.bestAsk()).toBeUndefined();
    expect(b.size).toBe(0);
    expect(b.market(11, 'sell', 5)).toMatchObject({ filled: 0, expired: 5, trades: [] });
  });

  it('sells match the highest bid first', () => {
    const b = new OrderBook({ tickSize: 0.5 });
    b.limit(1, 'buy', 10, 1);
    b.limit(2, 'buy', 11, 1);
    b.limit(3, 'buy', 10.5, 1);
    const r = b.limit(4, 'sell', 10.5, 5);
    expect(brief(r.trades)).toEqual([
      [2, 1, 11],
      [3, 1, 10.5],
    ]);
    expect(b.bestAsk()).toBe(10.5);
    expect(b.bestBid()).toBe(10);
  });

  it('refuses a second resting order with the same id and bad quantities', () => {
    const b = sellLadder();
    expect(() => b.limit(1, 'sell', 105, 1)).toThrow(/already resting/);
    expect(() => b.limit(9, 'sell', 105, 0)).toThrow(RangeError);
    expect(() => b.limit(9, 'sell', 105, 1.5)).toThrow(RangeError);
  });
});

describe('OrderBook cancel', () => {
  it('removes the order and its level when it was alone', () => {
    const b = sellLadder();
    expect(b.cancel(1)).toBe(10);
    expect(b.depth(5).asks).toEqual([{ price: 100, quantity: 20, orders: 3 }]);
    expect(b.cancel(3)).toBe(5);
    expect(b.queue('sell')).toEqual([2, 4]);
    expect(b.cancel(3)).toBeUndefined();
    expect(b.cancel(999)).toBeUndefined();
    const r = b.limit(10, 'buy', 100, 12);
    expect(brief(r.trades)).toEqual([
      [2, 10, 100],
      [4, 2, 100],
    ]);
  });

  it('leaves nothing behind once every order is gone', () => {
    const b = sellLadder();
    for (const id of [1, 2, 3, 4]) b.cancel(id);
    expect(b.depth(10)).toEqual({ bids: [], asks: [] });
    expect(b.bestAsk()).toBeUndefined();
    b.limit(5, 'sell', 100, 1);
    expect(b.bestAsk()).toBe(100);
  });
});

describe('OrderBook replace', () => {
  it('keeps time priority when only the quantity goes down', () => {
    const b = sellLadder();
    const r = b.replace(2, 4, 100);
    expect(r).toMatchObject({ ok: true, priorityKept: true, leaves: 4, trades: [] });
    expect(b.queue('sell')).toEqual([2, 3, 4, 1]);
    expect(b.depth(1).asks).toEqual([{ price: 100, quantity: 14, orders: 3 }]);
  });

  it('loses time priority when the quantity goes up', () => {
    const b = sellLadder();
    expect(b.replace(2, 11, 100)).toMatchObject({ ok: true, priorityKept: false });
    expect(b.queue('sell')).toEqual([3, 4, 2, 1]);
    expect(b.depth(1).asks).toEqual([{ price: 100, quantity: 21, orders: 3 }]);
  });

  it('loses time priority on a price change, even back to the same price', () => {
    const b = sellLadder();
    b.replace(2, 10, 100.5);
    expect(b.queue('sell')).toEqual([3, 4, 2, 1]);
    b.replace(2, 10, 100);
    expect(b.queue('sell')).toEqual([3, 4, 2, 1]);
    b.replace(3, 5, 101);
    expect(b.queue('sell')).toEqual([4, 2, 1, 3]);
  });

  it('matches when the new price crosses, and rests the remainder', () => {
    const b = sellLadder();
    b.limit(10, 'buy', 99, 30);
    const r = b.replace(10, 30, 100);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(brief(r.trades)).toEqual([
      [2, 10, 100],
      [3, 5, 100],
      [4, 5, 100],
    ]);
    expect(r.trades.every((t) => t.takerId === 10)).toBe(true);
    expect(r).toMatchObject({ filled: 20, leaves: 10, rested: true });
    expect(b.order(10)).toMatchObject({ quantity: 30, filled: 20, leaves: 10, price: 100 });
    expect(b.bestBid()).toBe(100);
    expect(b.bestAsk()).toBe(101);
  });

  it('counts the filled part in the new quantity and refuses to go to or below it', () => {
    const b = sellLadder();
    b.limit(10, 'buy', 100, 4); // fills 4 of order 2
    expect(b.order(2)).toMatchObject({ filled: 4, leaves: 6 });
    expect(b.replace(2, 4, 100)).toEqual({ ok: false, reason: 'below_filled' });
    expect(b.replace(2, 6, 100)).toMatchObject({ ok: true, priorityKept: true, leaves: 2 });
    expect(b.order(2)).toMatchObject({ quantity: 6, filled: 4, leaves: 2 });
    expect(b.replace(77, 6, 100)).toEqual({ ok: false, reason: 'unknown_order' });
  });

  it('a fully crossing replace leaves the book', () => {
    const b = sellLadder();
    b.limit(10, 'buy', 99, 5);
    const r = b.replace(10, 5, 100);
    expect(r).toMatchObject({ ok: true, filled: 5, leaves: 0, rested: false });
    expect(b.order(10)).toBeUndefined();
    expect(b.cancel(10)).toBeUndefined();
  });
});
