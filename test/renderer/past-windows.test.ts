import { describe, expect, it } from 'vitest';
import type { FillView, Result } from '../../contract/api.ts';
import type { FillWindow, FillWindowQuery } from '../../contract/fill-window.ts';
import { DEFAULT_FILL_FILTER } from '../../renderer/lib/fill-query.ts';
import { allMatchingFills, FILL_WINDOW_MARGIN, FillWindowLoader, fillWindowQuery } from '../../renderer/lib/fill-window.ts';
import type { LoadedFillWindow } from '../../renderer/lib/fill-window.ts';
import { createOrdoStore } from '../../renderer/store/store.ts';
import { fill, manualFrames, order, stateView } from './helpers.ts';

/** A host of `n` fills (exec ids 1..n) that answers windows newest first, each call held until released. */
function fakeHost(n: number) {
  const calls: { q: FillWindowQuery; resolve: () => void }[] = [];
  const getFillWindow = (q: FillWindowQuery): Promise<Result<FillWindow>> =>
    new Promise((resolve) => {
      calls.push({
        q,
        resolve: () => {
          const offset = Math.min(q.offset ?? 0, n);
          const fills: FillView[] = [];
          for (let i = offset; i < Math.min(n, offset + (q.limit ?? 200)); i++) fills.push(fill(n - i));
          resolve({ ok: true, value: { session: 1, seq: q.at ?? 1, offset, fills, clients: fills.map((f) => (f.execId % 2 ? 'ALPHA' : 'BRAVO')), total: n, fillCount: n } });
        },
      });
    });
  return { calls, getFillWindow };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the fills blotter window (decision 166)', () => {
  it('asks for the rows in view with a margin, at the past seq when given; drops a reply for an older query', async () => {
    const host = fakeHost(50_000);
    const shown: (LoadedFillWindow | undefined)[] = [];
    const loader = new FillWindowLoader({ getFillWindow: host.getFillWindow, onWindow: (w) => shown.push(w) });
    loader.setQuery(fillWindowQuery(DEFAULT_FILL_FILTER, { key: 'seq', dir: 'desc' }, { at: 4321, session: 2 }));
    loader.setRange(0, 30);
    expect(host.calls).toHaveLength(1);
    expect(host.calls[0]!.q).toMatchObject({ sort: 'seq', dir: 'desc', offset: 0, at: 4321, session: 2 });
    host.calls[0]!.resolve();
    await tick();
    const w = shown.at(-1)!;
    expect(w.total).toBe(50_000);
    expect(w.fillAt(0)?.execId).toBe(50_000);
    expect(w.clientOf(49_999)).toBe('ALPHA');
    expect(w.indexOf(49_990)).toBe(10);
    // Scrolled far: the window around the new rows, with the margin before them.
    loader.setRange(30_000, 30_030);
    expect(host.calls[1]!.q).toMatchObject({ offset: 30_000 - FILL_WINDOW_MARGIN, at: 4321 });
    // A new filter while that call is out: its reply is dropped, and the new query is asked next.
    loader.setQuery(fillWindowQuery({ ...DEFAULT_FILL_FILTER, clientId: 'BRAVO' }, { key: 'price', dir: 'asc' }, { at: 4321, session: 2 }));
    expect(host.calls).toHaveLength(2);
    const before = shown.length;
    host.calls[1]!.resolve();
    await tick();
    expect(shown.length).toBe(before);
    expect(host.calls[2]!.q).toMatchObject({ clientId: 'BRAVO', sort: 'price', dir: 'asc', at: 4321 });
    loader.close();
  });

  it('CSV export reads every matching fill a window at a time, with their clients', async () => {
    const host = fakeHost(4500);
    const done = allMatchingFills(host.getFillWindow, { sort: 'seq', dir: 'desc', at: 9 });
    for (let i = 0; i < 3; i++) {
      await tick();
      host.calls[i]!.resolve();
    }
    const r = await done;
    if (!r.ok) throw new Error(r.message);
    expect(host.calls.map((c) => [c.q.offset, c.q.limit, c.q.at])).toEqual([[0, 2000, 9], [2000, 2000, 9], [4000, 2000, 9]]);
    expect(r.fills.map((f) => f.execId)).toEqual(Array.from({ length: 4500 }, (_, i) => 4500 - i));
    expect(r.clients).toHaveLength(4500);
  });
});

describe('the time machine windows a past state larger than its first page (decision 166)', () => {
  it('marks the view remote when the state says more rows follow, and takes window rows for that seq only', () => {
    const frames = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule });
    store.getState().travelStarted(500);
    store.getState().travelLoaded(500, stateView({ orders: [order(1)], fills: [fill(1)], ordersAfter: 1, fillsAfter: 1, asOfSeq: 500 }), []);
    const view = store.getState().timeMachine.view!;
    expect(view.ordersRemote).toBe(true);
    expect(view.fills.remote).toBe(true);
    store.getState().backfillPast(500, [order(7, { state: 'filled' })]);
    expect(store.getState().timeMachine.view!.orders.byId.get(7)?.state).toBe('filled');
    // The live store is not touched by a past window.
    expect(store.getState().orders.byId.has(7)).toBe(false);
    // A window for a seq the time machine has left is dropped.
    store.getState().backfillPast(499, [order(8)]);
    expect(store.getState().timeMachine.view!.orders.byId.has(8)).toBe(false);
    // A small past state is shown whole, as before.
    store.getState().travelStarted(20);
    store.getState().travelLoaded(20, stateView({ orders: [order(1)], fills: [fill(1)], asOfSeq: 20 }), []);
    expect(store.getState().timeMachine.view!.ordersRemote).toBeUndefined();
    expect(store.getState().timeMachine.view!.fills.remote).toBeUndefined();
  });

  it('a live reset with only the newest fills makes the fills blotter remote; one with every fill does not', () => {
    const frames = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule });
    store.getState().enqueue({ reset: stateView({ fills: [fill(9), fill(10)], fillCount: 10, fillsShown: 2 }) });
    frames.run();
    expect(store.getState().fills.remote).toBe(true);
    // Kept by merges of pushed fills.
    store.getState().enqueue({ fills: [fill(11)] });
    frames.run();
    expect(store.getState().fills.remote).toBe(true);
    store.getState().enqueue({ reset: stateView({ fills: [fill(1), fill(2)], fillCount: 2, fillsShown: 2 }) });
    frames.run();
    expect(store.getState().fills.remote).toBeUndefined();
  });
});
