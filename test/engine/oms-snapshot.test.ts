import { describe, expect, it } from 'vitest';
import { OmsProjection, type ReadonlyOrder } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { expiryAtClose, parseSnapshot, restoreEvents, takeSnapshot } from '../../engine/oms/snapshot.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import { orderView } from '../../engine/oms/views.ts';
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

  it('keeps the entry time of a carried order across two session rolls; an OrderRestored without one (older logs) shows the restore time', () => {
    const { log, p } = closingSession();
    const entered = log.events.find((e) => e.event.type === 'OrderPending' && e.event.orderId === 101)!.ts;
    const snap1 = takeSnapshot(p);
    expect(snap1.orders.find((o) => o.orderId === 101)!.enteredTs).toBe(entered);
    expect(parseSnapshot(JSON.parse(JSON.stringify(snap1)), 'snapshot 1')).toEqual(snap1);

    // Session 2, a day later: the restored order was first seen there now, but was entered in session 1.
    const s2 = new LogBuilder(entered + 86_400_000_000).openSession({
      sessionId: 2, previousSessionId: 1, orderIdBase: snap1.nextOrderId, reference, restore: restoreEvents(snap1),
    });
    const q = new OmsProjection();
    q.applyAll(s2.events);
    const o2 = q.order(101)!;
    expect(o2.createdTs).toBeGreaterThan(entered);
    expect(o2.enteredTs).toBe(entered);
    expect(orderView(o2).createdTs).toBe(entered);

    // Session 3: carried again from session 2's snapshot, still the session-1 entry time.
    const snap2 = takeSnapshot(q);
    expect(snap2.orders.find((o) => o.orderId === 101)!.enteredTs).toBe(entered);
    const s3 = new LogBuilder(entered + 2 * 86_400_000_000).openSession({
      sessionId: 3, previousSessionId: 2, orderIdBase: snap2.nextOrderId, reference, restore: restoreEvents(snap2),
    });
    const r = new OmsProjection();
    r.applyAll(s3.events);
    expect(orderView(r.order(101)!).createdTs).toBe(entered);

    // A snapshot (and its OrderRestored) from before entry times were carried: the restore time, as before.
    const { enteredTs: _gone, ...old } = snap1.orders.find((o) => o.orderId === 101)!;
    const oldSnap = parseSnapshot(JSON.parse(JSON.stringify({ ...snap1, orders: [old] })), 'snapshot 1');
    const s2old = new LogBuilder(entered + 86_400_000_000).openSession({
      sessionId: 2, previousSessionId: 1, orderIdBase: oldSnap.nextOrderId, reference, restore: restoreEvents(oldSnap),
    });
    const q2 = new OmsProjection();
    q2.applyAll(s2old.events);
    const restoredAt = s2old.events.find((e) => e.event.type === 'OrderRestored')!.ts;
    expect([q2.order(101)!.enteredTs, orderView(q2.order(101)!).createdTs]).toEqual([restoredAt, restoredAt]);
    // Only the carried time changes the state hash: the same session without it hashes differently.
    expect(q2.stateHash()).not.toBe(q.stateHash());
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
