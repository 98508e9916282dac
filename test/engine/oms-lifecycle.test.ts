import { describe, expect, it } from 'vitest';
import { decideCancel, decideReplace } from '../../engine/oms/lifecycle-rules.ts';
import { fixCxlRejReason, fixOrdRejReason, FIX_ORD_STATUS, orderStateOf } from '../../engine/oms/order-state.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { EventOf, OrdoEvent } from '../../engine/protocol/events.ts';
import { Reason } from '../../engine/protocol/reasons.ts';

/** The order lifecycle of docs/decisions/070 as the projection applies it at each seq. */

const reference = loadReferenceData();

function pending(orderId: number, over: Partial<EventOf<'OrderPending'>> = {}): EventOf<'OrderPending'> {
  return {
    type: 'OrderPending', orderId, clientId: 'ALPHA', clientOrderId: `c-${orderId}`, symbol: 'AAPL', side: 'buy',
    orderType: 'limit', timeInForce: 'day', quantity: 100, price: 228.45, ...over,
  };
}

function session() {
  const log = new LogBuilder().openSession({ reference });
  const p = new OmsProjection();
  p.applyAll(log.events);
  const step = (event: OrdoEvent, src = 'sequencer') => {
    const e = log.add(event, src);
    p.apply(e);
    return e;
  };
  const routed = (orderId: number, over: Partial<EventOf<'OrderPending'>> = {}) => {
    step(pending(orderId, over), 'proxy-1');
    step({ type: 'OrderAccepted', orderId }, 'risk-1');
    step({ type: 'OrderRouted', orderId, venue: 'XNAS' }, 'router-1');
  };
  return { p, step, routed };
}

describe('order states (FIX 4.4)', () => {
  it('pending_new until the venue acknowledges; new after; the ack is kept in the history', () => {
    const { p, step } = session();
    step(pending(1));
    expect(p.order(1)).toMatchObject({ state: 'pending_new', stage: 'pending' });
    step({ type: 'OrderAccepted', orderId: 1 });
    expect(p.order(1)).toMatchObject({ state: 'pending_new', stage: 'accepted' });
    step({ type: 'OrderRouted', orderId: 1, venue: 'XNAS' });
    expect(p.order(1)).toMatchObject({ state: 'pending_new', stage: 'routed' });
    const ack = step({ type: 'OrderAcknowledged', orderId: 1 });
    expect(p.order(1)).toMatchObject({ state: 'new', stage: 'new' });
    expect(p.order(1)!.eventSeqs.at(-1)).toBe(ack.seq);
    // A fill may come before the ack; the late ack does not undo it.
    const { p: q, step: s2, routed } = session();
    routed(2);
    s2({ type: 'OrderExecuted', orderId: 2, execId: 1, fillQty: 10, fillPrice: 228.45 });
    s2({ type: 'OrderAcknowledged', orderId: 2 });
    expect(q.order(2)).toMatchObject({ state: 'partially_filled', filledQuantity: 10 });
  });

  it('maps every state to FIX OrdStatus and reasons to CxlRejReason / OrdRejReason', () => {
    expect(orderStateOf('partially_filled', true, false)).toBe('pending_cancel');
    expect(orderStateOf('new', false, true)).toBe('pending_replace');
    expect(orderStateOf('routed', false, false)).toBe('pending_new');
    expect(FIX_ORD_STATUS).toMatchObject({ pending_new: 'A', new: '0', pending_cancel: '6', pending_replace: 'E', expired: 'C' });
    expect(fixCxlRejReason(Reason.TOO_LATE)).toBe(0);
    expect(fixCxlRejReason(Reason.UNKNOWN_ORDER)).toBe(1);
    expect(fixCxlRejReason(Reason.REQUEST_PENDING)).toBe(3);
    expect(fixOrdRejReason(Reason.UNKNOWN_INSTRUMENT)).toBe(1);
    expect(fixOrdRejReason(Reason.DUPLICATE_CLIENT_ORDER_ID)).toBe(6);
  });
});

describe('cancel', () => {
  it('takes effect at once where the log proves the order never reached the venue; a later route is ignored', () => {
    const { p, step } = session();
    step(pending(1));
    step({ type: 'OrderAccepted', orderId: 1 });
    step({ type: 'CancelRequested', orderId: 1 });
    expect(p.order(1)).toMatchObject({ state: 'cancelled', leavesQuantity: 0 });
    step({ type: 'OrderRouted', orderId: 1, venue: 'XNAS' });
    expect(p.order(1)).toMatchObject({ state: 'cancelled', venue: undefined });
  });

  it('is pending while the order may be at the venue; a fill that wins the race is applied, then the cancel is rejected too late', () => {
    const { p, step, routed } = session();
    routed(1);
    step({ type: 'CancelRequested', orderId: 1 });
    expect(p.order(1)).toMatchObject({ state: 'pending_cancel', stage: 'routed', cancelPending: true });
    step({ type: 'OrderExecuted', orderId: 1, execId: 5, fillQty: 40, fillPrice: 228.44 });
    expect(p.order(1)).toMatchObject({ state: 'pending_cancel', filledQuantity: 40 });
    step({ type: 'OrderExecuted', orderId: 1, execId: 6, fillQty: 60, fillPrice: 228.45 });
    expect(p.order(1)).toMatchObject({ state: 'filled', filledQuantity: 100, cancelPending: false });
    step({ type: 'CancelRejected', orderId: 1, reason: Reason.TOO_LATE, text: 'too late to cancel' });
    expect(p.order(1)).toMatchObject({ state: 'filled', filledQuantity: 100 });
  });

  it('ends as cancelled only on the venue confirmation, keeping what filled before it', () => {
    const { p, step, routed } = session();
    routed(1);
    step({ type: 'OrderAcknowledged', orderId: 1 });
    step({ type: 'CancelRequested', orderId: 1 });
    step({ type: 'OrderExecuted', orderId: 1, execId: 5, fillQty: 40, fillPrice: 228.44 });
    step({ type: 'OrderCancelled', orderId: 1, reason: Reason.TRADER_REQUEST });
    expect(p.order(1)).toMatchObject({ state: 'cancelled', filledQuantity: 40, leavesQuantity: 0 });
  });
});

describe('one cancel or replace in flight, decided at the seq', () => {
  it('refuses the second request with REQUEST_PENDING, and says so for that seq only', () => {
    const { p, step, routed } = session();
    routed(1);
    const r1 = step({ type: 'ReplaceRequested', orderId: 1, quantity: 90, price: 228.45, clientOrderId: 'c-1-r1' });
    expect(p.refusedAt(r1.seq)).toBeUndefined();
    const r2 = step({ type: 'ReplaceRequested', orderId: 1, quantity: 80, price: 228.45, clientOrderId: 'c-1-r2' });
    expect(p.refusedAt(r2.seq)).toMatchObject({ orderId: 1, reason: Reason.REQUEST_PENDING });
    const c = step({ type: 'CancelRequested', orderId: 1 });
    expect(p.refusedAt(c.seq)).toMatchObject({ reason: Reason.REQUEST_PENDING, text: 'order 1 already has a replace in flight' });
    expect(p.refusedAt(r2.seq)).toBeUndefined();
    expect(p.order(1)).toMatchObject({ state: 'pending_replace', quantity: 100 });
    // Both refused requests are in the order's history.
    expect(p.order(1)!.eventSeqs.slice(-3)).toEqual([r1.seq, r2.seq, c.seq]);
    // The venue confirms the first: the order lives on under its terms and clientOrderId.
    step({ type: 'OrderReplaced', orderId: 1, quantity: 90, price: 228.45 });
    expect(p.order(1)).toMatchObject({ state: 'pending_new', quantity: 90, clientOrderId: 'c-1-r1', origClientOrderIds: ['c-1'], replaceCount: 1 });
  });

  it('refuses requests on unknown and terminal orders', () => {
    const { p, step } = session();
    const u = step({ type: 'CancelRequested', orderId: 42 });
    expect(p.refusedAt(u.seq)).toMatchObject({ reason: Reason.UNKNOWN_ORDER });
    step(pending(1));
    step({ type: 'OrderRejected', orderId: 1, reason: Reason.BAD_PRICE, text: 'no' });
    const t = step({ type: 'ReplaceRequested', orderId: 1, quantity: 5, price: 1 });
    expect(p.refusedAt(t.seq)).toMatchObject({ reason: Reason.ORDER_TERMINAL });
  });
});

describe('replace', () => {
  it('before routing takes effect at once; at the venue it is pending until confirmed; the OrigClOrdID chain grows', () => {
    const { p, step } = session();
    step(pending(1));
    step({ type: 'ReplaceRequested', orderId: 1, quantity: 50, price: 228.4, clientOrderId: 'r1' });
    expect(p.order(1)).toMatchObject({ state: 'pending_new', quantity: 50, price: 228.4, clientOrderId: 'r1', origClientOrderIds: ['c-1'] });
    // The original terms stay known (idempotent entry compares against them).
    expect(p.originalTerms(1)).toMatchObject({ quantity: 100, price: 228.45 });
    expect(p.orderIdForClientOrderId('ALPHA', 'c-1')).toBe(1);
    step({ type: 'OrderAccepted', orderId: 1 });
    step({ type: 'OrderRouted', orderId: 1, venue: 'XNAS' });
    step({ type: 'ReplaceRequested', orderId: 1, quantity: 60, price: 228.41, clientOrderId: 'r2' });
    expect(p.order(1)).toMatchObject({ state: 'pending_replace', quantity: 50 });
    step({ type: 'OrderReplaced', orderId: 1, quantity: 60, price: 228.41 });
    expect(p.order(1)).toMatchObject({ quantity: 60, price: 228.41, clientOrderId: 'r2', origClientOrderIds: ['c-1', 'r1'] });
  });

  it('losing the race to a fill: the fills apply, the replace is rejected or confirmed on the remainder', () => {
    const { p, step, routed } = session();
    routed(1, { quantity: 10 });
    step({ type: 'ReplaceRequested', orderId: 1, quantity: 5, price: 226.2 });
    step({ type: 'OrderExecuted', orderId: 1, execId: 1, fillQty: 10, fillPrice: 228.23 });
    step({ type: 'ReplaceRejected', orderId: 1, reason: Reason.TOO_LATE, text: 'too late to replace' });
    expect(p.order(1)).toMatchObject({ state: 'filled', filledQuantity: 10, quantity: 10, avgPrice: 228.23 });
  });

  it('down to exactly the filled quantity completes the order', () => {
    const { p, step, routed } = session();
    routed(1);
    step({ type: 'OrderExecuted', orderId: 1, execId: 1, fillQty: 30, fillPrice: 228.45 });
    step({ type: 'ReplaceRequested', orderId: 1, quantity: 30, price: 228.45 });
    step({ type: 'OrderReplaced', orderId: 1, quantity: 30, price: 228.45 });
    expect(p.order(1)).toMatchObject({ state: 'filled', filledQuantity: 30, leavesQuantity: 0 });
    expect(p.openNotional('ALPHA')).toBe(0);
  });

  it('refuses terms no venue takes, at the seq', () => {
    expect(decideReplace({ orderId: 1, stage: 'new', cancelPending: false, replacePending: false, filledQuantity: 30, limit: true }, 1, 29, 1)).toMatchObject({ kind: 'refuse', reason: Reason.REPLACE_BELOW_FILLED });
    expect(decideReplace({ orderId: 1, stage: 'new', cancelPending: false, replacePending: false, filledQuantity: 0, limit: true }, 1, 10, 0)).toMatchObject({ kind: 'refuse', reason: Reason.BAD_PRICE });
    expect(decideCancel({ orderId: 1, stage: 'accepted', cancelPending: false, replacePending: false, filledQuantity: 0, limit: true }, 1)).toEqual({ kind: 'now' });
    expect(decideCancel({ orderId: 1, stage: 'routed', cancelPending: false, replacePending: false, filledQuantity: 0, limit: true }, 1)).toEqual({ kind: 'venue' });
  });
});

describe('money', () => {
  it('sums fills exactly and rounds the average once', () => {
    const { p, step, routed } = session();
    routed(1, { quantity: 1000, price: 229 });
    const px = [228.41, 228.42, 228.4, 228.41, 228.42];
    px.forEach((fillPrice, i) => step({ type: 'OrderExecuted', orderId: 1, execId: i + 1, fillQty: 200, fillPrice }));
    expect(p.order(1)!.avgPrice).toBe(228.412);
  });
});
