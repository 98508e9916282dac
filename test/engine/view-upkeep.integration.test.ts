import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateUpdate } from '../../contract/api.ts';
import type { Host } from '../../engine/host/host.ts';
import { LiveView } from '../../engine/host/live-view.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { order, startTestHost, unwrap, waitFor, waitOrder } from './helpers/host.ts';

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

  // Far below the reference price: the order rests at the venue ('new') and stays there (different quantities: not duplicates).
  const resting = (coid: string, quantity: number) => order('AAPL', 'buy', quantity, Number((Math.round(host.view.projection.instrument('AAPL')!.referencePrice * 0.92 * 100) / 100).toFixed(2)), { clientOrderId: coid });

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
    await waitFor(() => updates.some((u) => u.orders?.some((o) => o.orderId === after.orderId && o.state === 'new') === true), 'a push with the new order resting');
    const cancelled = unwrap(await host.api.cancelOrder(before.orderId));
    expect(cancelled.orderId).toBe(before.orderId);
    await waitFor(() => updates.some((u) => u.orders?.some((o) => o.orderId === before.orderId && o.state === 'cancelled') === true), 'a push with the earlier order cancelled');

    stop();
    expect(host.view.watched).toBe(false);
  });
});
