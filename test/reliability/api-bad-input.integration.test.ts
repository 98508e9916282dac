import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import { record } from './helpers/figures.ts';
import { Api, http, orderFor } from './helpers/http.ts';
import { auditLog } from './helpers/log-checks.ts';
import { cleanupAll, tempDir } from './helpers/procs.ts';

let host: Host;
let api: Api;
let dataDir: string;
beforeAll(async () => {
  dataDir = join(tempDir(), 'data');
  host = await startHost({ dataDir, port: 0, venueTickMs: 0 });
  api = new Api(host.port, host.token);
  // One good order first, so the order routes below have something real to aim at.
  expect((await api.call('POST', '/api/orders', orderFor('ok', 1))).status).toBe(200);
  await new Promise((r) => setTimeout(r, 200));
});
afterAll(async () => {
  await host.close();
  await cleanupAll();
});

/** The log's head, from the sequencer and from the file. */
function head(): { seq: number; stored: number; events: number } {
  const a = auditLog(dataDir);
  return { seq: host.sequencer.position.seq, stored: a.sessions.at(-1)!.lastSeq, events: a.events.get(1)!.length };
}

const base = { clientId: 'ALPHA', clientOrderId: 'bad-1', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 10, price: 228.4, timeInForce: 'day' };
const json = (o: unknown) => JSON.stringify(o);
const withField = (k: string, raw: string) => json({ ...base, [k]: '§' }).replace('"§"', raw);

/** [name, method, path, body, expected status, options] */
const HTTP_CASES: [string, string, string, string | Buffer | undefined, number, { chunked?: boolean }?][] = [
  ['malformed JSON', 'POST', '/api/orders', '{"clientId":', 400],
  ['JSON array', 'POST', '/api/orders', '[]', 400],
  ['JSON string', 'POST', '/api/orders', '"order"', 400],
  ['JSON null', 'POST', '/api/orders', 'null', 400],
  ['empty body', 'POST', '/api/orders', '', 400],
  ['invalid UTF-8', 'POST', '/api/orders', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 400],
  ['quantity as string', 'POST', '/api/orders', json({ ...base, quantity: '10' }), 400],
  ['quantity negative', 'POST', '/api/orders', json({ ...base, quantity: -10 }), 400],
  ['quantity zero', 'POST', '/api/orders', json({ ...base, quantity: 0 }), 400],
  ['quantity fractional', 'POST', '/api/orders', json({ ...base, quantity: 1.5 }), 400],
  ['quantity 1e999 (Infinity)', 'POST', '/api/orders', withField('quantity', '1e999'), 400],
  ['quantity NaN literal', 'POST', '/api/orders', withField('quantity', 'NaN'), 400],
  ['quantity above 2^53', 'POST', '/api/orders', withField('quantity', '9007199254740993'), 400],
  ['price negative', 'POST', '/api/orders', json({ ...base, price: -1 }), 400],
  ['price zero', 'POST', '/api/orders', json({ ...base, price: 0 }), 400],
  ['price -1e999 (-Infinity)', 'POST', '/api/orders', withField('price', '-1e999'), 400],
  ['price Infinity literal', 'POST', '/api/orders', withField('price', 'Infinity'), 400],
  ['price as object', 'POST', '/api/orders', json({ ...base, price: { valueOf: 1 } }), 400],
  ['unknown field', 'POST', '/api/orders', json({ ...base, account: 'X' }), 400],
  ['__proto__ field', 'POST', '/api/orders', json(base).replace('{', '{"__proto__":{"admin":true},'), 400],
  ['missing field', 'POST', '/api/orders', json({ ...base, side: undefined }), 400],
  ['bad enum', 'POST', '/api/orders', json({ ...base, side: 'short' }), 400],
  ['market order with price', 'POST', '/api/orders', json({ ...base, orderType: 'market', timeInForce: 'ioc' }), 400],
  ['order type under its old key', 'POST', '/api/orders', json({ ...(({ orderType: _t, ...rest }) => rest)(base), type: 'limit' }), 400],
  ['clientOrderId too long', 'POST', '/api/orders', json({ ...base, clientOrderId: 'x'.repeat(65) }), 400],
  ['clientOrderId with a space', 'POST', '/api/orders', json({ ...base, clientOrderId: 'a b' }), 400],
  ['deeply nested JSON', 'POST', '/api/orders', '['.repeat(20_000) + ']'.repeat(20_000), 400],
  ['body over 64 KiB (declared)', 'POST', '/api/orders', json({ ...base, pad: 'x'.repeat(70_000) }), 413],
  ['body over 64 KiB (chunked)', 'POST', '/api/orders', json({ ...base, pad: 'x'.repeat(100_000) }), 413, { chunked: true }],
  ['body of 4 MiB (chunked)', 'POST', '/api/orders', 'x'.repeat(4 << 20), 413, { chunked: true }],
  ['cancel: id not a number', 'POST', '/api/orders/abc/cancel', undefined, 400],
  ['cancel: id negative', 'POST', '/api/orders/-1/cancel', undefined, 400],
  ['cancel: id 1e3', 'POST', '/api/orders/1e3/cancel', undefined, 400],
  ['cancel: unknown order', 'POST', '/api/orders/999999/cancel', undefined, 404],
  ['cancel: body over 64 KiB', 'POST', '/api/orders/1/cancel', 'x'.repeat(70_000), 413],
  ['replace: NaN price', 'POST', '/api/orders/1/replace', '{"quantity":5,"price":NaN}', 400],
  ['replace: negative quantity', 'POST', '/api/orders/1/replace', json({ quantity: -5, price: 1 }), 400],
  ['replace: unknown field', 'POST', '/api/orders/1/replace', json({ quantity: 5, price: 228.4, x: 1 }), 400],
  ['component id with bad %-escape', 'POST', '/api/components/%ZZ/activate', undefined, 400],
  ['component id too long', 'POST', `/api/components/${'r'.repeat(100)}/activate`, undefined, 400],
  ['component not heard of', 'POST', '/api/components/nobody-1/activate', undefined, 404],
  ['events: from not a number', 'GET', '/api/events?from=abc', undefined, 400],
  ['events: limit too big', 'GET', '/api/events?limit=100000', undefined, 400],
  ['events: unknown parameter', 'GET', '/api/events?evil=1', undefined, 400],
  ['state: at negative', 'GET', '/api/state?at=-1', undefined, 400],
  ['state: at beyond the log', 'GET', '/api/state?at=99999999', undefined, 400],
  ['state: at 2^64', 'GET', '/api/state?at=18446744073709551616', undefined, 400],
  ['cancel selection: half a range', 'POST', '/api/order-window/cancel', json({ fromId: 3 }), 400],
  ['cancel selection: dryRun not a boolean', 'POST', '/api/order-window/cancel', json({ dryRun: 'yes' }), 400],
  ['cancel selection: unknown field', 'POST', '/api/order-window/cancel', json({ all: true }), 400],
  ['cancel selection: ends not in the list, no rows', 'POST', '/api/order-window/cancel', json({ fromId: 999_999, toId: 999_998, dryRun: true }), 404],
  ['unknown route', 'GET', '/api/nothing', undefined, 404],
  ['wrong method', 'PUT', '/api/orders', json(base), 405],
  ['static file with bad %-escape', 'GET', '/%E0%A4%A', undefined, 400],
  ['static path traversal', 'GET', '/..%2f..%2fetc%2fpasswd', undefined, 404],
];

describe('HTTP API: malformed, mistyped, oversized and out-of-range input', () => {
  it('answers each with a 4xx and a message naming the problem, and the log does not change', async () => {
    const before = head();
    const results: string[] = [];
    for (const [name, method, path, body, status, opts] of HTTP_CASES) {
      const r = await http({
        port: host.port,
        method,
        path,
        headers: { authorization: `Bearer ${host.token}`, host: `127.0.0.1:${host.port}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body } : {}),
        ...(opts?.chunked ? { chunked: true } : {}),
      }).catch((err: Error) => ({ status: -1, text: err.message, json: undefined, headers: {} }));
      results.push(`${r.status} ${name}`);
      expect(r.status, `${name}: ${r.text.slice(0, 200)}`).toBe(status);
      const error = (r.json as { error?: { code: string; message: string } } | undefined)?.error;
      expect(error?.code, name).toMatch(/^[A-Z_]+$/);
      expect(error?.message.length, name).toBeGreaterThan(5);
    }
    // A good request still works after all that, and nothing bad reached the log.
    const after = head();
    expect(after).toEqual(before);
    expect((await api.call('GET', '/api/state')).status).toBe(200);
    record('api-bad-input-http', { cases: HTTP_CASES.length, logBefore: before.seq, logAfter: after.seq });
  }, 60_000);
});

/** A WebSocket client speaking the wire protocol; collects replies by id. */
async function wsClient(): Promise<{ ws: WebSocket; call(raw: string): Promise<{ id: number; result: { ok: boolean; error?: { code: string; message: string } } }>; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { headers: { origin: `http://127.0.0.1:${host.port}` } });
  const replies: { id: number; result: { ok: boolean; error?: { code: string; message: string } } }[] = [];
  const waiting: (() => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { id?: number; result?: { ok: boolean } };
    if (m.id !== undefined) replies.push(m as (typeof replies)[number]);
    for (const w of waiting.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    closed,
    async call(raw) {
      const n = replies.length;
      ws.send(raw);
      while (replies.length === n) await new Promise<void>((r) => waiting.push(r));
      return replies[n]!;
    },
  };
}

describe('WebSocket API: malformed and mistyped calls', () => {
  it('answers each with an error naming the problem, closes on an oversized frame, and the log does not change', async () => {
    const before = head();
    const c = await wsClient();
    const bad: [string, string, string][] = [
      ['not JSON', '{"id":1,', 'BAD_REQUEST'],
      ['no id', json({ method: 'getState', params: [] }), 'BAD_REQUEST'],
      ['id a string', json({ id: '1', method: 'getState', params: [] }), 'BAD_REQUEST'],
      ['unknown method', json({ id: 2, method: 'dropTables', params: [] }), 'NOT_FOUND'],
      ['params not a list', json({ id: 3, method: 'submitOrder', params: base }), 'BAD_REQUEST'],
      ['quantity negative', json({ id: 4, method: 'submitOrder', params: [{ ...base, quantity: -1 }] }), 'BAD_REQUEST'],
      ['quantity 1e999', `{"id":5,"method":"submitOrder","params":[${withField('quantity', '1e999')}]}`, 'BAD_REQUEST'],
      ['price NaN', `{"id":6,"method":"submitOrder","params":[${withField('price', 'NaN')}]}`, 'BAD_REQUEST'],
      ['unknown field', json({ id: 7, method: 'submitOrder', params: [{ ...base, account: 'X' }] }), 'BAD_REQUEST'],
      ['cancel id a string', json({ id: 8, method: 'cancelOrder', params: ['1'] }), 'BAD_REQUEST'],
      ['replace Infinity', `{"id":9,"method":"replaceOrder","params":[1,{"quantity":1,"price":1e999}]}`, 'BAD_REQUEST'],
      ['component action unknown', json({ id: 10, method: 'componentAction', params: ['risk-1', 'explode'] }), 'BAD_REQUEST'],
      ['getState at negative', json({ id: 11, method: 'getState', params: [{ seq: -1 }] }), 'BAD_REQUEST'],
      ['getEvents limit huge', json({ id: 12, method: 'getEvents', params: [{ limit: 1e9 }] }), 'BAD_REQUEST'],
    ];
    for (const [name, raw, code] of bad) {
      const r = await c.call(raw);
      expect(r.result.ok, name).toBe(false);
      expect(r.result.error?.code, name).toBe(code);
      expect(r.result.error?.message.length, name).toBeGreaterThan(5);
    }
    const ok = await c.call(json({ id: 99, method: 'getState', params: [] }));
    expect(ok.result.ok).toBe(true);
    // Over 64 KiB: the server closes the socket (1009, message too big); the host goes on.
    c.ws.send(json({ id: 100, method: 'submitOrder', params: [{ ...base, pad: 'x'.repeat(70_000) }] }));
    const closed = await c.closed;
    expect(closed.code).toBe(1009);
    const again = await wsClient();
    expect((await again.call(json({ id: 1, method: 'getState', params: [] }))).result.ok).toBe(true);
    again.ws.close();
    expect(head()).toEqual(before);
    record('api-bad-input-ws', { cases: bad.length + 1, closeCodeOversized: closed.code });
  }, 30_000);
});
