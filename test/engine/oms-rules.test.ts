import { describe, expect, it } from 'vitest';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { checkCancel, checkReplace, checkSessionOpen } from '../../engine/oms/rules.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { EventOf, OrdoEvent } from '../../engine/protocol/events.ts';
import { Reason } from '../../engine/protocol/reasons.ts';

const loaded = loadReferenceData();
// US equities trade odd lots (lot size 1); this test needs an instrument whose lot is a real increment.
const reference = { ...loaded, instruments: loaded.instruments.map((i) => (i.symbol === 'KO' ? { ...i, lotSize: 100 } : i)) };

function pending(orderId: number, over: Partial<EventOf<'OrderPending'>> = {}): OrdoEvent {
  return {
    type: 'OrderPending', orderId, clientId: 'ALPHA', clientOrderId: `c-${orderId}`, symbol: 'AAPL', side: 'buy',
    orderType: 'limit', timeInForce: 'day', quantity: 100, price: 228.45, ...over,
  };
}

function live(orderId: number, over: Partial<EventOf<'OrderPending'>> = {}): OrdoEvent[] {
  return [pending(orderId, over), { type: 'OrderAccepted', orderId }, { type: 'OrderRouted', orderId, venue: 'XNAS' }];
}

function projection(...events: OrdoEvent[]): OmsProjection {
  const log = new LogBuilder().openSession({ reference });
  log.addAll(events);
  const p = new OmsProjection();
  p.applyAll(log.events);
  return p;
}

const p = projection(
  ...live(1),
  { type: 'OrderExecuted', orderId: 1, execId: 1, fillQty: 40, fillPrice: 228.45 },
  ...live(2),
  { type: 'OrderCancelled', orderId: 2, reason: Reason.TRADER_REQUEST },
  ...live(3),
  { type: 'ReplaceRequested', orderId: 3, quantity: 50, price: 228.45 },
  ...live(4, { symbol: 'KO', price: 63.48, quantity: 200 }),
  ...live(5, { orderType: 'market', price: 0 }),
  ...live(6, { clientId: 'DELTA', quantity: 300 }),
);

describe('checkCancel', () => {
  it('accepts a live order, refuses unknown and terminal ones', () => {
    expect(checkCancel(1, p)).toBeNull();
    expect(checkCancel(99, p)).toEqual({ reason: Reason.UNKNOWN_ORDER, text: 'unknown order 99' });
    expect(checkCancel(2, p)).toEqual({ reason: Reason.ORDER_TERMINAL, text: 'order 2 is already cancelled' });
  });
});

describe('checkReplace', () => {
  it('accepts a sane change, including down to exactly the filled quantity', () => {
    expect(checkReplace(1, 200, 229, p)).toBeNull();
    expect(checkReplace(1, 40, 228.45, p)).toBeNull();
  });

  it.each([
    ['unknown order', 99, 100, 228.45, Reason.UNKNOWN_ORDER, 'unknown order 99'],
    ['terminal order', 2, 100, 228.45, Reason.ORDER_TERMINAL, 'order 2 is already cancelled'],
    ['replace pending', 3, 100, 228.45, Reason.REQUEST_PENDING, 'order 3 already has a replace in flight'],
    ['zero quantity', 1, 0, 228.45, Reason.BAD_QUANTITY, 'quantity 0 must be a whole number > 0'],
    ['below filled', 1, 39, 228.45, Reason.REPLACE_BELOW_FILLED, 'quantity 39 is below filled quantity 40'],
    ['off lot', 4, 250, 63.48, Reason.BAD_QUANTITY, 'quantity 250 is not a multiple of lot 100'],
    ['off tick', 1, 100, 228.455, Reason.PRICE_OFF_TICK, 'price 228.455 is not a multiple of tick 0.01'],
    ['bad price', 1, 100, 0, Reason.BAD_PRICE, 'limit price 0 must be > 0'],
    ['out of band', 1, 100, 260, Reason.PRICE_OUT_OF_BAND, 'price 260 is outside ±10% of reference 228.45 (205.61 to 251.29)'],
    ['order notional', 6, 500, 228.45, Reason.ORDER_NOTIONAL_LIMIT, 'order notional 114225.00 exceeds client DELTA limit 100000.00'],
  ] as const)('refuses: %s', (_name, id, qty, price, reason, text) => {
    expect(checkReplace(id, qty, price, p)).toEqual({ reason, text });
  });

  it('refuses a replace that takes open notional over the limit, not one that lowers it', () => {
    // DELTA: 300k open limit. 300 + 400 + 400 + 200 AAPL @ 228.45 = 296,985 open.
    const q = projection(
      ...live(6, { clientId: 'DELTA', quantity: 300 }),
      ...live(7, { clientId: 'DELTA', quantity: 400 }),
      ...live(8, { clientId: 'DELTA', quantity: 400 }),
      ...live(9, { clientId: 'DELTA', quantity: 200 }),
    );
    expect(q.openNotional('DELTA')).toBeCloseTo(296_985, 6);
    expect(checkReplace(6, 310, 228.45, q)).toBeNull(); // +2,284.50 → 299,269.50
    expect(checkReplace(6, 320, 228.45, q)).toEqual({
      reason: Reason.OPEN_NOTIONAL_LIMIT,
      text: 'open notional would be 301554.00, over client DELTA limit 300000.00',
    });
    expect(checkReplace(7, 100, 228.45, q)).toBeNull();
    expect(checkReplace(7, 400, 205.61, q)).toBeNull(); // same quantity, lower price
  });

  it('ignores the price of a market order', () => {
    expect(checkReplace(5, 200, 0, p)).toBeNull();
  });
});

describe('checkSessionOpen', () => {
  it('names the session state', () => {
    expect(checkSessionOpen(new OmsProjection())).toEqual({ reason: Reason.SESSION_NOT_OPEN, text: 'no session is open' });
    expect(checkSessionOpen(p)).toBeNull();
    const log = new LogBuilder();
    log.add({ type: 'SessionOpened', sessionId: 4, previousSessionId: 3, orderIdBase: 1 });
    const q = new OmsProjection();
    q.applyAll(log.events);
    expect(checkSessionOpen(q)).toEqual({ reason: Reason.SESSION_NOT_OPEN, text: 'session 4 is opening' });
    q.apply(log.add({ type: 'SessionReady', restoredOrders: 0 }));
    q.apply(log.add({ type: 'SessionClosing' }));
    expect(checkSessionOpen(q)).toEqual({ reason: Reason.SESSION_CLOSING, text: 'session 4 is closing' });
  });
});
