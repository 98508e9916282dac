import { describe, expect, it } from 'vitest';
import type { OrderView, Result } from '../../contract/api.ts';
import type { OrderWindow, OrderWindowQuery } from '../../contract/order-window.ts';
import { DEFAULT_ORDER_FILTER } from '../../renderer/lib/order-query.ts';
import { loadedWindow, OrderWindowLoader, spanBounds, spanSelection, WINDOW_MARGIN, windowQuery } from '../../renderer/lib/order-window.ts';
import type { LoadedWindow } from '../../renderer/lib/order-window.ts';
import { createOrdoStore } from '../../renderer/store/store.ts';
import { manualFrames, order, stateView } from './helpers.ts';

/** A host of `n` orders (ids 1..n) that answers windows newest first, each call held until released. */
function fakeHost(n: number) {
  const calls: { q: OrderWindowQuery; resolve: () => void }[] = [];
  const getOrderWindow = (q: OrderWindowQuery): Promise<Result<OrderWindow>> =>
    new Promise((resolve) => {
      calls.push({
        q,
        resolve: () => {
          const offset = Math.min(q.offset ?? 0, n);
          const orders: OrderView[] = [];
          for (let i = offset; i < Math.min(n, offset + (q.limit ?? 200)); i++) orders.push(order(n - i, q.symbol ? { symbol: q.symbol } : {}));
          resolve({ ok: true, value: { session: 1, seq: 1, offset, orders, total: n, orderCount: n, working: 7 } });
        },
      });
    });
  return { calls, getOrderWindow };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the blotter window in remote mode (decision 150)', () => {
  it('asks for the rows in view with a margin, one call in flight, and drops a reply for an older filter', async () => {
    const host = fakeHost(100_000);
    const applied: number[][] = [];
    const shown: (LoadedWindow | undefined)[] = [];
    const loader = new OrderWindowLoader({ getOrderWindow: host.getOrderWindow, applyRows: (o) => applied.push(o.map((x) => x.orderId)), onWindow: (w) => shown.push(w) });
    loader.setQuery(windowQuery(DEFAULT_ORDER_FILTER, { key: 'createdTs', dir: 'desc' }));
    loader.setRange(0, 30);
    expect(host.calls).toHaveLength(1);
    expect(host.calls[0]!.q).toMatchObject({ sort: 'createdTs', dir: 'desc', offset: 0 });
    host.calls[0]!.resolve();
    await tick();
    // The first window reaches WINDOW_MARGIN rows past the view: rows 0..30 need no second call.
    expect(host.calls).toHaveLength(1);
    const w = shown.at(-1)!;
    expect(w.total).toBe(100_000);
    expect(w.working).toBe(7);
    expect(w.idAt(0)).toBe(100_000);
    expect(w.indexOf(99_990)).toBe(10);
    expect(applied.at(-1)![0]).toBe(100_000);
    // Rows still in the window: no call.
    loader.setRange(10, 40);
    expect(host.calls).toHaveLength(1);
    // The middle of the list: a window around it.
    loader.setRange(50_000, 50_030);
    expect(host.calls).toHaveLength(2);
    expect(host.calls[1]!.q.offset).toBe(50_000 - WINDOW_MARGIN);
    // A new filter while that call is out: its reply is not shown, the new filter's is.
    loader.setQuery(windowQuery({ ...DEFAULT_ORDER_FILTER, symbol: 'MSFT' }, { key: 'symbol', dir: 'asc' }));
    const before = shown.length;
    host.calls[1]!.resolve();
    await tick();
    expect(shown.length).toBe(before);
    expect(host.calls).toHaveLength(3);
    expect(host.calls[2]!.q).toMatchObject({ symbol: 'MSFT', sort: 'symbol', dir: 'asc' });
    host.calls[2]!.resolve();
    await tick();
    expect(shown.at(-1)!.idAt(50_000)).toBe(50_000);
    loader.close();
  });

  it('a reset that carries only the newest orders switches the blotter to remote; a whole one keeps it local', () => {
    const frames = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule });
    store.getState().enqueue({ reset: { ...stateView({ orders: [order(3), order(2)] }), orderCount: 1_000_000, ordersShown: 2 } });
    frames.run();
    expect(store.getState().orderSource).toEqual({ remote: true, orderCount: 1_000_000 });
    store.getState().enqueue({ reset: { ...stateView({ orders: [order(1)] }), orderCount: 1, ordersShown: 1 } });
    frames.run();
    expect(store.getState().orderSource.remote).toBe(false);
    // A reset from an older host (no counts): local.
    store.getState().enqueue({ reset: stateView({ orders: [order(1)] }) });
    frames.run();
    expect(store.getState().orderSource.remote).toBe(false);
  });
});

describe('a span of the host list (decision 164)', () => {
  const win = (offset: number, ids: number[]) => loadedWindow('k', { session: 1, seq: 1, offset, orders: ids.map((id) => order(id)), total: 1000, orderCount: 1000, working: 0 });

  it('covers every row for "all", and the rows between its ends where the window holds them, else where they were seen', () => {
    expect(spanBounds({ key: 'k', all: true, from: 0, to: 0 }, undefined, 1000)).toEqual({ lo: 0, hi: 999 });
    expect(spanBounds({ key: 'k', all: true, from: 0, to: 0 }, undefined, 0)).toBeUndefined();
    const s = { key: 'k', all: false, fromId: 900, toId: 10, from: 100, to: 990 };
    // Neither end loaded: the rows they were seen at, in either order.
    expect(spanBounds(s, win(0, [1000, 999]), 1000)).toEqual({ lo: 100, hi: 990 });
    // Two orders arrived on top: the loaded end moved down two rows with its order.
    expect(spanBounds(s, win(100, [901, 902, 900]), 1000)).toEqual({ lo: 102, hi: 990 });
    // Ends past the list are held to its last row.
    expect(spanBounds({ ...s, to: 5000 }, undefined, 1000)).toEqual({ lo: 100, hi: 999 });
  });

  it('asks the host by filter for "all", by its two orders (and their rows) for a range', () => {
    const q = { state: 'open' as const, clientId: 'ALPHA', sort: 'createdTs' as const, dir: 'desc' as const, offset: 40, limit: 300 };
    expect(spanSelection({ key: 'k', all: true, from: 0, to: 9 }, undefined, q, 1000)).toEqual({ state: 'open', clientId: 'ALPHA', sort: 'createdTs', dir: 'desc' });
    expect(spanSelection({ key: 'k', all: false, fromId: 900, toId: 10, from: 100, to: 990 }, win(100, [901, 902, 900]), q, 1000)).toEqual({
      state: 'open', clientId: 'ALPHA', sort: 'createdTs', dir: 'desc', fromId: 900, toId: 10, from: 102, to: 990,
    });
  });
});
