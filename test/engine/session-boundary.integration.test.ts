import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../engine/host/host.ts';
import { Reason } from '../../engine/protocol/reasons.ts';
import { http, order, startTestHost, unwrap, waitFor, waitOrder } from './helpers/host.ts';

/**
 * Orders across a session boundary, end to end with the real host (HTTP API,
 * sequencer on SQLite, components over ZeroMQ, the simulated venue and its
 * market maker): decisions 075 (an explicit close parks carried orders at the
 * venue), 076 (idempotent entry across sessions) and the carried cancel or
 * replace in flight. Resting orders sit 8% below the market, where the market
 * maker never trades, and every wait is for a condition.
 */

let host: Host & { dir: string; dispose(): Promise<void> };
let price = 0;

beforeAll(async () => {
  host = await startTestHost({ venueIn: 'host' });
  const msft = host.view.projection.instrument('MSFT')!;
  price = Number((msft.referencePrice * 0.92).toFixed(2));
}, 60_000);
afterAll(() => host.dispose());

/** OrderPending events of the open session with this clientOrderId. */
async function entered(clientOrderId: string): Promise<number> {
  const session = host.sequencer.position.session;
  const lines = unwrap(await host.api.getEvents({ session, from: 1, limit: 100_000 }));
  return lines.filter((l) => l.type === 'OrderPending' && (l as { clientOrderId?: string }).clientOrderId === clientOrderId).length;
}

let made = 0;
/** A gtc buy resting far below the market, live at the venue; each one differs (risk's duplicate-order check). */
async function live(): Promise<{ orderId: number; clientOrderId: string; quantity: number }> {
  const quantity = 10 + ++made;
  const o = order('MSFT', 'buy', quantity, price, { timeInForce: 'gtc' });
  const { orderId } = unwrap(await host.api.submitOrder(o));
  await waitOrder(host, orderId, (v) => v.state === 'new', 'venue ack');
  expect(host.localVenue!.exchange.isLive(orderId)).toBe(true);
  return { orderId, clientOrderId: o.clientOrderId, quantity };
}

describe('orders across a session boundary', () => {
  it('an explicit close parks a gtc order at the venue: nothing live between sessions; re-entered at the open, then cancelled, cumQty the venue\'s', async () => {
    const { orderId } = await live();
    expect((await http(host, 'POST', '/api/session/close')).status).toBe(200);
    // Between sessions the venue holds no live quantity of it; the OMS still carries it (waiting for the router).
    expect(host.localVenue!.exchange.isLive(orderId)).toBe(false);
    expect(host.localVenue!.exchange.status(orderId).state).toBe('parked');
    await waitFor(() => host.view.projection.order(orderId)?.stage === 'accepted', 'the view shows it parked');
    const snap = host.sequencer.position;
    expect(snap.phase).toBe('closed');
    // The API says it is parked (its FIX state stays pending_new): what the blotter's PARKED badge shows.
    const parked = await waitOrder(host, orderId, (v) => v.parked === true, 'parked in the view');
    expect(parked.state).toBe('pending_new');

    expect((await http(host, 'POST', '/api/session/open')).status).toBe(200);
    await waitOrder(host, orderId, (v) => v.state === 'new', 're-entered at the venue');
    expect(host.localVenue!.exchange.isLive(orderId)).toBe(true);
    // Routed once in the new session (the router routes a restored order on OrderRestored and on activation; the
    // sequencer takes only the first), so the venue got one new order.
    const opened = unwrap(await host.api.getEvents({ session: host.sequencer.position.session, from: 1, limit: 100_000 }));
    expect(opened.filter((l) => l.type === 'OrderRouted' && l['orderId'] === orderId)).toHaveLength(1);
    expect((await http(host, 'POST', `/api/orders/${orderId}/cancel`)).status).toBe(200);
    const done = await waitOrder(host, orderId, (v) => v.state === 'cancelled', 'cancelled at the venue');
    expect(host.localVenue!.exchange.isLive(orderId)).toBe(false);
    expect(done.filledQuantity).toBe(host.localVenue!.exchange.status(orderId).filledQuantity);
  }, 60_000);

  it('a cancel between an explicit close and the next open is stored and applied at the open: cancelled before any routing, never re-sent to the venue; idempotent; clear refusals', async () => {
    const { orderId, clientOrderId } = await live();
    const other = await live(); // parked and not cancelled: re-entered at the open as before
    const day = unwrap(await host.api.submitOrder(order('MSFT', 'buy', 7 + ++made, price, { timeInForce: 'day' }))).orderId;
    await waitOrder(host, day, (v) => v.state === 'new', 'day order live');
    expect((await http(host, 'POST', '/api/session/close')).status).toBe(200);
    const closedId = host.sequencer.position.session;
    await waitFor(() => host.view.projection.session.state === 'closed', 'the view sees the close');
    expect(host.localVenue!.exchange.status(orderId).state).toBe('parked');

    const first = await http(host, 'POST', `/api/orders/${orderId}/cancel`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ orderId, queuedForOpen: true });
    expect(first.body.message).toMatch(/cancelled when the next session opens, before it is routed/);
    // Twice is the same request: answered the same, stored once.
    const second = await http(host, 'POST', `/api/orders/${orderId}/cancel`);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ orderId, queuedForOpen: true });
    expect(host.sequencer.deferredAfter(closedId)).toHaveLength(1);
    // Unknown and ended orders: one clear line each, nothing stored.
    const unknown = await http(host, 'POST', '/api/orders/999999/cancel');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UNKNOWN_ORDER');
    const ended = await http(host, 'POST', `/api/orders/${day}/cancel`);
    expect(ended.status).toBe(409);
    expect(ended.body.error.code).toBe('ORDER_TERMINAL');
    // A replace of a parked order waits for the open (one line saying so).
    const replace = await http(host, 'POST', `/api/orders/${other.orderId}/replace`, { quantity: 30, price });
    expect(replace.status).toBe(409);
    expect(replace.body.error.code).toBe('SESSION_NOT_OPEN');
    expect(replace.body.error.message).toMatch(/replace is taken once the next session opens/);
    expect(host.sequencer.deferredAfter(closedId)).toHaveLength(1);
    // Nothing of it in the closed session's log: the request lives in the deferred table until the open.
    const closedLog = unwrap(await host.api.getEvents({ session: closedId, from: 1, limit: 100_000 }));
    expect(closedLog.at(-1)!.type).toBe('SessionClosed');

    expect((await http(host, 'POST', '/api/session/open')).status).toBe(200);
    const opened = host.sequencer.position.session;
    const done = await waitOrder(host, orderId, (v) => v.state === 'cancelled', 'cancelled at the open');
    expect(done.filledQuantity).toBe(host.localVenue!.exchange.status(orderId).filledQuantity);
    await waitOrder(host, other.orderId, (v) => v.state === 'new', 'the other one re-entered');
    const log = unwrap(await host.api.getEvents({ session: opened, from: 1, limit: 100_000 }));
    const at = (type: string) => log.findIndex((l) => l.type === type && l['orderId'] === orderId);
    const ready = log.findIndex((l) => l.type === 'SessionReady');
    // In the opening events, in this order: restored, the trader's request, cancelled (TRADER_REQUEST); then ready.
    expect(at('OrderRestored')).toBeGreaterThan(0);
    expect(at('CancelRequested')).toBeGreaterThan(at('OrderRestored'));
    expect(at('OrderCancelled')).toBeGreaterThan(at('CancelRequested'));
    expect(at('OrderCancelled')).toBeLessThan(ready);
    expect(log[at('OrderCancelled')]).toMatchObject({ src: 'sequencer', reason: Reason.TRADER_REQUEST });
    // Never routed, never re-sent: the venue still has only its parked record, and nothing live.
    expect(at('OrderRouted')).toBe(-1);
    expect(host.localVenue!.exchange.isLive(orderId)).toBe(false);
    expect(host.localVenue!.exchange.status(orderId).state).toBe('parked');
    // The closed session's clientOrderId is still the order's: a retry of it in the new session is not a new order.
    expect(await entered(clientOrderId)).toBe(0);
    // The other one was routed once and is live again.
    expect(log.filter((l) => l.type === 'OrderRouted' && l['orderId'] === other.orderId)).toHaveLength(1);
    unwrap(await host.api.cancelOrder(other.orderId));
    await waitOrder(host, other.orderId, (v) => v.state === 'cancelled', 'cancelled');
  }, 60_000);

  it('a cancel stored between sessions for an order a forced close left live at the venue goes to the venue at the open and ends when it confirms', async () => {
    const { orderId } = await live();
    // No gateway: nothing parks it, and the close is forced after 300 ms with the order still live at the venue.
    unwrap(await host.api.componentAction('gateway-1', 'deactivate'));
    unwrap(await host.api.closeSession(300));
    await waitFor(() => host.view.projection.session.state === 'closed', 'closed by force');
    expect(host.localVenue!.exchange.isLive(orderId)).toBe(true);
    const r = await http(host, 'POST', `/api/orders/${orderId}/cancel`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ orderId, queuedForOpen: true });
    unwrap(await host.api.openSession());
    // Activation is sequenced, so it comes after the open: the gateway then sends the cancel the log shows in flight.
    unwrap(await host.api.componentAction('gateway-1', 'activate'));
    // The opening events hold the trader's request only: the venue may hold the order, so it confirms the cancel.
    const log = unwrap(await host.api.getEvents({ session: host.sequencer.position.session, from: 1, limit: 100_000 }));
    const ready = log.findIndex((l) => l.type === 'SessionReady');
    const requested = log.findIndex((l) => l.type === 'CancelRequested' && l['orderId'] === orderId);
    expect(requested).toBeGreaterThan(0);
    expect(requested).toBeLessThan(ready);
    const done = await waitOrder(host, orderId, (v) => v.state === 'cancelled', 'cancelled by the venue');
    const after = unwrap(await host.api.getEvents({ session: host.sequencer.position.session, from: 1, limit: 100_000 }));
    const cancelledAt = after.find((l) => l.type === 'OrderCancelled' && l['orderId'] === orderId);
    expect(cancelledAt).toMatchObject({ src: 'gateway-1' });
    expect(host.localVenue!.exchange.isLive(orderId)).toBe(false);
    expect(done.filledQuantity).toBe(host.localVenue!.exchange.status(orderId).filledQuantity);
  }, 60_000);

  it('the clientOrderId of an order that ended: a retry in its session answers the original orderId; in a later session (the next trading day) it is a new order (decision 131)', async () => {
    const { orderId, clientOrderId, quantity } = await live();
    unwrap(await host.api.cancelOrder(orderId));
    await waitOrder(host, orderId, (v) => v.state === 'cancelled', 'cancelled');
    const body = { ...order('MSFT', 'buy', quantity, price, { timeInForce: 'gtc' }), clientOrderId };
    // Same trading day (session): the retry is the ended order, nothing sequenced; another body is refused.
    const retry = await http(host, 'POST', '/api/orders', body);
    expect(retry.status).toBe(200);
    expect(retry.body.orderId).toBe(orderId);
    const other = await http(host, 'POST', '/api/orders', { ...body, quantity: quantity + 1 });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('DUPLICATE_CLIENT_ORDER_ID');
    expect(await entered(clientOrderId)).toBe(1);
    // The next session is the next trading day (FIX: ClOrdID unique within the day): the id is free again.
    const roll = unwrap(await host.api.rollSession());
    const fresh = await http(host, 'POST', '/api/orders', body);
    expect(fresh.status).toBe(200);
    expect(fresh.body.orderId).not.toBe(orderId);
    expect(host.sequencer.position.session).toBe(roll.sessionId);
    expect(await entered(clientOrderId)).toBe(1);
    unwrap(await host.api.cancelOrder(fresh.body.orderId));
    await waitOrder(host, fresh.body.orderId, (v) => v.state === 'cancelled', 'cancelled');
  }, 60_000);

  it('a replace in flight when the session rolls is carried: confirmed in the next session, OrigClOrdID chain kept; a retry of the order answers its orderId', async () => {
    const { orderId, clientOrderId, quantity } = await live();
    // With no active gateway the replace is sequenced and stays in flight (nobody tells the venue yet).
    unwrap(await host.api.componentAction('gateway-1', 'deactivate'));
    const newPrice = Number((price - 0.5).toFixed(2));
    unwrap(await host.api.replaceOrder(orderId, { quantity: 20, price: newPrice }));
    await waitOrder(host, orderId, (v) => v.state === 'pending_replace', 'replace in flight');
    const before = host.sequencer.position.session;
    const roll = unwrap(await host.api.rollSession());
    expect(roll.sessionId).toBe(before + 1);
    // The next session restored the order with the replace still in flight (its new clientOrderId and terms).
    const opening = unwrap(await host.api.getEvents({ session: roll.sessionId, from: 1, limit: 100_000 }));
    expect(opening.find((l) => l.type === 'OrderRestored' && (l as { orderId?: number }).orderId === orderId)).toMatchObject({
      clientOrderId, replacePendingClientOrderId: `${clientOrderId}~R1`, replacePendingQuantity: 20, replacePendingPrice: newPrice,
    });
    // The roll activates a gateway again, which resends the replace the snapshot carried; the venue confirms it.
    const v = await waitOrder(host, orderId, (o) => o.state === 'new' && o.quantity === 20, 'replace confirmed after the roll');
    expect(v.price).toBe(newPrice);
    expect(v.clientOrderId).toBe(`${clientOrderId}~R1`);
    expect(v.origClientOrderIds).toEqual([clientOrderId]);
    const venue = host.localVenue!.exchange.status(orderId);
    expect(venue).toMatchObject({ state: 'open', quantity: 20, price: newPrice });
    // Idempotent entry across the roll: the same (clientId, clientOrderId) and terms answer the original orderId.
    const again = await http(host, 'POST', '/api/orders', { ...order('MSFT', 'buy', quantity, price, { timeInForce: 'gtc' }), clientOrderId });
    expect(again.status).toBe(200);
    expect(again.body.orderId).toBe(orderId);
    const different = await http(host, 'POST', '/api/orders', { ...order('MSFT', 'buy', quantity + 1, price, { timeInForce: 'gtc' }), clientOrderId });
    expect(different.status).toBe(409);
    expect(different.body.error.code).toBe('DUPLICATE_CLIENT_ORDER_ID');
    expect(await entered(clientOrderId)).toBe(0); // nothing sequenced in the new session
    expect((await http(host, 'POST', `/api/orders/${orderId}/cancel`)).status).toBe(200);
    await waitOrder(host, orderId, (o) => o.state === 'cancelled', 'cancelled');
  }, 60_000);

  it('a cancel in flight when an explicit close starts is settled by the venue before SessionClosed', async () => {
    const { orderId } = await live();
    unwrap(await host.api.componentAction('gateway-1', 'deactivate'));
    unwrap(await host.api.cancelOrder(orderId));
    await waitOrder(host, orderId, (v) => v.state === 'pending_cancel', 'cancel in flight');
    const closing = host.api.closeSession();
    await waitFor(() => host.sequencer.position.phase === 'closing', 'closing');
    // The close waits: the venue has not answered the cancel (nor parked the order). A gateway takes over and resends.
    expect(host.sequencer.position.phase).toBe('closing');
    unwrap(await host.api.componentAction('gateway-1', 'activate'));
    const closed = unwrap(await closing);
    // Settled inside the closing session: its log holds the venue's OrderCancelled before SessionClosed.
    const tail = unwrap(await host.api.getEvents({ session: closed.sessionId, from: 1, limit: 100_000 }));
    const cancelledAt = tail.findIndex((l) => l.type === 'OrderCancelled' && (l as { orderId?: number }).orderId === orderId);
    expect(cancelledAt).toBeGreaterThan(tail.findIndex((l) => l.type === 'SessionClosing'));
    expect(cancelledAt).toBeLessThan(tail.findIndex((l) => l.type === 'SessionClosed'));
    await waitOrder(host, orderId, (v) => v.state === 'cancelled', 'the view of the closed session');
    expect(host.localVenue!.exchange.isLive(orderId)).toBe(false);
    const snapshot = host.sequencer.position;
    expect(snapshot.phase).toBe('closed');
    expect((await http(host, 'POST', '/api/session/open')).status).toBe(200);
  }, 60_000);
});
