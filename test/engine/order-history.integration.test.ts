import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDataDir } from '../../engine/host/data-dir.ts';
import { orderHistory, searchEvents } from '../../engine/host/order-history.ts';
import { openReadableLog, type ReadableLog } from '../../engine/store/log.ts';
import { order, startTestHost, unwrap, waitOrder } from './helpers/host.ts';

type TestHost = Awaited<ReturnType<typeof startTestHost>>;
let h: TestHost;
let log: ReadableLog;
const ids: Record<string, number> = {};

beforeAll(async () => {
  h = await startTestHost();
  log = openReadableLog(ensureDataDir(h.dir).db);
  const ref = (s: string) => h.view.projection.instrument(s)!.referencePrice;
  const px = (s: string, f: number) => Math.round(ref(s) * f * 100) / 100;
  ids.filled = unwrap(await h.api.submitOrder(order('AAPL', 'buy', 10, px('AAPL', 1.02), { clientOrderId: 'HIST-1' }))).orderId;
  ids.rejected = unwrap(await h.api.submitOrder(order('MSFT', 'buy', 10, px('MSFT', 1.3), { clientOrderId: 'HIST-2' }))).orderId;
  // Many other events after them, so the two are far from the log's tail.
  for (let i = 0; i < 40; i++) unwrap(await h.api.submitOrder(order('JPM', 'buy', 10, px('JPM', 0.95), { clientId: 'BRAVO' })));
  ids.resting = unwrap(await h.api.submitOrder(order('JPM', 'buy', 10, px('JPM', 0.95), { clientOrderId: 'HIST-3', timeInForce: 'gtc' }))).orderId;
  await waitOrder(h, ids.filled!, (o) => o.state === 'filled');
  await waitOrder(h, ids.rejected!, (o) => o.state === 'rejected');
  await waitOrder(h, ids.resting!, (o) => o.state === 'new');
  unwrap(await h.api.replaceOrder(ids.resting!, { quantity: 20, price: px('JPM', 0.95) }));
  await waitOrder(h, ids.resting!, (o) => o.quantity === 20);
});

afterAll(async () => {
  log?.close();
  await h?.dispose();
});

describe('order history and event search from the log', () => {
  it('an order’s whole history comes from its seq chain, with reason names and its ClOrdID', () => {
    const session = h.view.projection.session.id;
    const filled = orderHistory(log, h.view.projection, session, ids.filled!)!;
    expect(filled.events.map((e) => e.type).slice(0, 3)).toEqual(['OrderPending', 'OrderAccepted', 'OrderRouted']);
    expect(filled.events.some((e) => e.type === 'OrderExecuted')).toBe(true);
    expect(filled.events.every((e) => e.orderId === ids.filled)).toBe(true);
    expect(filled.clientOrderIds).toEqual(['HIST-1']);
    const rejected = orderHistory(log, h.view.projection, session, ids.rejected!)!;
    expect(rejected.events.map((e) => [e.type, e.reasonName])).toEqual([
      ['OrderPending', undefined],
      ['OrderRejected', 'PRICE_OUT_OF_BAND'],
    ]);
    const replaced = orderHistory(log, h.view.projection, session, ids.resting!)!;
    expect(replaced.events.map((e) => e.type)).toContain('ReplaceRequested');
    expect(orderHistory(log, h.view.projection, session, 999_999)).toBeUndefined();
  });

  it('search pages back through the whole session by order, client, type and reason', () => {
    const session = h.view.projection.session.id;
    const byReason = searchEvents(log, h.view.projection, { session, reason: 'band' });
    expect(byReason.events.map((e) => [e.orderId, e.reasonName])).toEqual([[ids.rejected, 'PRICE_OUT_OF_BAND']]);
    const byType = searchEvents(log, h.view.projection, { session, type: 'executed', clientId: 'ALPHA' });
    expect(byType.events.length).toBeGreaterThan(0);
    expect(byType.events.every((e) => e.type === 'OrderExecuted' && e.orderId === ids.filled)).toBe(true);
    const byOrder = searchEvents(log, h.view.projection, { session, orderId: ids.filled! });
    expect(byOrder.events[0]!.seq).toBeGreaterThan(byOrder.events[byOrder.events.length - 1]!.seq);
    // Paging: BRAVO's 40 orders, 25 lines a page, newest first, no line twice, down to the start.
    const seen: number[] = [];
    let before: number | undefined;
    for (let page = 0; page < 20; page++) {
      const p = searchEvents(log, h.view.projection, { session, clientId: 'BRAVO', type: 'pending', limit: 25, ...(before ? { before } : {}) });
      seen.push(...p.events.map((e) => e.seq));
      if (p.next === undefined) break;
      before = p.next;
    }
    expect(seen.length).toBe(40);
    expect(new Set(seen).size).toBe(40);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });
});
