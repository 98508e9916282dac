import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StateUpdate } from '../../contract/api.ts';
import { WireConnection, type WireStatus } from '../../contract/wire-connection.ts';
import { FakeSocket } from './fake-socket.ts';

/**
 * The connection both WebSocket clients share (contract/wire-connection.ts),
 * driven through a fake socket: the browser's client and Electron main's
 * differ only in the socket, the backoff and what they do with pushes.
 */

function setup(opts: { createThrows?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const pushes: StateUpdate[] = [];
  const statuses: WireStatus[] = [];
  const delays: number[] = [];
  let undecodable = 0;
  let throwsLeft = opts.createThrows ?? 0;
  const conn = new WireConnection({
    url: 'ws://127.0.0.1:9/ws?token=t',
    createSocket: () => {
      if (throwsLeft-- > 0) throw new Error('bad url');
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    peer: 'the test host',
    callTimeoutMs: 1_000,
    backoff: (attempt) => {
      const d = 100 * 2 ** attempt;
      delays.push(d);
      return d;
    },
    onPush: (u) => pushes.push(u),
    onStatus: (s) => statuses.push(s),
    onUndecodable: () => undecodable++,
    now: () => 1_000_000,
  });
  const socket = (): FakeSocket => sockets[sockets.length - 1]!;
  return { conn, sockets, socket, pushes, statuses, delays, undecodable: () => undecodable };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('WireConnection (shared by the renderer and Electron clients)', () => {
  it('subscribes once open, and again on every socket after a reconnect; unsubscribe stops that', () => {
    const { conn, sockets, socket } = setup();
    conn.subscribe();
    conn.start();
    expect(socket().sent).toEqual([]); // not open yet: onopen subscribes
    socket().open();
    expect(socket().methods()).toEqual(['subscribe']);
    socket().fail();
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(2);
    socket().open();
    expect(socket().methods()).toEqual(['subscribe']);
    conn.unsubscribe();
    socket().fail();
    vi.advanceTimersByTime(100);
    socket().open();
    expect(sockets).toHaveLength(3);
    expect(socket().sent).toEqual([]);
  });

  it('resolves a call with its reply, UNAVAILABLE at once while down, UNAVAILABLE for calls in flight on a drop', async () => {
    const { conn, socket } = setup();
    const early = await conn.call('getState', []);
    expect(early).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'Not connected to the test host' } });
    conn.start();
    socket().open();
    const a = conn.call('getState', []);
    const b = conn.call('cancelOrder', [7]);
    const [ca, cb] = socket().sent;
    expect(ca!.id).not.toBe(cb!.id);
    socket().reply(cb!.id, { ok: true, value: 'b' });
    await expect(b).resolves.toEqual({ ok: true, value: 'b' });
    socket().fail('connect ECONNREFUSED 127.0.0.1:9');
    const lost = await a;
    expect(lost.ok).toBe(false);
    if (!lost.ok) {
      expect(lost.error.code).toBe('UNAVAILABLE');
      expect(lost.error.message).toBe('Connection to the test host lost (code 1006: connect ECONNREFUSED 127.0.0.1:9); the outcome will show once reconnected');
    }
  });

  it('times out a call without a reply', async () => {
    const { conn, socket } = setup();
    conn.start();
    socket().open();
    const c = conn.call('getState', []);
    vi.advanceTimersByTime(1_000);
    const r = await c;
    expect(!r.ok && r.error.code).toBe('TIMEOUT');
  });

  it('counts failed attempts for the backoff and starts over after a socket that opened', () => {
    const { conn, socket, statuses, delays } = setup();
    conn.start();
    socket().fail();
    expect(statuses.at(-1)).toEqual({ status: 'disconnected', attempt: 1, retryAt: 1_000_100, detail: 'code 1006' });
    vi.advanceTimersByTime(100);
    socket().fail();
    expect(statuses.at(-1)).toMatchObject({ status: 'disconnected', attempt: 2, retryAt: 1_000_200 });
    vi.advanceTimersByTime(200);
    socket().open();
    expect(statuses.at(-1)).toEqual({ status: 'open', attempt: 0 });
    socket().fail();
    expect(delays).toEqual([100, 200, 100]);
  });

  it('retries a socket that cannot even be made, naming why', () => {
    const { conn, sockets, statuses } = setup({ createThrows: 1 });
    conn.start();
    expect(sockets).toHaveLength(0);
    expect(statuses.at(-1)).toMatchObject({ status: 'disconnected', attempt: 1, detail: 'bad url' });
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(1);
  });

  it('hands pushes on, reports an undecodable message without throwing, and ignores a reply nobody waits for', () => {
    const { conn, socket, pushes, undecodable } = setup();
    conn.start();
    socket().open();
    socket().onmessage?.({ data: JSON.stringify({ push: { seq: 5 } }) });
    socket().onmessage?.({ data: 'not json' });
    socket().reply(999, { ok: true, value: null });
    expect(pushes).toEqual([{ seq: 5 }]);
    expect(undecodable()).toBe(1);
  });

  it('shows a subscribe the host refused in the status detail', async () => {
    const { conn, socket, statuses } = setup();
    conn.start();
    socket().open();
    conn.subscribe();
    socket().reply(socket().last().id, { ok: false, error: { code: 'FORBIDDEN', message: 'no pushes for you' } });
    await vi.runAllTicks();
    await Promise.resolve();
    expect(statuses.at(-1)).toEqual({ status: 'open', attempt: 0, detail: 'subscribe failed: no pushes for you' });
  });

  it('close() fails calls in flight, closes the socket and stops reconnecting', async () => {
    const { conn, sockets, socket } = setup();
    conn.start();
    socket().open();
    const c = conn.call('getState', []);
    conn.close('Client closed');
    const r = await c;
    expect(r).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'Client closed' } });
    expect(socket().closedWith).toEqual([1000, 'Client closed']);
    expect(conn.connected).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(sockets).toHaveLength(1);
  });
});
