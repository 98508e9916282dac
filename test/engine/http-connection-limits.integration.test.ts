import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS_TIMEOUT_MS, MAX_CONNECTIONS, REQUEST_TIMEOUT_MS } from '../../engine/host/http/connections.ts';
import { http, startTestHost } from './helpers/host.ts';

let host: Awaited<ReturnType<typeof startTestHost>>;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host.dispose();
});

interface Raw {
  socket: Socket;
  /** Everything the server sent, once it closed the connection (or the wait ran out: `closed` false). */
  closed(waitMs: number): Promise<{ closed: boolean; text: string }>;
}

/** A raw TCP connection to the host's API port that sends `first` (if any) once connected. */
async function raw(first?: string): Promise<Raw> {
  const socket = connect(host.port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  const ended = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  if (first !== undefined) socket.write(first);
  return {
    socket,
    closed: async (waitMs) => {
      const closed = await Promise.race([ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), waitMs))]);
      return { closed, text };
    },
  };
}

const hostLine = () => `Host: 127.0.0.1:${host.port}\r\n`;
const sessions = () => `GET /api/sessions HTTP/1.1\r\n${hostLine()}Authorization: Bearer ${host.token}\r\n\r\n`;

/**
 * Round 18, outside: 300 connections sending half a request's headers stayed open over the 70 s watched (Node's
 * header timeout, 66 s here, checked every 30 s), one sending nothing stayed for good, a body could trickle in for
 * Node's 300 s, and nothing bounded how many connections the host held. Decision 302: headers within 10 s, a whole
 * request within 30 s (checked every second), a silent connection cut at 10 s, at most MAX_CONNECTIONS at once.
 */
describe('the API server cuts slow and silent connections (decision 302)', () => {
  it('a silent one, half a request\'s headers and a trickled body are answered 408 and closed; a real request is answered meanwhile; an idle keep-alive one lives on', async () => {
    const silent = await raw();
    const slowHeaders = await raw(`GET /api/sessions HTTP/1.1\r\n${hostLine()}`);
    const slowBody = await raw(`POST /api/orders HTTP/1.1\r\n${hostLine()}Authorization: Bearer ${host.token}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{`);
    const trickle = setInterval(() => slowBody.socket.write(' '), 500);
    const keepAlive = await raw(sessions());
    try {
      expect((await http(host, 'GET', '/api/sessions')).status).toBe(200);
      // Past the headers' limit (and its check), well before the old 66 s.
      const wait = HEADERS_TIMEOUT_MS + 8_000;
      const [s, h] = await Promise.all([silent.closed(wait), slowHeaders.closed(wait)]);
      expect(s).toEqual({ closed: true, text: expect.stringMatching(/^HTTP\/1\.1 408 Request Timeout\r\n/) });
      expect(h).toEqual({ closed: true, text: expect.stringMatching(/^HTTP\/1\.1 408 Request Timeout\r\n/) });
      // The keep-alive connection answered its request and sat idle as long: it still serves (decision 184).
      expect((await keepAlive.closed(0)).closed).toBe(false);
      keepAlive.socket.write(sessions());
      await new Promise((r) => setTimeout(r, 500));
      expect((await keepAlive.closed(0)).text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
      const b = await slowBody.closed(REQUEST_TIMEOUT_MS - wait + 8_000);
      expect(b).toEqual({ closed: true, text: expect.stringMatching(/^HTTP\/1\.1 408 Request Timeout\r\n/) });
    } finally {
      clearInterval(trickle);
      for (const r of [silent, slowHeaders, slowBody, keepAlive]) r.socket.destroy();
    }
  }, 90_000);

  it(`holds at most ${MAX_CONNECTIONS} connections: the next request is answered 503 UNAVAILABLE naming the cap and closed, a WebSocket too; once some close, requests are served`, async () => {
    const held: Raw[] = [];
    try {
      for (let i = 0; i < MAX_CONNECTIONS; i++) held.push(await raw());
      // A connection of its own (no pool), as a script's first request would come.
      const o = await new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: host.port, path: '/api/sessions', agent: false, headers: { authorization: `Bearer ${host.token}` } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(o.status).toBe(503);
      expect(o.headers).toMatchObject({ connection: 'close', 'retry-after': '1' });
      expect(JSON.parse(o.text)).toEqual({ error: { code: 'UNAVAILABLE', message: `too many connections: the host serves at most ${MAX_CONNECTIONS} at once (HTTP and WebSocket together); close idle ones or share a keep-alive pool` } });
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
      const refused = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
      ws.terminate();
      expect(refused).toBe(503);
      for (const r of held.splice(0, 10)) r.socket.destroy();
      await new Promise((r) => setTimeout(r, 200));
      expect((await http(host, 'GET', '/api/sessions')).status).toBe(200);
    } finally {
      for (const r of held) r.socket.destroy();
    }
  }, 60_000);
});
