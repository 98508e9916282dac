import { describe, expect, it } from 'vitest';
import { OmsProjection, type ReadonlyOrder } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { expiryAtClose, parseSnapshot, restoreEvents, takeSnapshot } from '../../engine/oms/snapshot.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { EventOf, OrdoEvent } from '../../engine/protocol/events.ts';
import { Reason } from '../../engine/protocol/reasons.ts';

const reference = loadReferenceData();

function pending(orderId: number, over: Partial<EventOf<'OrderPending'>> = {}): OrdoEvent {
  return {
    type: 'OrderPending', orderId, clientId: 'ALPHA', clientOrderId: `c-${orderId}`, symbol: 'AAPL', side: 'buy',
    orderType: 'limit', timeInForce: 'gtc', quantity: 100, price: 228.45, ...over,
  };
}

function live(orderId: number, over: Partial<EventOf<'OrderPending'>> = {}): OrdoEvent[] {
  return [pending(orderId, over), { type: 'OrderAccepted', orderId }, { type: 'OrderRouted', orderId, venue: 'XNAS' }];
}

/** The fields that must survive a session boundary. */
function carried(o: ReadonlyOrder) {
  return {
    orderId: o.orderId, clientId: o.clientId, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side,
    orderType: o.orderType, timeInForce: o.timeInForce, quantity: o.quantity, price: o.price, state: o.state,
    filledQuantity: o.filledQuantity, leavesQuantity: o.leavesQuantity, avgPrice: o.avgPrice, venue: o.venue,
  };
}

function closingSession() {
  const log = new LogBuilder().openSession({ orderIdBase: 100, reference });
  log.addAll([
    ...live(100), // gtc, partially filled twice
    { type: 'OrderExecuted', orderId: 100, execId: 1, fillQty: 30, fillPrice: 228.41 },
    { type: 'OrderExecuted', orderId: 100, execId: 2, fillQty: 25, fillPrice: 228.47 },
    ...live(101, { side: 'sell', symbol: 'SPY 281215P590', price: 7.46, quantity: 20 }), // gtc option, untouched
    pending(102, { clientId: 'CHARLIE' }), { type: 'OrderAccepted', orderId: 102 }, // gtc accepted, not routed
    ...live(103, { timeInForce: 'day' }), // day, partially filled
    { type: 'OrderExecuted', orderId: 103, execId: 3, fillQty: 10, fillPrice: 228.45 },
    ...live(104, { timeInForce: 'ioc' }), // ioc the venue never answered
    ...live(105), // gtc, filled: terminal
    { type: 'OrderExecuted', orderId: 105, execId: 4, fillQty: 100, fillPrice: 228.4 },
    ...live(106), // gtc, cancelled: terminal
    { type: 'OrderCancelled', orderId: 106, reason: Reason.TRADER_REQUEST },
    ...live(107, { timeInForce: 'day', orderType: 'market', price: 0 }),
    { type: 'SessionClosing' },
  ]);
  const p = new OmsProjection();
  p.applyAll(log.events);
  return { log, p };
}

describe('session close and snapshot', () => {
  it('expires every live day and ioc order at close, and only those', () => {
    const { p } = closingSession();
    expect(expiryAtClose(p)).toEqual([103, 104, 107].map((orderId) => ({ type: 'OrderExpired', orderId, reason: Reason.DAY_ORDER_SESSION_END })));
  });

  it('snapshot → restore gives identical open orders in the next session', () => {
    const { log, p } = closingSession();
    for (const e of expiryAtClose(p)) p.apply(log.add(e));
    const snap = takeSnapshot(p);
    p.apply(log.add({ type: 'SessionClosed', carriedOrders: snap.orders.length }));

    expect(snap).toMatchObject({ version: 1, sessionId: 1, nextOrderId: 108 });
    expect(snap.orders.map((o) => o.orderId)).toEqual([100, 101, 102]);
    expect(snap.orders[0]).toMatchObject({ state: 'partially_filled', filledQuantity: 55, venue: 'XNAS' });
    expect(snap.orders[2]).not.toHaveProperty('venue');

    // Through storage and back.
    const stored = parseSnapshot(JSON.parse(JSON.stringify(snap)), 'snapshot 1');
    expect(stored).toEqual(snap);

    const next = new LogBuilder(1_800_000_000_000_000).openSession({
      sessionId: 2, previousSessionId: 1, orderIdBase: stored.nextOrderId, reference, restore: restoreEvents(stored),
    });
    const q = new OmsProjection();
    q.applyAll(next.events);
    const before = [100, 101, 102].map((id) => carried(p.order(id)!));
    const after = [100, 101, 102].map((id) => carried(q.order(id)!));
    expect(after).toEqual(before);
    expect(q.order(100)!.avgPrice).toBe(p.order(100)!.avgPrice);
    expect(q.openNotional('ALPHA')).toBeCloseTo(p.openNotional('ALPHA'), 6);
    expect(q.openNotional('CHARLIE')).toBeCloseTo(p.openNotional('CHARLIE'), 6);
    expect(q.orderCount).toBe(3);
    expect(q.nextOrderId).toBe(108);
    expect(q.session).toMatchObject({ id: 2, state: 'open', restoredOrders: 3 });
    // The carried orders keep trading; their clientOrderIds stay taken.
    q.apply(next.add({ type: 'OrderExecuted', orderId: 100, execId: 9, fillQty: 45, fillPrice: 228.5 }));
    expect(q.order(100)).toMatchObject({ state: 'filled', filledQuantity: 100 });
    expect(q.order(100)!.avgPrice).toBeCloseTo((30 * 228.41 + 25 * 228.47 + 45 * 228.5) / 100, 9);
    expect(q.orderIdForClientOrderId('ALPHA', 'c-101')).toBe(101);
    // A restarted snapshot of the restored session gives the same snapshot back (minus the filled one).
    expect(takeSnapshot(q).orders.map((o) => o.orderId)).toEqual([101, 102]);
  });

  it('leaves live day orders out of the snapshot even if the caller forgot to expire them', () => {
    const { p } = closingSession();
    expect(takeSnapshot(p).orders.map((o) => o.orderId)).toEqual([100, 101, 102]);
  });

  it('refuses a malformed snapshot naming the field', () => {
    const { p } = closingSession();
    const json = JSON.parse(JSON.stringify(takeSnapshot(p)));
    delete json.orders[1].quantity;
    expect(() => parseSnapshot(json, 'snapshot 1')).toThrow('snapshot 1: orders[1].quantity: is required');
    json.orders[1].quantity = 20;
    json.orders[0].state = 'open';
    expect(() => parseSnapshot(json, 'snapshot 1')).toThrow(/^snapshot 1: orders\[0\]\.state: /);
    json.orders[0].state = 'routed';
    json.version = 2;
    expect(() => parseSnapshot(json, 'snapshot 1')).toThrow('snapshot 1: version: must be 1');
  });
});
