import WebSocket from 'ws';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, http, orderFor } from './helpers/http.ts';
import { cleanupAll, requireFreshBuild, startHostProc, tempDir } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

describe('HTTP: strict input, the token in the header, HEAD, drain on SIGTERM', () => {
  it('415 for a body that is not declared JSON; duplicate keys refused; the token only in the header (query only for /ws); HEAD answered', async () => {
    const host = await startHostProc({ dataDir: tempDir() });
    const api = new Api(host.port, host.token);
    const seq = await api.lastSeq();
    const headers = (extra: Record<string, string>) => ({ authorization: `Bearer ${host.token}`, host: `127.0.0.1:${host.port}`, ...extra });
    const order = JSON.stringify(orderFor('strict', 1));
    for (const contentType of ['text/plain', undefined, 'application/x-www-form-urlencoded']) {
      const r = await http({ port: host.port, method: 'POST', path: '/api/orders', headers: headers(contentType ? { 'content-type': contentType } : {}), body: order });
      expect(r.status, String(contentType)).toBe(415);
      expect((r.json as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const ok = await http({ port: host.port, method: 'POST', path: '/api/orders', headers: headers({ 'content-type': 'application/json; charset=utf-8' }), body: order });
    expect(ok.status, ok.text).toBe(200);

    const dup = '{"clientId":"ALPHA","clientOrderId":"dup-1","symbol":"AAPL","side":"buy","orderType":"limit","quantity":1,"price":228.45,"timeInForce":"day","quantity":1000000}';
    const r = await api.call('POST', '/api/orders', dup);
    expect(r.status).toBe(400);
    expect((r.json as { error: { message: string } }).error.message).toMatch(/duplicate key 'quantity'/);
    const nested = await api.call('POST', '/api/orders/1/replace', '{"quantity":2,"price":1,"price":2}');
    expect(nested.status).toBe(400);

    const viaQuery = await http({ port: host.port, path: `/api/state?token=${host.token}`, headers: { host: `127.0.0.1:${host.port}` } });
    expect(viaQuery.status).toBe(401);
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { headers: { origin: `http://127.0.0.1:${host.port}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.close();

    const head = await http({ port: host.port, method: 'HEAD', path: '/api/state', headers: headers({}) });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers['content-type']).toMatch(/application\/json/);

    // A known path asked with a method it does not take: 405 naming the ones it does, not 404; an unknown path 404.
    const wrongVerb = await api.call('DELETE', '/api/orders');
    expect(wrongVerb.status).toBe(405);
    expect(wrongVerb.headers['allow']).toBe('GET, HEAD, POST');
    expect((wrongVerb.json as { error: { code: string; message: string } }).error).toEqual({ code: 'METHOD_NOT_ALLOWED', message: 'DELETE is not allowed on /api/orders (GET, HEAD, POST)' });
    const cancelByGet = await api.call('GET', '/api/orders/1/cancel');
    expect(cancelByGet.status).toBe(405);
    expect(cancelByGet.headers['allow']).toBe('POST');
    expect((await api.call('GET', '/api/no-such-thing')).status).toBe(404);
    // Nothing of the refused requests reached the log: only the one good order's events.
    const after = await api.state();
    expect(after.orders.map((o) => o.clientOrderId)).toEqual(['strict-1']);
    expect(after.session.seq).toBeGreaterThan(seq);
    await host.stop();
  }, 60_000);

  it('SIGTERM drains: requests in flight are answered before the host exits', async () => {
    const host = await startHostProc({ dataDir: tempDir() });
    const api = new Api(host.port, host.token);
    const inFlight = Array.from({ length: 40 }, (_, i) => api.call('POST', '/api/orders', orderFor('drain', i)));
    // Once the server answers one, the others are on their way through it: stop now.
    await Promise.race(inFlight);
    const stopped = host.stop();
    const answers = await Promise.allSettled(inFlight);
    expect((await stopped).code).toBe(0);
    // Before the drain every one still in flight was reset; now they are answered. A connection the
    // server had not yet read a request from may still be refused or closed (a loaded machine).
    const answered = answers.filter((a) => a.status === 'fulfilled').map((a) => (a as PromiseFulfilledResult<{ status: number }>).value.status);
    expect(answered.length).toBeGreaterThan(1);
    expect(answered.every((s) => s === 200 || s === 503), answered.join(',')).toBe(true);
  }, 60_000);
});
