import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost } from './helpers/host.ts';

let host: Awaited<ReturnType<typeof startTestHost>>;
let ws: WebSocket;
const replies = new Map<number, unknown>();
beforeAll(async () => {
  host = await startTestHost();
  ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { id?: number; result?: unknown };
    if (m.id !== undefined) replies.set(m.id, m.result);
  });
  await new Promise((r) => ws.once('open', r));
});
afterAll(async () => {
  ws.terminate();
  await host.dispose();
});

let nextId = 0;
async function call(method: string, params: unknown): Promise<unknown> {
  const id = ++nextId;
  ws.send(JSON.stringify(params === undefined ? { id, method } : { id, method, params }));
  for (let i = 0; i < 200 && !replies.has(id); i++) await new Promise((r) => setTimeout(r, 25));
  return replies.get(id);
}

/**
 * Round 19, outside: a WebSocket call's params that were no array, or more than the method takes, were dropped
 * unseen: `getState` with `{"seq": 1}` or `"x"` answered the live state (seq 100+), not the state at seq 1.
 */
describe('a WebSocket call with params the method cannot take', () => {
  it.each([
    [{ seq: 1 }, 'params of getState must be an array of its arguments (at most 1 argument)'],
    ['x', 'params of getState must be an array of its arguments (at most 1 argument)'],
    [[{ seq: 1 }, { seq: 2 }], 'getState takes at most 1 argument, got 2'],
  ])('getState with %j is BAD_REQUEST naming it', async (params, message) => {
    expect(await call('getState', params)).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message } });
  });

  it('getSessions with [1] is refused; with [] or none it answers', async () => {
    expect(await call('getSessions', [1])).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: 'getSessions takes at most 0 arguments, got 1' } });
    expect(await call('getSessions', [])).toMatchObject({ ok: true });
    expect(await call('getSessions', undefined)).toMatchObject({ ok: true });
  });

  it('getState with [{ seq: 1 }] is the state at seq 1', async () => {
    expect(await call('getState', [{ seq: 1 }])).toMatchObject({ ok: true, value: { session: { id: 1, seq: 1 } } });
  });
});
