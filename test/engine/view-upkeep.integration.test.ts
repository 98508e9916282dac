import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateUpdate } from '../../contract/api.ts';
import type { Host } from '../../engine/host/host.ts';
import { LiveView } from '../../engine/host/live-view.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { order, startTestHost, unwrap, waitFor, waitOrder } from './helpers/host.ts';

/**
 * Whether a push gave the order in that state: as a changed order, or in a reset (the host's first push after a
 * session opens is a reset for everyone, and it may come after the subscription: it carries the order as it stands).
 */
function pushed(updates: readonly StateUpdate[], orderId: number, state: string): boolean {
  return updates.some((u) => [...(u.orders ?? []), ...(u.reset?.orders ?? [])].some((o) => o.orderId === orderId && o.state === state));
}

/** Issue 15: the UI's view notes changed orders for the next push only while someone subscribes. */
describe('view upkeep without a subscriber', () => {
  const ev = (seq: number, orderId: number): Sequenced => ({ seq, ts: 1000 + seq, src: 'sequencer', cseq: 0, event: { type: 'OrderAcknowledged', orderId } });

  it('an unwatched view notes no changed orders; a watched one notes each, once', () => {
    const view = new LiveView();
    view.onEvents(1, [ev(1, 7), ev(2, 8)]);
    expect(view.takeChanges(0)?.orders).toBeUndefined();
    view.watched = true;
    view.onEvents(1, [ev(3, 9), ev(4, 9)]);
    // OrderAcknowledged of an order the projection never saw: no view of it, but it was noted (and now taken).
    expect(view.takeChanges(0)?.orders).toEqual([]);
    expect(view.takeChanges(0)?.orders).toBeUndefined();
  });

  let host: Host & { dispose(): Promise<void> };
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host.dispose();
  });

  // 5 % below the reference price: the order rests at the venue ('new') and stays there: the market maker's quotes
  // stay within ±3 % of it, and risk's ±10 % band around the moving mark keeps it in (8 % below is refused once the
  // mark is 2.2 % up). Different quantities: not duplicates.
  const resting = (coid: string, quantity: number) => order('AAPL', 'buy', quantity, Number((Math.round(host.view.projection.instrument('AAPL')!.referencePrice * 0.95 * 100) / 100).toFixed(2)), { clientOrderId: coid });

  it('a subscriber starts from the full state and then gets every order that changes, subscribing and leaving turns the upkeep on and off', async () => {
    const before = unwrap(await host.api.submitOrder(resting('VU-1', 10)));
    await waitOrder(host, before.orderId, (o) => o.state === 'new');
    expect(host.view.watched).toBe(false);

    const updates: StateUpdate[] = [];
    const stop = host.api.subscribe((u) => updates.push(u));
    expect(host.view.watched).toBe(true);
    // The order that changed before anyone subscribed is in the reset, as it stands.
    expect(updates[0]?.reset?.orders.find((o) => o.orderId === before.orderId)?.state).toBe('new');

    const after = unwrap(await host.api.submitOrder(resting('VU-2', 11)));
    // Resting first (a refusal or a fill fails here, naming the state), then the push that says so.
    await waitOrder(host, after.orderId, (o) => o.state === 'new');
    await waitFor(() => pushed(updates, after.orderId, 'new'), 'a push with the new order resting');
    const cancelled = unwrap(await host.api.cancelOrder(before.orderId));
    expect(cancelled.orderId).toBe(before.orderId);
    await waitFor(() => pushed(updates, before.orderId, 'cancelled'), 'a push with the earlier order cancelled');

    stop();
    expect(host.view.watched).toBe(false);
  });
});
