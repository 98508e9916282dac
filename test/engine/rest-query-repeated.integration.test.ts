import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, order, startTestHost } from './helpers/host.ts';

let host: Awaited<ReturnType<typeof startTestHost>>;
beforeAll(async () => {
  host = await startTestHost();
  expect((await http(host, 'POST', '/api/orders', order('AAPL', 'buy', 10, 228.4))).status).toBe(200);
});
afterAll(async () => {
  await host.dispose();
});

/**
 * Round 19, outside: a query parameter given twice answered 200 with one of its values, the last where the route
 * looped over the parameters and the first where it asked for one: `GET /api/orders?symbol=MSFT&symbol=AAPL` listed
 * AAPL's orders alone (a script meaning both saw MSFT's missing), `GET /api/state?at=1&at=999` the state at seq 1.
 * A body's duplicate key is refused (which value is meant is unclear); a query's is now too (decision 302).
 */
describe('a query parameter given twice', () => {
  it.each([
    ['/api/orders?symbol=MSFT&symbol=AAPL', 'symbol'],
    ['/api/fills?limit=1&limit=2', 'limit'],
    ['/api/order-window?sort=price&dir=asc&sort=qty', 'sort'],
    ['/api/state?at=1&at=999', 'at'],
    ['/api/orders/1/history?session=1&session=2', 'session'],
    ['/api/events?from=1&limit=5&from=2', 'from'],
    ['/api/timeline?session=1&session=1', 'session'],
    ['/api/events/search?type=OrderPending&type=Execution', 'type'],
  ])('GET %s is 400 naming it', async (path, name) => {
    const r = await http(host, 'GET', path);
    expect(r.body).toEqual({ error: { code: 'BAD_REQUEST', message: `query.${name}: given more than once (which value is meant is unclear)` } });
    expect(r.status).toBe(400);
  });

  it('each given once still works', async () => {
    const r = await http(host, 'GET', '/api/orders?symbol=AAPL&limit=5');
    expect(r.status).toBe(200);
    expect(r.body.items.map((o: { symbol: string }) => o.symbol)).toEqual(['AAPL']);
    expect((await http(host, 'GET', '/api/state?at=1')).status).toBe(200);
  });
});
