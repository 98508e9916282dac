import { Agent, request, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import { KEEP_ALIVE_MS } from '../../engine/host/http/server.ts';
import { orderFor } from './helpers/http.ts';
import { tempDir } from './helpers/procs.ts';

// Decision 184: a script's pooled keep-alive connection, idle longer than Node's default 5 s, must still take
// its next order (the host used to close it just as the client reused it: the order was reset, ECONNRESET).

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

/** One request on `agent`; resolves with the status, the body and whether it went over a reused connection. */
function call(h: Host, agent: Agent, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req: ClientRequest = request(
      { host: '127.0.0.1', port: h.port, method, path, agent, headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json', ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, reused: req.reusedSocket }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('HTTP keep-alive (decision 184)', () => {
  it('a connection idle longer than Node\'s default 5 s still takes the next order, on the same socket', async () => {
    host = await startHost({ dataDir: join(tempDir(), 'data'), port: 0, venueTickMs: 0 });
    expect(KEEP_ALIVE_MS).toBeGreaterThan(5_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await call(host, agent, 'POST', '/api/orders', orderFor('keepalive', 1, 'day'));
      expect(first.status, first.text).toBe(200);
      // Idle past Node's default keep-alive timeout (5 s). A wait to make the condition, not a timed assertion:
      // had the host closed the connection, the agent would have dropped it and opened a new one.
      await new Promise((r) => setTimeout(r, 6_500));
      const second = await call(host, agent, 'POST', '/api/orders', orderFor('keepalive', 2, 'day'));
      expect(second.status, second.text).toBe(200);
      expect(second.reused).toBe(true);
    } finally {
      agent.destroy();
    }
  }, 60_000);
});
