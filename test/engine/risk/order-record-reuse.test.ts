import { describe, expect, it } from 'vitest';
import { RiskState } from '../../../engine/oms/exposure/risk-state.ts';
import type { ReferenceData } from '../../../engine/oms/reference.ts';
import { LogBuilder } from '../../../engine/oms/testkit.ts';

const ref: ReferenceData = {
  venues: [{ venueId: 'V1', name: 'One' }],
  instruments: [
    { symbol: 'X', name: 'X Corp', instrumentType: 'equity', venue: 'V1', currency: 'USD', tickSize: 0.01, lotSize: 1, referencePrice: 100 },
    { symbol: 'Y', name: 'Y Corp', instrumentType: 'equity', venue: 'V1', currency: 'USD', tickSize: 0.01, lotSize: 1, referencePrice: 50 },
  ],
  clients: [
    { clientId: 'A', name: 'A', maxOrderNotional: 1e12, maxOpenNotional: 1e12, allowedSymbols: ['*'] },
    { clientId: 'B', name: 'B', maxOrderNotional: 1e12, maxOpenNotional: 1e12, allowedSymbols: ['*'] },
  ],
};

/**
 * Risk books a new order in the record of one that ended (decision 258): nothing of the ended order may
 * show through (its flags, execIds, exposure, client or holding).
 */
describe('an ended order record booked again', () => {
  it('carries nothing of the ended order into the new one', () => {
    const log = new LogBuilder().openSession({ reference: ref });
    // Order 1: a market order with flags, collared, two fills (execIds in a Set), filled: it ends.
    log.add({ type: 'OrderPending', orderId: 1, clientId: 'A', clientOrderId: 'c1', symbol: 'X', side: 'sell', orderType: 'market', timeInForce: 'day', quantity: 10, price: 0, locate: true, intentional: true });
    log.add({ type: 'MarketOrderCollared', orderId: 1, protectionPrice: 95 });
    log.add({ type: 'OrderAccepted', orderId: 1 });
    log.add({ type: 'OrderRouted', orderId: 1, venue: 'V1' });
    log.add({ type: 'OrderExecuted', orderId: 1, execId: 7, fillQty: 4, fillPrice: 96 });
    log.add({ type: 'OrderExecuted', orderId: 1, execId: 8, fillQty: 6, fillPrice: 97 });
    const events = log.events;
    const rs = new RiskState();
    for (const e of events) rs.apply(e);
    expect(rs.liveOrderIds()).toEqual([]);

    // Order 2, another client, symbol and side, a limit: booked in order 1's record.
    const next = new LogBuilder().openSession({ reference: ref });
    next.add({ type: 'OrderPending', orderId: 2, clientId: 'B', clientOrderId: 'c2', symbol: 'Y', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 5, price: 50 });
    next.add({ type: 'OrderAccepted', orderId: 2 });
    next.add({ type: 'OrderRouted', orderId: 2, venue: 'V1' });
    const booking = next.events.slice(-3).map((e, i) => ({ ...e, seq: events.length + 1 + i }));
    for (const e of booking) rs.apply(e);

    expect(rs.flags(2)).toEqual({ locate: false, intentional: false });
    expect(rs.protectionPrice(2)).toBeUndefined();
    expect(rs.openOrder(2)).toEqual({ leaves: 5, valuation: 50, openUnits: expect.any(Number), side: 'buy' });
    // Fills with the execIds order 1 used (its first and its later one) count for order 2 (its execIds start empty).
    rs.apply({ ...booking[2]!, seq: events.length + 4, event: { type: 'OrderExecuted', orderId: 2, execId: 7, fillQty: 2, fillPrice: 50 } });
    rs.apply({ ...booking[2]!, seq: events.length + 5, event: { type: 'OrderExecuted', orderId: 2, execId: 8, fillQty: 1, fillPrice: 50 } });
    expect(rs.openOrder(2)?.leaves).toBe(2);
    expect(rs.holding('B', 'Y')?.position.quantity).toBe(3);
    expect(rs.holding('A', 'X')?.position.quantity).toBe(-10);
  });
});
