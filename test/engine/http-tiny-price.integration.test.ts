import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, order, startTestHost, waitOrder } from './helpers/host.ts';

/**
 * A limit price so small it is within float noise of zero ticks (5e-324, 1e-12) was snapped to 0 by the
 * client proxy's tick snap: the order was stored with price 0 and rejected "limit price 0 must be > 0",
 * a price the trader never sent (round 15, outside). It now keeps the price sent and is refused by the
 * price checks (below the band around the reference price), naming that price.
 */
describe('POST /api/orders with a positive price far below one tick', () => {
  let host: Awaited<ReturnType<typeof startTestHost>>;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host.dispose();
  });

  it.each([5e-324, 1e-12])('price %s: stored as sent, the reject names it', async (price) => {
    const r = await http(host, 'POST', '/api/orders', order('AAPL', 'buy', 100, price));
    expect(r.status).toBe(200);
    const o = await waitOrder(host, r.body.orderId as number, (v) => v.state === 'rejected');
    expect(o.price).toBe(price);
    expect(o.rejectReason).toMatch(new RegExp(`^PRICE_OUT_OF_BAND: price ${String(price).replace('-', '\\-')} `));
  });
});
