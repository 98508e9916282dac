import { describe, expect, it } from 'vitest';
import { Reason } from '../../../engine/protocol/reasons.ts';
import { Exchange } from '../../../engine/venue/exchange.ts';
import { decodeRequests, encodeRequests, type NewOrderMsg, type VenueReply } from '../../../engine/venue/protocol.ts';

/** The market sweep of issue 12, at the venue: a book 1% a level up; a market buy with a 5% collar stops at its protection price. */
describe('market order collar at the venue', () => {
  function setup() {
    const out: VenueReply[] = [];
    const ex = new Exchange<string>({
      instruments: [{ symbol: 'NVDA', tickSize: 0.01, lotSize: 1, referencePrice: 142.85, venue: 'XNAS' }],
      seed: 1,
      deliver: (_p, r) => out.push(r),
      simulateLiquidity: false,
    });
    // Asks of 1,000 at +0%, +2%, … +10%: a sweep of 6,000 would reach +10%.
    for (let i = 0; i <= 5; i++) {
      ex.handle('mm', { type: 'NewOrder', orderId: 100 + i, symbol: 'NVDA', side: 'sell', orderType: 'limit', timeInForce: 'day', quantity: 1000, price: Number((142.85 * (1 + 0.02 * i)).toFixed(2)) });
    }
    out.length = 0;
    return { ex, out };
  }
  const buy = (o: Partial<NewOrderMsg>): NewOrderMsg => ({ type: 'NewOrder', orderId: 1, symbol: 'NVDA', side: 'buy', orderType: 'market', timeInForce: 'day', quantity: 6000, price: 0, ...o });

  it('without a collar a market order sweeps the book; with one it fills only up to the protection price and expires the rest', () => {
    const a = setup();
    a.ex.handle('g', buy({}));
    const sweep = a.out.filter((r) => r.type === 'Fill' && r.orderId === 1) as Extract<VenueReply, { type: 'Fill' }>[];
    expect(Math.max(...sweep.map((f) => f.price))).toBe(157.14); // +10%

    const b = setup();
    b.ex.handle('g', buy({ protectionPrice: 149.99 }));
    const fills = b.out.filter((r) => r.type === 'Fill' && r.orderId === 1) as Extract<VenueReply, { type: 'Fill' }>[];
    // Levels 142.85, 145.71, 148.56 are within 149.99: 3,000 filled, never above the collar.
    expect(fills.map((f) => f.price)).toEqual([142.85, 145.71, 148.56]);
    expect(fills.reduce((s, f) => s + f.quantity, 0)).toBe(3000);
    expect(b.out.at(-1)).toEqual({ type: 'Expired', orderId: 1, reason: Reason.PRICE_COLLAR });
  });

  it('the protection price travels on the wire (appended field) and old messages still decode', () => {
    const [withCollar] = decodeRequests(encodeRequests([buy({ protectionPrice: 149.99 })])).msgs;
    expect(withCollar).toMatchObject({ type: 'NewOrder', protectionPrice: 149.99 });
    const [without] = decodeRequests(encodeRequests([buy({})])).msgs;
    expect(without).not.toHaveProperty('protectionPrice');
  });
});
