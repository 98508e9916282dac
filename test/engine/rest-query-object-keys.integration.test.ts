import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startTestHost } from './helpers/host.ts';

let host: Awaited<ReturnType<typeof startTestHost>>;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host.dispose();
});

/**
 * Round 18, outside: REST built each query's parameters on a plain object, so `?__proto__=1` was an assignment to
 * the object's prototype that changed nothing: `GET /api/events?__proto__=1` and `GET /api/timeline?__proto__=1`
 * answered 200 as if the parameter were not there, while `?toString=1` was refused by name. Every parameter the API
 * does not take is refused by name now, `__proto__` too.
 */
describe('a query parameter named like an Object member is a parameter', () => {
  it.each([
    ['/api/events?__proto__=1&limit=1', 'query.__proto__: unknown field'],
    ['/api/timeline?__proto__=1', 'timeline.__proto__: unknown field'],
    ['/api/orders?__proto__=1', 'query.__proto__: unknown parameter (one of after, limit, at, session, state, clientId, symbol)'],
    ['/api/events?constructor=1', 'query.constructor: unknown field'],
  ])('GET %s is 400 naming it', async (path, message) => {
    const r = await http(host, 'GET', path);
    expect(r.body).toEqual({ error: { code: 'BAD_REQUEST', message } });
    expect(r.status).toBe(400);
  });

  it('the parameters it takes still work', async () => {
    const r = await http(host, 'GET', '/api/events?limit=1');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
  });
});
