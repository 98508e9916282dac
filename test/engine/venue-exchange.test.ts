import { describe, expect, it } from 'vitest';
import { Reason } from '../../engine/protocol/reasons.ts';
import { Exchange, type VenueInstrument } from '../../engine/venue/exchange.ts';
import type { NewOrderMsg, VenueReply } from '../../engine/venue/protocol.ts';

const INSTRUMENTS: VenueInstrument[] = [
  { symbol: 'AAPL', tickSize: 0.01, lotSize: 1, referencePrice: 189.25, venue: 'XNAS' },
  { symbol: 'AAPL 250620C190', tickSize: 0.05, lotSize: 10, referencePrice: 4.1, venue: 'XCBO' },
];

function setup(simulateLiquidity = false, seed = 1) {
  const out: [string, VenueReply][] = [];
  const ex = new Exchange<string>({ instruments: INSTRUMENTS, seed, deliver: (p, r) => out.push([p, r]), simulateLiquidity });
  const take = (): VenueReply[] => out.splice(0).map(([, r]) => r);
  return { ex, out, take };
}

function order(orderId: number, o: Partial<NewOrderMsg> = {}): NewOrderMsg {
  return { type: 'NewOrder', orderId, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 100, price: 189, ...o };
}

describe('Exchange orders', () => {
  it('acks a resting order, fills both OMS sides of a cross with increasing execIds', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', price: 189.5 }));
    expect(take()).toEqual([{ type: 'Ack', orderId: 1 }]);
    ex.handle('g', order(2, { quantity: 150, price: 189.5 }));
    expect(take()).toEqual([
      { type: 'Ack', orderId: 2 },
      { type: 'Fill', orderId: 2, execId: 1, quantity: 100, price: 189.5, leaves: 50 },
      { type: 'Fill', orderId: 1, execId: 2, quantity: 100, price: 189.5, leaves: 0 },
    ]);
    expect(ex.status(1)).toMatchObject({ state: 'filled', filledQuantity: 100, leaves: 0 });
    expect(ex.status(2)).toMatchObject({ state: 'open', filledQuantity: 100, leaves: 50, fills: [{ execId: 1, quantity: 100, price: 189.5 }] });
  });

  it('never creates a second order for an id it has seen: it answers with the status', () => {
    const { ex, take } = setup();
    ex.handle('g', order(7, { price: 100 }));
    take();
    ex.handle('g2', order(7, { price: 200, quantity: 5000 }));
    const [reply] = take();
    expect(reply).toEqual({ type: 'OrderStatus', orderId: 7, state: 'open', quantity: 100, price: 100, filledQuantity: 0, leaves: 100, fills: [] });
    expect(ex.book('AAPL')!.size).toBe(1);
    expect(ex.stats()).toMatchObject({ duplicates: 1, knownOrders: 1 });
    // Rejected ids stay rejected.
    ex.handle('g', order(8, { symbol: 'NOPE' }));
    expect(take()).toEqual([{ type: 'Rejected', orderId: 8, reason: Reason.VENUE_REJECT, text: 'unknown symbol NOPE' }]);
    ex.handle('g', order(8));
    expect(take()).toMatchObject([{ type: 'OrderStatus', orderId: 8, state: 'rejected' }]);
    expect(ex.book('AAPL')!.size).toBe(1);
  });

  it('rejects bad quantities and off-tick prices with a reason', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { quantity: 0 }));
    ex.handle('g', order(2, { quantity: 1.5 }));
    ex.handle('g', order(3, { symbol: 'AAPL 250620C190', quantity: 15, price: 4.1 }));
    ex.handle('g', order(4, { price: 189.255 }));
    ex.handle('g', order(5, { symbol: 'AAPL 250620C190', quantity: 10, price: 4.12 }));
    ex.handle('g', order(6, { price: -1 }));
    const replies = take();
    expect(replies.map((r) => r.type)).toEqual(Array(6).fill('Rejected'));
    expect(replies.map((r) => (r as { text: string }).text)).toEqual([
      'quantity 0 must be a whole number > 0',
      'quantity 1.5 must be a whole number > 0',
      'quantity 15 is not a multiple of the lot size 10',
      'price 189.255 is off the tick grid (0.01)',
      'price 4.12 is off the tick grid (0.05)',
      'price -1 must be > 0',
    ]);
    ex.handle('g', order(9, { symbol: 'AAPL 250620C190', quantity: 20, price: 4.15 }));
    expect(take()).toEqual([{ type: 'Ack', orderId: 9 }]);
  });

  it('expires the unmatched part of IOC and market orders', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', price: 190, quantity: 30 }));
    ex.handle('g', order(2, { price: 190, quantity: 50, timeInForce: 'ioc' }));
    ex.handle('g', order(3, { orderType: 'market', price: 0, quantity: 10 }));
    take();
    expect(ex.status(2)).toMatchObject({ state: 'expired', filledQuantity: 30, leaves: 0 });
    expect(ex.status(3)).toMatchObject({ state: 'expired', filledQuantity: 0 });
    ex.handle('g', order(4, { orderType: 'market', side: 'sell', price: 0, quantity: 10 }));
    expect(take()).toEqual([
      { type: 'Ack', orderId: 4 },
      { type: 'Expired', orderId: 4, reason: Reason.VENUE_NO_LIQUIDITY },
    ]);
  });

  it('reports IOC fills then the expiry', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', price: 190, quantity: 30 }));
    take();
    ex.handle('g', order(2, { price: 190, quantity: 50, timeInForce: 'ioc' }));
    expect(take()).toEqual([
      { type: 'Ack', orderId: 2 },
      { type: 'Fill', orderId: 2, execId: 1, quantity: 30, price: 190, leaves: 20 },
      { type: 'Fill', orderId: 1, execId: 2, quantity: 30, price: 190, leaves: 0 },
      { type: 'Expired', orderId: 2, reason: Reason.IOC_REMAINDER },
    ]);
  });

  it('cancels open orders and refuses to cancel unknown or finished ones', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1));
    take();
    ex.handle('g', { type: 'Cancel', orderId: 1 });
    ex.handle('g', { type: 'Cancel', orderId: 1 });
    ex.handle('g', { type: 'Cancel', orderId: 99 });
    expect(take()).toEqual([
      { type: 'Cancelled', orderId: 1, reason: Reason.TRADER_REQUEST },
      { type: 'CancelRejected', orderId: 1, reason: Reason.TOO_LATE, text: 'too late to cancel: order 1 is cancelled' },
      { type: 'CancelRejected', orderId: 99, reason: Reason.UNKNOWN_ORDER, text: 'order 99 unknown to the venue' },
    ]);
    expect(ex.book('AAPL')!.size).toBe(0);
  });

  it('replaces: acks, matches a crossing replace, and refuses bad ones', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', price: 190, quantity: 40 }));
    ex.handle('g', order(2, { price: 189, quantity: 100 }));
    take();
    ex.handle('g', { type: 'Replace', orderId: 2, quantity: 100, price: 190 });
    expect(take()).toEqual([
      { type: 'ReplaceAck', orderId: 2, quantity: 100, price: 190, leaves: 100 },
      { type: 'Fill', orderId: 2, execId: 1, quantity: 40, price: 190, leaves: 60 },
      { type: 'Fill', orderId: 1, execId: 2, quantity: 40, price: 190, leaves: 0 },
    ]);
    ex.handle('g', { type: 'Replace', orderId: 2, quantity: 30, price: 190 });
    ex.handle('g', { type: 'Replace', orderId: 2, quantity: 100, price: 190.001 });
    ex.handle('g', { type: 'Replace', orderId: 1, quantity: 100, price: 190 });
    ex.handle('g', { type: 'Replace', orderId: 3, quantity: 100, price: 190 });
    expect(take().map((r) => [r.type, (r as { reason: number }).reason])).toEqual([
      ['ReplaceRejected', Reason.REPLACE_BELOW_FILLED],
      ['ReplaceRejected', Reason.VENUE_REJECT],
      ['ReplaceRejected', Reason.TOO_LATE],
      ['ReplaceRejected', Reason.UNKNOWN_ORDER],
    ]);
    ex.handle('g', { type: 'Replace', orderId: 2, quantity: 70, price: 189.99 });
    expect(take()).toEqual([{ type: 'ReplaceAck', orderId: 2, quantity: 70, price: 189.99, leaves: 30 }]);
    expect(ex.status(2)).toMatchObject({ state: 'open', quantity: 70, price: 189.99, filledQuantity: 40, leaves: 30 });
  });

  it('answers Status for known and unknown ids and moves the order to the asking peer', () => {
    const { ex, out } = setup();
    ex.handle('old', order(1, { price: 190 }));
    ex.handle('new', { type: 'Status', orderIds: [1, 2] });
    expect(out.slice(1)).toEqual([
      ['new', { type: 'OrderStatus', orderId: 1, state: 'open', quantity: 100, price: 190, filledQuantity: 0, leaves: 100, fills: [] }],
      ['new', { type: 'OrderStatus', orderId: 2, state: 'unknown', quantity: 0, price: 0, filledQuantity: 0, leaves: 0, fills: [] }],
    ]);
    out.length = 0;
    ex.handle('other', order(2, { side: 'sell', price: 190, quantity: 10 }));
    expect(out.filter(([, r]) => r.type === 'Fill').map(([p, r]) => [p, (r as { orderId: number }).orderId])).toEqual([
      ['other', 2],
      ['new', 1],
    ]);
  });
});

describe('Exchange end of day', () => {
  it('expires open day orders and keeps GTC ones', () => {
    const { ex, out, take } = setup();
    ex.handle('a', order(1));
    ex.handle('b', order(2, { timeInForce: 'gtc' }));
    ex.handle('b', order(3, { price: 188 }));
    ex.handle('b', { type: 'Cancel', orderId: 3 });
    take();
    expect(ex.expireDayOrders()).toBe(1);
    expect(out).toEqual([['a', { type: 'Expired', orderId: 1, reason: Reason.DAY_ORDER_SESSION_END }]]);
    expect(ex.status(1).state).toBe('expired');
    expect(ex.status(2).state).toBe('open');
    expect(ex.book('AAPL')!.size).toBe(1);
  });
});

describe('Exchange with simulated liquidity', () => {
  it('fills a marketable order against the market maker and partly fills a large one', () => {
    const { ex, take } = setup(true);
    ex.step();
    take();
    const book = ex.book('AAPL')!;
    const ask = book.bestAsk()!;
    ex.handle('g', order(1, { price: ask, quantity: 10 }));
    expect(take()).toEqual([
      { type: 'Ack', orderId: 1 },
      { type: 'Fill', orderId: 1, execId: 1, quantity: 10, price: ask, leaves: 0 },
    ]);
    const offered = book.depth(100).asks.reduce((s, l) => s + l.quantity, 0);
    ex.handle('g', order(2, { orderType: 'market', price: 0, quantity: offered + 1000 }));
    const replies = take();
    const fills = replies.filter((r) => r.type === 'Fill');
    expect(fills.length).toBeGreaterThan(1);
    expect(fills.reduce((s, f) => s + (f as { quantity: number }).quantity, 0)).toBe(offered);
    // A day market order's remainder expires because the book ran dry (not an IOC remainder).
    expect(replies.at(-1)).toEqual({ type: 'Expired', orderId: 2, reason: Reason.VENUE_NO_LIQUIDITY });
    expect(ex.stats().fills).toBe(1 + fills.length);
  });

  it('gives the same replies for the same seed and order flow', () => {
    const runOnce = (seed: number): VenueReply[] => {
      const { ex, take } = setup(true, seed);
      const all: VenueReply[] = [];
      for (let i = 0; i < 200; i++) {
        ex.step();
        const bid = ex.book('AAPL')!.bestBid()!;
        ex.handle('g', order(i + 1, { side: i % 2 ? 'sell' : 'buy', price: i % 2 ? bid : bid + 0.02, quantity: 50 + i }));
        all.push(...take());
      }
      return all;
    };
    const a = runOnce(11);
    expect(runOnce(11)).toEqual(a);
    expect(a.filter((r) => r.type === 'Fill').length).toBeGreaterThan(50);
    expect(runOnce(12)).not.toEqual(a);
  });

  it('publishes market data only for changed symbols unless asked for all', () => {
    const { ex } = setup(false);
    expect(ex.takeMarketData(1).map((m) => m.symbol)).toEqual(['AAPL', 'AAPL 250620C190']);
    expect(ex.takeMarketData(2)).toEqual([]);
    ex.handle('g', order(1, { side: 'sell', price: 190 }));
    ex.handle('g', order(2, { price: 190, quantity: 30 }));
    const [md] = ex.takeMarketData(3);
    expect(md).toEqual({
      symbol: 'AAPL', seq: 2, timeMs: 3, bid: null, bidSize: 0, ask: 190, askSize: 70,
      last: 190, lastSize: 30, volume: 30, bids: [], asks: [[190, 70]],
    });
    expect(ex.takeMarketData(4, true)).toHaveLength(2);
  });
});
