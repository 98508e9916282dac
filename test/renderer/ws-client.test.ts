import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StateUpdate } from '../../contract/api.ts';
import { backoffDelay } from '../../contract/backoff.ts';
import type { ConnectionInfo } from '../../renderer/api/connection.ts';
import { wsUrlFromLocation } from '../../renderer/api/url.ts';
import { createWsApi } from '../../renderer/api/ws-client.ts';
import { FakeSocket } from './fake-socket.ts';
import { order, stateView } from './helpers.ts';

function setup(callTimeoutMs = 30_000) {
  const sockets: FakeSocket[] = [];
  const api = createWsApi({
    url: 'ws://127.0.0.1:9/ws?token=t',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    backoff: (attempt) => 100 * 2 ** attempt,
    callTimeoutMs,
  });
  const states: ConnectionInfo[] = [];
  api.connection.subscribe((i) => states.push(i));
  const socket = (): FakeSocket => sockets[sockets.length - 1] as FakeSocket;
  return { api, sockets, socket, states };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('WebSocket client', () => {
  it('connects to the URL and reports the connection', () => {
    const { api, socket, states } = setup();
    expect(socket().url).toBe('ws://127.0.0.1:9/ws?token=t');
    expect(api.connection.get().status).toBe('connecting');
    socket().open();
    expect(states.at(-1)?.status).toBe('open');
  });

  it('gives every call its own id and resolves each with its own reply', async () => {
    const { api, socket } = setup();
    socket().open();
    const a = api.cancelOrder(7);
    const b = api.getState({ seq: 12 });
    const [ca, cb] = socket().sent;
    expect(ca).toMatchObject({ method: 'cancelOrder', params: [7] });
    expect(cb).toMatchObject({ method: 'getState', params: [{ seq: 12 }] });
    expect(ca?.id).not.toBe(cb?.id);
    socket().reply(cb!.id, { ok: false, error: { code: 'BAD_REQUEST', message: 'seq out of range' } });
    socket().reply(ca!.id, { ok: true, value: { orderId: 7 } });
    socket().reply(ca!.id, { ok: true, value: { orderId: 999 } }); // a duplicate reply is ignored
    expect(await a).toEqual({ ok: true, value: { orderId: 7 } });
    expect(await b).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: 'seq out of range' } });
  });

  it('sends getState without params for the live state', () => {
    const { api, socket } = setup();
    socket().open();
    void api.getState();
    expect(socket().last()).toMatchObject({ method: 'getState', params: [] });
  });

  it('answers UNAVAILABLE at once while disconnected, and never queues an order', async () => {
    const { api, socket } = setup();
    const r = await api.submitOrder({ clientId: 'A', clientOrderId: 'x', symbol: 'AAPL', side: 'buy', orderType: 'market', quantity: 1, timeInForce: 'ioc' });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    socket().open();
    expect(socket().sent).toEqual([]);
  });

  it('fails calls in flight when the socket drops', async () => {
    const { api, socket } = setup();
    socket().open();
    const p = api.cancelOrder(1);
    socket().drop(1006);
    expect(await p).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });

  it('times out a call without a reply', async () => {
    const { api, socket } = setup(1000);
    socket().open();
    const p = api.openSession();
    vi.advanceTimersByTime(1001);
    expect(await p).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
  });

  it('subscribes once open and fans pushes out to every listener', () => {
    const { api, socket } = setup();
    const got1: StateUpdate[] = [];
    api.subscribe((u) => got1.push(u));
    expect(socket().sent).toEqual([]); // not open yet
    socket().open();
    expect(socket().sent.map((c) => c.method)).toEqual(['subscribe']);
    socket().push({ reset: stateView() });
    socket().push({ orders: [order(1)] });
    expect(got1.map((u) => Object.keys(u))).toEqual([['reset'], ['orders']]);
    const unsub = api.subscribe(() => {});
    unsub();
    socket().push({ orders: [order(2)] });
    expect(got1).toHaveLength(3);
  });

  it('reconnects with growing backoff, shows it, and subscribes again', () => {
    const { api, sockets, socket, states } = setup();
    api.subscribe(() => {});
    socket().open();
    socket().drop(1006);
    expect(api.connection.get()).toMatchObject({ status: 'disconnected', attempt: 1 });
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(2);
    socket().drop(1006); // the attempt fails
    expect(api.connection.get()).toMatchObject({ status: 'disconnected', attempt: 2 });
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    socket().open();
    expect(api.connection.get()).toMatchObject({ status: 'open', attempt: 0 });
    expect(socket().sent.map((c) => c.method)).toEqual(['subscribe']);
    expect(states.map((s) => s.status)).toEqual(['open', 'disconnected', 'disconnected', 'open']);
  });

  it('a late listener gets a reset of its own from getState', async () => {
    const { api, socket } = setup();
    api.subscribe(() => {});
    socket().open();
    const late: StateUpdate[] = [];
    api.subscribe((u) => late.push(u));
    const call = socket().last();
    expect(call.method).toBe('getState');
    socket().reply(call.id, { ok: true, value: stateView() });
    await vi.runAllTimersAsync();
    expect(late.map((u) => Object.keys(u))).toEqual([['reset']]);
  });

  it('close() stops reconnecting', () => {
    const { api, sockets, socket } = setup();
    socket().open();
    api.close();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });
});

describe('URL and backoff', () => {
  it('builds the socket URL from the page location and its token', () => {
    expect(wsUrlFromLocation({ protocol: 'http:', host: '127.0.0.1:5178', search: '?token=ab%2Bc&x=1' })).toBe('ws://127.0.0.1:5178/ws?token=ab%2Bc');
    expect(wsUrlFromLocation({ protocol: 'https:', host: 'h', search: '' })).toBe('wss://h/ws?token=');
  });

  it('grows exponentially with jitter up to a cap', () => {
    expect(backoffDelay(0, 250, 5000, () => 0.5)).toBe(250);
    expect(backoffDelay(3, 250, 5000, () => 0.5)).toBe(2000);
    expect(backoffDelay(10, 250, 5000, () => 1)).toBe(5000);
    expect(backoffDelay(0, 250, 5000, () => 0)).toBe(200);
  });
});
