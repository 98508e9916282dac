import { describe, expect, it } from 'vitest';
import { Reason } from '../../engine/protocol/reasons.ts';
import { Exchange, type VenueInstrument } from '../../engine/venue/exchange.ts';
import { decodeRequests, encodeRequests, type NewOrderMsg, type VenueReply } from '../../engine/venue/protocol.ts';

/** The venue's order rules of issue #10: fok, gtd, odd lots, self-trade prevention, reasons, bounded memory. */

const INSTRUMENTS: VenueInstrument[] = [
  // A US equity: trades in any whole number of shares (lot size 1); 100 is the round lot (information only).
  { symbol: 'AAPL', tickSize: 0.01, lotSize: 1, referencePrice: 189.25, venue: 'XNAS' },
  { symbol: 'OPT', tickSize: 0.05, lotSize: 10, referencePrice: 4.1, venue: 'XCBO' },
];

function setup(retainFinished?: number) {
  const out: VenueReply[] = [];
  const ex = new Exchange<string>({ instruments: INSTRUMENTS, seed: 1, deliver: (_p, r) => out.push(r), simulateLiquidity: false, retainFinished });
  const take = (): VenueReply[] => out.splice(0);
  return { ex, take };
}

function order(orderId: number, o: Partial<NewOrderMsg> = {}): NewOrderMsg {
  return { type: 'NewOrder', orderId, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 100, price: 189, ...o };
}

describe('venue: fill or kill', () => {
  it('trades all at once when the book holds enough, across levels', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', price: 189, quantity: 60, owner: 'mm' }));
    ex.handle('g', order(2, { side: 'sell', price: 189.01, quantity: 60, owner: 'mm' }));
    take();
    ex.handle('g', order(3, { timeInForce: 'fok', price: 189.01, quantity: 100, owner: 'c' }));
    const r = take().filter((m) => m.type !== 'ProtocolError' && m.orderId === 3);
    expect(r.map((m) => m.type)).toEqual(['Ack', 'Fill', 'Fill']);
    expect(ex.status(3)).toMatchObject({ state: 'filled', filledQuantity: 100 });
  });

  it('expires whole, touching nothing, when it cannot fill all at its limit', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', price: 189, quantity: 60, owner: 'mm' }));
    ex.handle('g', order(2, { side: 'sell', price: 189.05, quantity: 60, owner: 'mm' }));
    take();
    ex.handle('g', order(3, { timeInForce: 'fok', price: 189.01, quantity: 100, owner: 'c' }));
    expect(take()).toEqual([
      { type: 'Ack', orderId: 3 },
      { type: 'Expired', orderId: 3, reason: Reason.FOK_NOT_FILLED },
    ]);
    expect(ex.status(1)).toMatchObject({ state: 'open', filledQuantity: 0 });
    expect(ex.book('AAPL')!.size).toBe(2);
  });

  it('a fok market order too', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', price: 189, quantity: 60 }));
    take();
    ex.handle('g', order(3, { timeInForce: 'fok', orderType: 'market', price: 0, quantity: 61 }));
    expect(take()).toEqual([{ type: 'Ack', orderId: 3 }, { type: 'Expired', orderId: 3, reason: Reason.FOK_NOT_FILLED }]);
  });
});

describe('venue: good till date', () => {
  it('rests until its expiry time, then expires on the venue clock with GTD_EXPIRED', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { timeInForce: 'gtd', expireAt: 2_000_000 }));
    take();
    expect(ex.expireGtdOrders(1_999_999)).toBe(0);
    expect(ex.isLive(1)).toBe(true);
    expect(ex.expireGtdOrders(2_000_000)).toBe(1);
    expect(take()).toEqual([{ type: 'Expired', orderId: 1, reason: Reason.GTD_EXPIRED }]);
    expect(ex.book('AAPL')!.size).toBe(0);
    expect(ex.status(1).state).toBe('expired');
  });

  it('refuses a gtd order without an expiry time', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { timeInForce: 'gtd' }));
    expect(take()).toMatchObject([{ type: 'Rejected', orderId: 1, text: 'a gtd order needs an expiry time' }]);
  });

  it('a gtd order filled or cancelled before its time is not expired later', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { timeInForce: 'gtd', expireAt: 5 }));
    ex.handle('g', { type: 'Cancel', orderId: 1 });
    take();
    expect(ex.expireGtdOrders(10)).toBe(0);
    expect(take()).toEqual([]);
  });

  it('expireAt and owner survive the wire', () => {
    const m = order(9, { timeInForce: 'gtd', expireAt: 1_790_000_000_000_000, owner: 'ACME' });
    expect(decodeRequests(encodeRequests([m])).msgs).toEqual([m]);
    const plain = order(10);
    expect(decodeRequests(encodeRequests([plain])).msgs).toEqual([plain]);
  });
});

describe('venue: odd and mixed lots', () => {
  it('lot size is the increment: 150 shares of a US equity trade, an option must be a multiple of its lot', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { quantity: 150 }));
    ex.handle('g', order(2, { quantity: 37 }));
    ex.handle('g', order(3, { symbol: 'OPT', quantity: 15, price: 4.1 }));
    const r = take();
    expect(r.filter((m) => m.type === 'Ack').map((m) => m.orderId)).toEqual([1, 2]);
    expect(r).toContainEqual({ type: 'Rejected', orderId: 3, reason: Reason.VENUE_REJECT, text: 'quantity 15 is not a multiple of the lot size 10' });
  });

  it('a mixed lot trades against odd-lot liquidity', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', quantity: 33 }));
    ex.handle('g', order(2, { quantity: 133 }));
    const r = take();
    expect(r).toContainEqual({ type: 'Fill', orderId: 2, execId: 1, quantity: 33, price: 189, leaves: 100 });
  });
});

describe('venue: self-trade prevention (cancel resting)', () => {
  it("a client's new order never trades with its own resting order: the resting one is cancelled, the new one trades on", () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', price: 189, quantity: 50, owner: 'A' }));
    ex.handle('g', order(2, { side: 'sell', price: 189, quantity: 50, owner: 'B' }));
    take();
    ex.handle('g', order(3, { price: 189, quantity: 80, owner: 'A' }));
    const r = take();
    expect(r).toContainEqual({ type: 'Cancelled', orderId: 1, reason: Reason.SELF_TRADE_PREVENTED });
    expect(r).toContainEqual({ type: 'Fill', orderId: 3, execId: 1, quantity: 50, price: 189, leaves: 30 });
    expect(r.some((m) => m.type === 'Fill' && m.orderId === 1)).toBe(false);
    expect(ex.status(1).state).toBe('cancelled');
    expect(ex.status(3)).toMatchObject({ state: 'open', filledQuantity: 50, leaves: 30 });
    // The rest of A's buy rests; B's order is gone (filled); A's sell is out of the book.
    expect(ex.book('AAPL')!.queue('sell')).toEqual([]);
  });

  it('orders without an owner and of different owners trade as usual', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', quantity: 10 }));
    ex.handle('g', order(2, { quantity: 10 }));
    expect(take().filter((m) => m.type === 'Fill')).toHaveLength(2);
  });

  it('a replace that crosses its own resting order cancels that one', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', price: 190, quantity: 10, owner: 'A' }));
    ex.handle('g', order(2, { price: 189, quantity: 10, owner: 'A' }));
    take();
    ex.handle('g', { type: 'Replace', orderId: 2, quantity: 10, price: 190 });
    const r = take();
    expect(r).toContainEqual({ type: 'Cancelled', orderId: 1, reason: Reason.SELF_TRADE_PREVENTED });
    expect(r.some((m) => m.type === 'Fill')).toBe(false);
    expect(ex.status(2)).toMatchObject({ state: 'open', price: 190 });
  });

  it('fok counts only other owners liquidity', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', price: 189, quantity: 50, owner: 'A' }));
    ex.handle('g', order(2, { side: 'sell', price: 189, quantity: 50, owner: 'B' }));
    take();
    ex.handle('g', order(3, { timeInForce: 'fok', quantity: 60, owner: 'A' }));
    expect(take()).toEqual([{ type: 'Ack', orderId: 3 }, { type: 'Expired', orderId: 3, reason: Reason.FOK_NOT_FILLED }]);
    expect(ex.status(1).state).toBe('open');
  });
});

describe('venue: reasons and requests', () => {
  it("a day market order's unfilled remainder expires for lack of liquidity, not as an IOC remainder", () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', quantity: 10 }));
    take();
    ex.handle('g', order(2, { orderType: 'market', price: 0, quantity: 30 }));
    expect(take()).toContainEqual({ type: 'Expired', orderId: 2, reason: Reason.VENUE_NO_LIQUIDITY });
    ex.handle('g', order(3, { timeInForce: 'ioc', quantity: 30 }));
    expect(take()).toContainEqual({ type: 'Expired', orderId: 3, reason: Reason.IOC_REMAINDER });
  });

  it('an ioc remainder is followed by nothing else: no CancelRejected nobody asked for', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { timeInForce: 'ioc', quantity: 30 }));
    expect(take()).toEqual([{ type: 'Ack', orderId: 1 }, { type: 'Expired', orderId: 1, reason: Reason.IOC_REMAINDER }]);
  });

  it('a cancel that loses the race to a fill is rejected as too late', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', quantity: 10 }));
    ex.handle('g', order(2, { quantity: 10 }));
    take();
    ex.handle('g', { type: 'Cancel', orderId: 1 });
    expect(take()).toEqual([{ type: 'CancelRejected', orderId: 1, reason: Reason.TOO_LATE, text: 'too late to cancel: order 1 is filled' }]);
  });

  it('a replace down to exactly the filled quantity completes the order', () => {
    const { ex, take } = setup();
    ex.handle('g', order(1, { side: 'sell', quantity: 4 }));
    ex.handle('g', order(2, { quantity: 10 }));
    take();
    ex.handle('g', { type: 'Replace', orderId: 2, quantity: 4, price: 189 });
    expect(take()).toEqual([{ type: 'ReplaceAck', orderId: 2, quantity: 4, price: 189, leaves: 0 }]);
    expect(ex.status(2)).toMatchObject({ state: 'filled', filledQuantity: 4, leaves: 0 });
    expect(ex.book('AAPL')!.size).toBe(0);
    ex.handle('g', { type: 'Replace', orderId: 2, quantity: 3, price: 189 });
    expect(take()).toMatchObject([{ type: 'ReplaceRejected', orderId: 2, reason: Reason.TOO_LATE }]);
  });
});

describe('venue: bounded memory', () => {
  it('forgets finished orders beyond its retention, keeps live ones, and never trades a forgotten id again', () => {
    const { ex, take } = setup(10);
    ex.handle('g', order(1, { price: 100, timeInForce: 'gtc' })); // stays live throughout
    for (let id = 2; id <= 200; id++) ex.handle('g', order(id, { timeInForce: 'ioc' }));
    take();
    const s = ex.stats();
    expect(s.knownOrders).toBe(11);
    expect(s.forgottenOrders).toBe(189);
    expect(ex.isLive(1)).toBe(true);
    expect(ex.status(5).state).toBe('forgotten');
    expect(ex.status(200).state).toBe('expired');
    ex.handle('g', order(5));
    expect(take()).toMatchObject([{ type: 'Rejected', orderId: 5, reason: Reason.VENUE_REJECT }]);
    expect(ex.book('AAPL')!.size).toBe(1);
  });
});

describe('venue: parking at an explicit close (decision 075)', () => {
  /** A gtc buy of 100 @ 189 with 30 filled by a street sell. */
  function partlyFilled() {
    const s = setup();
    s.ex.handle('g', order(1, { timeInForce: 'gtc', owner: 'c' }));
    s.ex.handle('g', order(2, { side: 'sell', quantity: 30, owner: 'street' }));
    s.take();
    expect(s.ex.status(1)).toMatchObject({ state: 'open', filledQuantity: 30, leaves: 70 });
    return s;
  }

  it('takes the order off the book but keeps it; re-entered by its id with its fills, it trades only the rest', () => {
    const { ex, take } = partlyFilled();
    ex.handle('g', { type: 'Expire', orderId: 1, reason: Reason.SESSION_PARKED });
    expect(take()).toEqual([{ type: 'Expired', orderId: 1, reason: Reason.SESSION_PARKED }]);
    expect(ex.isLive(1)).toBe(false);
    expect(ex.book('AAPL')!.size).toBe(0);
    expect(ex.status(1)).toMatchObject({ state: 'parked', filledQuantity: 30, leaves: 0 });
    // Nothing trades against it while parked.
    ex.handle('g', order(3, { side: 'sell', quantity: 50, owner: 'street' }));
    expect(take().filter((m) => m.type === 'Fill' && m.orderId === 1)).toEqual([]);
    // Re-entered (a NewOrder with the same id): live again for the 70 left, fills and execIds kept.
    ex.handle('g', order(1, { timeInForce: 'gtc', owner: 'c' }));
    const again = take();
    expect(again[0]).toEqual({ type: 'Ack', orderId: 1 });
    expect(again.filter((m) => m.type === 'Fill' && m.orderId === 1).reduce((n, m) => n + (m.type === 'Fill' ? m.quantity : 0), 0)).toBe(50);
    expect(ex.status(1)).toMatchObject({ state: 'open', filledQuantity: 80, leaves: 20 });
    expect(ex.status(1).fills.map((f) => f.quantity)).toEqual([30, 50]);
    // A replace after re-entry counts the fills from before it (total quantity 90: 10 left).
    ex.handle('g', { type: 'Replace', orderId: 1, quantity: 90, price: 189 });
    expect(take()).toEqual([{ type: 'ReplaceAck', orderId: 1, quantity: 90, price: 189, leaves: 10 }]);
    ex.handle('g', order(4, { side: 'sell', quantity: 40, owner: 'street' }));
    expect(take().filter((m) => m.type === 'Fill' && m.orderId === 1)).toMatchObject([{ quantity: 10, leaves: 0 }]);
    expect(ex.status(1)).toMatchObject({ state: 'filled', filledQuantity: 90 });
  });

  it('a cancel of a parked order ends it (never re-entered); a replace keeps the new terms for the re-entry', () => {
    const { ex, take } = partlyFilled();
    ex.handle('g', { type: 'Expire', orderId: 1, reason: Reason.SESSION_PARKED });
    ex.handle('g', { type: 'Replace', orderId: 1, quantity: 60, price: 188.5 });
    take();
    expect(ex.status(1)).toMatchObject({ state: 'parked', quantity: 60, price: 188.5, filledQuantity: 30 });
    ex.handle('g', { type: 'Cancel', orderId: 1 });
    expect(take()).toEqual([{ type: 'Cancelled', orderId: 1, reason: Reason.TRADER_REQUEST }]);
    expect(ex.status(1)).toMatchObject({ state: 'cancelled', filledQuantity: 30 });
    // A NewOrder with its id now is a duplicate: answered with its status, nothing enters the book.
    ex.handle('g', order(1, { timeInForce: 'gtc', owner: 'c' }));
    expect(take()).toMatchObject([{ type: 'OrderStatus', orderId: 1, state: 'cancelled' }]);
    expect(ex.book('AAPL')!.size).toBe(0);
  });
});
