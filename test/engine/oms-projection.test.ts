import { describe, expect, it } from 'vitest';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import { orderView, toStateView } from '../../engine/oms/views.ts';
import type { EventOf, OrdoEvent } from '../../engine/protocol/events.ts';
import { Reason } from '../../engine/protocol/reasons.ts';

const reference = loadReferenceData();

function pending(orderId: number, over: Partial<EventOf<'OrderPending'>> = {}): EventOf<'OrderPending'> {
  return {
    type: 'OrderPending', orderId, clientId: 'ALPHA', clientOrderId: `c-${orderId}`, symbol: 'AAPL', side: 'buy',
    orderType: 'limit', timeInForce: 'day', quantity: 100, price: 228.45, ...over,
  };
}

/** A session with the default reference data; `step` appends and applies one event. */
function session(orderIdBase = 1) {
  const log = new LogBuilder().openSession({ orderIdBase, reference });
  const p = new OmsProjection();
  p.applyAll(log.events);
  const step = (event: OrdoEvent, src = 'sequencer') => {
    const e = log.add(event, src);
    p.apply(e);
    return e;
  };
  return { log, p, step };
}

/** pending → accepted → routed. */
function live(step: ReturnType<typeof session>['step'], orderId: number, over: Partial<EventOf<'OrderPending'>> = {}) {
  step(pending(orderId, over), 'proxy-1');
  step({ type: 'OrderAccepted', orderId }, 'risk-1');
  step({ type: 'OrderRouted', orderId, venue: 'XNAS' }, 'router-1');
}

describe('OmsProjection: session and static data', () => {
  it('tracks session state, static data and the order id counter', () => {
    const p = new OmsProjection();
    expect(p.session.state).toBe('none');
    expect(p.nextOrderId).toBe(1);
    const { p: q, step } = session(1000);
    expect(q.session).toMatchObject({ id: 1, state: 'open', orderIdBase: 1000 });
    expect(q.venues.size).toBe(4);
    expect(q.instrument('AAPL')?.venue).toBe('XNAS');
    expect([...q.clients()].map((c) => c.clientId)).toEqual(['ALPHA', 'BRAVO', 'CHARLIE', 'DELTA']);
    expect(q.nextOrderId).toBe(1000);
    step(pending(1000));
    expect(q.nextOrderId).toBe(1001);
    step(pending(1005));
    expect(q.nextOrderId).toBe(1006);
    step({ type: 'SessionClosing' });
    expect(q.session.state).toBe('closing');
    step({ type: 'SessionClosed', carriedOrders: 2 });
    expect(q.session).toMatchObject({ state: 'closed', carriedOrders: 2 });
    expect(q.lastSeq).toBe(reference.venues.length + reference.instruments.length + reference.clients.length + 6);
  });

  it('starts from empty at SessionOpened: sessions 1+2 project like session 2 alone', () => {
    const { log, p } = session();
    live((e, src) => { const s = log.add(e, src); p.apply(s); return s; }, 1);
    const two = new LogBuilder(1_800_000_000_000_000).openSession({ sessionId: 2, previousSessionId: 1, orderIdBase: 2, reference });
    p.applyAll(two.events);
    const only2 = new OmsProjection();
    only2.applyAll(two.events);
    expect(p.orderCount).toBe(0);
    expect(p.stateHash()).toBe(only2.stateHash());
  });

  it('records the highest cseq per source, active roles and open alerts', () => {
    const { p, step } = session();
    step(pending(1), 'proxy-1');
    step(pending(2), 'proxy-1');
    step({ type: 'ComponentActivated', role: 'risk', instance: 'risk-1' }, 'host');
    step({ type: 'ComponentActivated', role: 'router', instance: 'router-1' }, 'host');
    expect(p.lastCseq('proxy-1')).toBe(2);
    expect(p.lastCseq('host')).toBe(2);
    expect(p.lastCseq('nobody')).toBe(0);
    expect(p.activeInstance('risk')).toBe('risk-1');
    expect(p.isActive('router-1')).toBe(true);
    step({ type: 'ComponentDeactivated', role: 'risk', instance: 'risk-2' }, 'host'); // not the active one: ignored
    expect(p.activeInstance('risk')).toBe('risk-1');
    step({ type: 'ComponentActivated', role: 'risk', instance: 'risk-2' }, 'host'); // takeover
    expect(p.activeInstance('risk')).toBe('risk-2');
    expect(p.isActive('risk-1')).toBe(false);
    step({ type: 'ComponentStopped', role: 'router', instance: 'router-1' }, 'host');
    expect(p.activeInstance('router')).toBeUndefined();

    step({ type: 'AlertRaised', instance: 'gw-1', kind: 'stale', message: 'no heartbeat for 3s' }, 'monitor');
    step({ type: 'AlertRaised', instance: 'risk-2', kind: 'stale', message: 'no heartbeat for 3s' }, 'monitor');
    step({ type: 'AlertCleared', instance: 'gw-1', kind: 'stale' }, 'monitor');
    expect([...p.alerts()].map((a) => a.instance)).toEqual(['risk-2']);
  });
});

describe('OmsProjection: order lifecycle', () => {
  it('adds up partial fills: filled, leaves, VWAP, fills, eventSeqs, timestamps', () => {
    const { p, step } = session();
    const first = step(pending(1), 'proxy-1');
    step({ type: 'OrderAccepted', orderId: 1 }, 'risk-1');
    step({ type: 'OrderRouted', orderId: 1, venue: 'XNAS' }, 'router-1');
    expect(p.order(1)).toMatchObject({ state: 'pending_new', stage: 'routed', venue: 'XNAS', leavesQuantity: 100, avgPrice: 0 });
    expect(p.openNotional('ALPHA')).toBeCloseTo(22_845, 6);

    step({ type: 'OrderExecuted', orderId: 1, execId: 11, fillQty: 30, fillPrice: 228.4 }, 'gw-1');
    expect(p.order(1)).toMatchObject({ state: 'partially_filled', filledQuantity: 30, leavesQuantity: 70 });
    expect(p.order(1)!.avgPrice).toBeCloseTo(228.4, 10);
    expect(p.openNotional('ALPHA')).toBeCloseTo(70 * 228.45, 6);

    step({ type: 'OrderExecuted', orderId: 1, execId: 12, fillQty: 50, fillPrice: 228.45 }, 'gw-1');
    const last = step({ type: 'OrderExecuted', orderId: 1, execId: 13, fillQty: 20, fillPrice: 228.5 }, 'gw-1');
    const o = p.order(1)!;
    expect(o).toMatchObject({ state: 'filled', filledQuantity: 100, leavesQuantity: 0 });
    expect(o.avgPrice).toBeCloseTo((30 * 228.4 + 50 * 228.45 + 20 * 228.5) / 100, 10);
    expect(o.createdTs).toBe(first.ts);
    expect(o.updatedTs).toBe(last.ts);
    expect(o.eventSeqs).toEqual([first.seq, first.seq + 1, first.seq + 2, first.seq + 3, first.seq + 4, first.seq + 5]);
    expect(p.openNotional('ALPHA')).toBe(0);
    expect(p.fillCount).toBe(3);
    expect(p.fillsOf(1).map((f) => [f.execId, f.quantity, f.price, f.symbol, f.side])).toEqual([
      [11, 30, 228.4, 'AAPL', 'buy'],
      [12, 50, 228.45, 'AAPL', 'buy'],
      [13, 20, 228.5, 'AAPL', 'buy'],
    ]);
    expect(p.hasExec(1, 12)).toBe(true);
    expect(p.hasExec(1, 14)).toBe(false);
    expect(p.fillAt(2)).toMatchObject({ execId: 13, orderId: 1, seq: last.seq, ts: last.ts });
  });

  it('rejects with the reason name and text, from pending (risk) or routed (venue)', () => {
    const { p, step } = session();
    step(pending(1, { price: 228.455 }));
    step({ type: 'OrderRejected', orderId: 1, reason: Reason.PRICE_OFF_TICK, text: 'price 228.455 is not a multiple of tick 0.01' });
    expect(p.order(1)).toMatchObject({
      state: 'rejected', leavesQuantity: 0, rejectCode: Reason.PRICE_OFF_TICK,
      rejectReason: 'PRICE_OFF_TICK: price 228.455 is not a multiple of tick 0.01',
    });
    live(step, 2);
    step({ type: 'VenueRejected', orderId: 2, reason: Reason.VENUE_NO_LIQUIDITY, text: 'no liquidity' });
    expect(p.order(2)).toMatchObject({ state: 'rejected', rejectReason: 'VENUE_NO_LIQUIDITY: no liquidity' });
    expect(p.openNotional('ALPHA')).toBe(0);
  });

  it('cancels from every live state and expires', () => {
    const { p, step } = session();
    step(pending(1));
    step(pending(2));
    step({ type: 'OrderAccepted', orderId: 2 });
    live(step, 3);
    live(step, 4);
    step({ type: 'OrderExecuted', orderId: 4, execId: 1, fillQty: 40, fillPrice: 228.45 });
    for (const id of [1, 2, 3, 4]) step({ type: 'OrderCancelled', orderId: id, reason: Reason.TRADER_REQUEST });
    for (const id of [1, 2, 3, 4]) expect(p.order(id)).toMatchObject({ state: 'cancelled', leavesQuantity: 0 });
    expect(p.order(4)!.filledQuantity).toBe(40);
    live(step, 5, { timeInForce: 'ioc' });
    step({ type: 'OrderExpired', orderId: 5, reason: Reason.IOC_REMAINDER });
    expect(p.order(5)!.state).toBe('expired');
    expect(p.openNotional('ALPHA')).toBe(0);
  });

  it('ignores events that do not apply, without throwing', () => {
    const { p, step } = session();
    live(step, 1);
    step({ type: 'OrderExecuted', orderId: 1, execId: 1, fillQty: 60, fillPrice: 228.45 });
    const before = orderView(p.order(1)!);
    const ignored: OrdoEvent[] = [
      { type: 'OrderAccepted', orderId: 99 }, // unknown order
      { type: 'OrderExecuted', orderId: 99, execId: 1, fillQty: 1, fillPrice: 1 },
      { type: 'OrderAccepted', orderId: 1 }, // wrong state
      { type: 'OrderRejected', orderId: 1, reason: Reason.BAD_PRICE, text: 'late' }, // risk cannot reject a routed order
      { type: 'OrderExecuted', orderId: 1, execId: 1, fillQty: 10, fillPrice: 228.45 }, // duplicate execId
      { type: 'OrderExecuted', orderId: 1, execId: 2, fillQty: 41, fillPrice: 228.45 }, // overfill
      { type: 'OrderExecuted', orderId: 1, execId: 3, fillQty: 0, fillPrice: 228.45 }, // empty fill
      { type: 'OrderReplaced', orderId: 1, quantity: 50, price: 228.45 }, // below filled
      { type: 'OrderReplaced', orderId: 1, quantity: 0, price: 228.45 },
      pending(1, { quantity: 5 }), // orderId already used
    ];
    for (const e of ignored) expect(() => step(e)).not.toThrow();
    expect(orderView(p.order(1)!)).toEqual(before);
    expect(p.fillCount).toBe(1);
    expect(p.orderCount).toBe(1);
  });

  it('ignores late events on a terminal order (a fill after the cancel)', () => {
    const { p, step } = session();
    live(step, 1);
    step({ type: 'OrderCancelled', orderId: 1, reason: Reason.TRADER_REQUEST });
    const before = orderView(p.order(1)!);
    step({ type: 'OrderExecuted', orderId: 1, execId: 7, fillQty: 100, fillPrice: 228.45 });
    step({ type: 'OrderExpired', orderId: 1, reason: Reason.DAY_ORDER_SESSION_END });
    step({ type: 'OrderRouted', orderId: 1, venue: 'XNYS' });
    step({ type: 'OrderReplaced', orderId: 1, quantity: 200, price: 230 });
    step({ type: 'VenueRejected', orderId: 1, reason: Reason.VENUE_REJECT, text: 'late' });
    expect(orderView(p.order(1)!)).toEqual(before);
    expect(p.fillCount).toBe(0);
    // A request about a terminal order is part of its story: recorded, state unchanged.
    const req = step({ type: 'CancelRequested', orderId: 1 });
    const rej = step({ type: 'CancelRejected', orderId: 1, reason: Reason.ORDER_TERMINAL, text: 'order 1 is already cancelled' });
    expect(p.order(1)!.state).toBe('cancelled');
    expect(p.order(1)!.eventSeqs.slice(-2)).toEqual([req.seq, rej.seq]);
  });

  it('replaces quantity and price; leaves = quantity - filled; replacing down to filled completes', () => {
    const { p, step } = session();
    live(step, 1);
    step({ type: 'OrderExecuted', orderId: 1, execId: 1, fillQty: 30, fillPrice: 228.45 });
    step({ type: 'ReplaceRequested', orderId: 1, quantity: 200, price: 229 });
    expect(p.order(1)!.replacePending).toBe(true);
    step({ type: 'OrderReplaced', orderId: 1, quantity: 200, price: 229 });
    expect(p.order(1)).toMatchObject({ quantity: 200, price: 229, filledQuantity: 30, leavesQuantity: 170, state: 'partially_filled', replacePending: false });
    expect(p.openNotional('ALPHA')).toBeCloseTo(170 * 229, 6);
    step({ type: 'ReplaceRequested', orderId: 1, quantity: 10, price: 229 });
    step({ type: 'ReplaceRejected', orderId: 1, reason: Reason.REPLACE_BELOW_FILLED, text: 'quantity 10 is below filled quantity 30' });
    expect(p.order(1)!.replacePending).toBe(false);
    step({ type: 'OrderReplaced', orderId: 1, quantity: 30, price: 229 });
    expect(p.order(1)).toMatchObject({ state: 'filled', leavesQuantity: 0 });
    expect(p.openNotional('ALPHA')).toBe(0);
  });

  it('values market orders at the reference price for open notional, price 0 in the view', () => {
    const { p, step } = session();
    step(pending(1, { orderType: 'market', price: 0, symbol: 'MSFT', quantity: 10 }));
    expect(p.order(1)).toMatchObject({ price: 0, valuationPrice: 431.2 });
    expect(p.openNotional('ALPHA')).toBeCloseTo(4312, 6);
  });

  it('indexes clientOrderIds per client: the first order wins, rejected ones keep theirs', () => {
    const { p, step } = session();
    step(pending(1, { clientOrderId: 'X' }));
    step({ type: 'OrderRejected', orderId: 1, reason: Reason.BAD_PRICE, text: '' });
    step(pending(2, { clientOrderId: 'X' }));
    step(pending(3, { clientOrderId: 'X', clientId: 'BRAVO' }));
    expect(p.orderIdForClientOrderId('ALPHA', 'X')).toBe(1);
    expect(p.orderIdForClientOrderId('BRAVO', 'X')).toBe(3);
    expect(p.orderIdForClientOrderId('CHARLIE', 'X')).toBeUndefined();
    expect(p.order(1)!.rejectReason).toBe('BAD_PRICE');
  });

  it('forEachOrder and fillInto read the same as orders() and fillAt(), without an object per row', () => {
    const { p, step } = session();
    for (let id = 1; id <= 5; id++) live(step, id, { clientId: id % 2 === 0 ? 'BRAVO' : 'ALPHA', price: 228 + id });
    step({ type: 'OrderExecuted', orderId: 2, execId: 1, fillQty: 30, fillPrice: 230 });
    step({ type: 'OrderExecuted', orderId: 5, execId: 1, fillQty: 10, fillPrice: 233 });
    const seen: unknown[] = [];
    const cursors = new Set<unknown>();
    p.forEachOrder(1, 4, (o) => {
      cursors.add(o);
      seen.push(orderView(o));
    });
    expect(seen).toEqual([...p.orders(1)].slice(0, 3).map((o) => orderView(o)));
    expect(cursors.size).toBe(1);
    let n = 0;
    p.forEachOrder(4, 99, () => n++);
    p.forEachOrder(3, 3, () => n++);
    expect(n).toBe(1);
    const f = { execId: 0, orderId: 0, symbol: '', side: 'buy' as const, quantity: 0, price: 0, seq: 0, ts: 0 };
    for (let i = 0; i < p.fillCount; i++) {
      expect(p.fillInto(i, f)).toBe(true);
      expect(f).toEqual(p.fillAt(i));
    }
    expect(p.fillInto(p.fillCount, f)).toBe(false);
    expect(p.clientIdOf(2)).toBe('BRAVO');
    expect(p.clientIdOf(99)).toBeUndefined();
  });

  it('builds the clientOrderId index in slices with the same answers, and a lookup mid-way finishes it', () => {
    const { p, step } = session();
    for (let id = 1; id <= 7; id++) step(pending(id, { clientOrderId: id % 3 === 0 ? 'dup' : `c-${id}`, clientId: id % 2 === 0 ? 'BRAVO' : 'ALPHA' }));
    const turns: boolean[] = [];
    for (let i = 0; i < 3; i++) turns.push(p.indexClientOrderIdsSome(2));
    expect(turns).toEqual([true, true, true]);
    // 6 indexed, order 7 not yet: the lookup finishes the index first.
    expect(p.orderIdForClientOrderId('ALPHA', 'c-7')).toBe(7);
    expect(p.indexClientOrderIdsSome(2)).toBe(false);
    expect(p.orderIdForClientOrderId('ALPHA', 'dup')).toBe(3);
    expect(p.orderIdForClientOrderId('BRAVO', 'dup')).toBe(6);
    expect(p.orderIdForClientOrderId('BRAVO', 'c-2')).toBe(2);
    step(pending(8, { clientOrderId: 'dup', clientId: 'BRAVO' }));
    expect(p.indexClientOrderIdsSome(1)).toBe(false);
    expect(p.orderIdForClientOrderId('BRAVO', 'dup')).toBe(6);
    expect(p.orderIdForClientOrderId('BRAVO', 'c-8')).toBeUndefined();
  });

  it('restores orders with their state, fills and venue', () => {
    const p = new OmsProjection();
    p.applyAll(
      new LogBuilder().openSession({
        orderIdBase: 500,
        reference,
        restore: [{
          type: 'OrderRestored', orderId: 42, clientId: 'ALPHA', clientOrderId: 'gtc-1', symbol: 'AAPL', side: 'sell',
          orderType: 'limit', timeInForce: 'gtc', quantity: 300, price: 230, state: 'partially_filled',
          filledQuantity: 100, avgPrice: 229.87, venue: 'XNAS',
        }],
      }).events,
    );
    expect(p.order(42)).toMatchObject({ state: 'partially_filled', filledQuantity: 100, leavesQuantity: 200, avgPrice: 229.87, venue: 'XNAS' });
    expect(p.openNotional('ALPHA')).toBeCloseTo(200 * 230, 6);
    expect(p.nextOrderId).toBe(500);
    expect(p.session.restoredOrders).toBe(1);
  });
});

describe('OmsProjection: views and hash', () => {
  it('produces contract views that do not alias its state', () => {
    const { p, step } = session();
    live(step, 1);
    step({ type: 'OrderExecuted', orderId: 1, execId: 1, fillQty: 100, fillPrice: 228.45 });
    const view = toStateView(p, p.lastSeq);
    expect(view.session).toEqual({ id: 1, state: 'open', seq: p.lastSeq, eventRate: 0 });
    expect(view.instruments).toHaveLength(reference.instruments.length);
    expect(view.instruments.find((i) => i.symbol === 'AAPL 281215C230')).toMatchObject({ instrumentType: 'option', underlying: 'AAPL', putCall: 'call' });
    expect(view.clients.find((c) => c.clientId === 'ALPHA')).toMatchObject({ openNotional: 0, allowedSymbols: ['*'] });
    expect(view.orders[0]).toMatchObject({ orderId: 1, orderType: 'limit', state: 'filled', venue: 'XNAS', avgPrice: 228.45 });
    expect(view.orders[0]).not.toHaveProperty('rejectReason');
    expect(view.fills).toEqual([{ execId: 1, orderId: 1, symbol: 'AAPL', side: 'buy', quantity: 100, price: 228.45, seq: p.lastSeq, ts: p.lastTs }]);
    expect(view.components).toEqual([]);
    expect(view.asOfSeq).toBe(p.lastSeq);
    view.orders[0]!.eventSeqs.push(999);
    expect(p.order(1)!.eventSeqs).not.toContain(999);
  });

  it('hashes equal logs equally and different logs differently', () => {
    const a = session();
    const b = session();
    for (const s of [a, b]) {
      live(s.step, 1);
      s.step({ type: 'OrderExecuted', orderId: 1, execId: 1, fillQty: 10, fillPrice: 228.45 });
    }
    expect(a.p.stateHash()).toBe(b.p.stateHash());
    expect(a.p.stateHash()).toMatch(/^[0-9a-f]{64}$/);
    b.step({ type: 'OrderExecuted', orderId: 1, execId: 2, fillQty: 10, fillPrice: 228.45 });
    a.step({ type: 'OrderExecuted', orderId: 1, execId: 2, fillQty: 10, fillPrice: 228.46 });
    expect(a.p.stateHash()).not.toBe(b.p.stateHash());
  });
});
