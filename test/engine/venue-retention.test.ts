import { describe, expect, it } from 'vitest';
import { Reason } from '../../engine/protocol/reasons.ts';
import { Exchange, type VenueInstrument } from '../../engine/venue/exchange.ts';
import type { NewOrderMsg, VenueReply } from '../../engine/venue/protocol.ts';

const INSTRUMENTS: VenueInstrument[] = [{ symbol: 'AAPL', tickSize: 0.01, lotSize: 1, referencePrice: 189.25, venue: 'XNAS' }];

function order(orderId: number, o: Partial<NewOrderMsg> = {}): NewOrderMsg {
  return { type: 'NewOrder', orderId, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 10, price: 189, ...o };
}

describe('Exchange memory of finished orders (decision 121)', () => {
  it('remembers at most retainFinished finished orders, never forgets an open one, and never trades a forgotten id again', () => {
    const out: VenueReply[] = [];
    const ex = new Exchange<string>({ instruments: INSTRUMENTS, seed: 1, deliver: (_p, r) => out.push(r), simulateLiquidity: false, retainFinished: 100 });
    // Order 1 rests all along (a GTC buy far below the market).
    ex.handle('g', order(1, { price: 100, timeInForce: 'gtc' }));
    // 1,000 pairs that cross and fill each other.
    let id = 2;
    for (let i = 0; i < 1000; i++) {
      ex.handle('g', order(id++, { side: 'sell', price: 189 }));
      ex.handle('g', order(id++, { side: 'buy', price: 189 }));
    }
    const stats = ex.stats();
    expect(stats.openOrders).toBe(1);
    expect(stats.knownOrders).toBeLessThanOrEqual(1 + 100 + 2);
    expect(ex.status(1)).toMatchObject({ state: 'open', leaves: 10 });
    // The newest finished orders are still answered with their fills.
    expect(ex.status(id - 1)).toMatchObject({ state: 'filled', filledQuantity: 10 });
    // The oldest are forgotten; a late resend of one is refused, not traded a second time.
    expect(ex.status(2)).toMatchObject({ state: 'unknown' });
    out.length = 0;
    ex.handle('g', order(2, { side: 'sell', price: 100 }));
    expect(out).toEqual([{ type: 'Rejected', orderId: 2, reason: Reason.VENUE_REJECT, text: 'order 2 is older than the orders this venue still remembers' }]);
    expect(ex.status(1)).toMatchObject({ state: 'open', leaves: 10 });
  });
});
