import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { order, startTestHost } from './helpers/host.ts';

let host: Awaited<ReturnType<typeof startTestHost>>;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host.dispose();
});

/** One request on a connection of its own; the status and the body. */
function call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, method, path, agent: false, headers: { authorization: `Bearer ${host.token}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes on a new connection; what came back once the server closed it (or after 3 s). */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(host.port, '127.0.0.1', () => s.write(bytes));
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', () => undefined);
    const t = setTimeout(() => s.destroy(), 3_000);
    s.on('close', () => {
      clearTimeout(t);
      resolve(text);
    });
  });
}

/** What `curl --http2` sends on plain http: an offer to switch to h2c. */
const h2c = { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAAQCAAAAAAIAAAAA' };

/**
 * Round 19, outside: `curl --http2` (h2c offered on every request) got "HTTP/1.1 404 Bad Request" and no body for
 * any API call, an order included; CONNECT was dropped without an answer; `GET http://evil.com/api/sessions` with a
 * right Host answered 200 (RFC 9112: the target's authority stands in place of Host). Decision 302.
 */
describe('requests a plain HTTP/1.1 client does not send', () => {
  it('a GET offering h2c is answered as HTTP/1.1', async () => {
    const r = await call('GET', '/api/sessions', h2c);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual([expect.objectContaining({ id: 1, state: 'open' })]);
  });

  it('an order offering h2c is taken, its body read', async () => {
    const r = await call('POST', '/api/orders', { ...h2c, 'content-type': 'application/json' }, JSON.stringify(order('AAPL', 'buy', 5, 228.4)));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ orderId: expect.any(Number) });
  });

  it('a bad order offering h2c gets the same 400 as without', async () => {
    const r = await call('POST', '/api/orders', { ...h2c, 'content-type': 'application/json' }, '{"clientId":');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ error: { code: 'BAD_REQUEST', message: 'request body is not valid JSON' } });
  });

  it('CONNECT is 405, not a dropped connection', async () => {
    expect(await raw(`CONNECT evil.com:443 HTTP/1.1\r\nHost: evil.com:443\r\n\r\n`)).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
  });

  it('a target in absolute form naming another host is 403', async () => {
    const text = await raw(`GET http://evil.com/api/sessions HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nAuthorization: Bearer ${host.token}\r\nConnection: close\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(text).toContain(`"host 'evil.com' is not this server"`);
  });

  it('a WebSocket upgrade on another path is "404 Not Found" (was "404 Bad Request")', async () => {
    const text = await raw(`GET /nows HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
  });
});
