import { describe, expect, it } from 'vitest';
import type { EventLine, EventQuery, OrderView, Result, StateUpdate, StateView } from '../../contract/api.ts';
import type { ClientApi, ConnectionInfo } from '../../renderer/api/connection.ts';
import { bindStore, EVENT_TAIL, travelTo } from '../../renderer/store/bind.ts';
import { selectOrders } from '../../renderer/store/selectors.ts';
import { createOrdoStore } from '../../renderer/store/store.ts';
import { manualFrames, order, stateView } from './helpers.ts';

/** An API whose replies the test releases by hand. */
function fakeApi() {
  const listeners = new Set<(u: StateUpdate) => void>();
  const connListeners = new Set<(i: ConnectionInfo) => void>();
  const eventQueries: EventQuery[] = [];
  const stateCalls: { at: unknown; resolve: (r: Result<StateView>) => void }[] = [];
  let conn: ConnectionInfo = { status: 'connecting', attempt: 0, transport: 'ws' };
  const never = <T>(): Promise<T> => new Promise<T>(() => {});
  const api: ClientApi = {
    submitOrder: never,
    cancelOrder: never,
    replaceOrder: never,
    openSession: never,
    closeSession: never,
    rollSession: never,
    componentAction: never,
    restartComponent: never,
    addStandby: never,
    getOrderHistory: never,
    searchEvents: never,
    getSessions: never,
    getTimeline: never,
    getOrders: never,
    getOrderWindow: never,
    getFillWindow: never,
    cancelSelection: never,
    getFills: never,
    getPositions: never,
    getRisk: never,
    getFixSessions: never,
    haltClient: never,
    resumeClient: never,
    haltFirm: never,
    resumeFirm: never,
    setLimits: never,
    setRestricted: never,
    getState: (at) => new Promise((resolve) => stateCalls.push({ at, resolve })),
    getEvents: (q) => {
      eventQueries.push(q);
      const lines: EventLine[] = [{ session: 1, seq: q.to ?? 100, ts: 1, type: 'OrderAccepted', src: 'risk-1', cseq: 1 }];
      return Promise.resolve({ ok: true, value: lines });
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    connection: {
      get: () => conn,
      subscribe: (l) => {
        connListeners.add(l);
        return () => connListeners.delete(l);
      },
    },
    close: () => {},
  };
  return {
    api,
    eventQueries,
    stateCalls,
    push: (u: StateUpdate) => listeners.forEach((l) => l(u)),
    setConn: (c: ConnectionInfo) => {
      conn = c;
      connListeners.forEach((l) => l(c));
    },
    listenerCount: () => listeners.size,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('bindStore', () => {
  it('feeds pushes through the frame buffer and loads the event tail after each reset', async () => {
    const f = fakeApi();
    const frames = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule });
    const unbind = bindStore(f.api, store);
    expect(store.getState().connection.status).toBe('connecting');
    f.setConn({ status: 'open', attempt: 0, transport: 'ws' });
    expect(store.getState().connection.status).toBe('open');

    f.push({ reset: stateView({ orders: [order(1)] }) });
    expect(f.eventQueries).toEqual([{ limit: EVENT_TAIL }]);
    await tick();
    frames.run();
    expect(store.getState().orders.byId.size).toBe(1);
    expect(store.getState().events.list.map((e) => e.seq)).toEqual([100]);

    f.push({ orders: [order(2)] });
    expect(f.eventQueries).toHaveLength(1);
    frames.run();
    expect(store.getState().orders.byId.size).toBe(2);

    unbind();
    expect(f.listenerCount()).toBe(0);
  });

  it('pages in the orders and fills a reset left out, after the buffered pushes, without toasts; a newer reset stops it', async () => {
    const f = fakeApi();
    const pages: { after: number | undefined; resolve: (r: Result<{ items: OrderView[]; next?: number }>) => void }[] = [];
    f.api.getOrders = (q) => new Promise((resolve) => pages.push({ after: q.after, resolve }));
    f.api.getFills = () => Promise.resolve({ ok: true, value: { items: [{ execId: 9, orderId: 3, symbol: 'AAPL', side: 'buy', quantity: 1, price: 1, seq: 30, ts: 1 }] } });
    const frames = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule, visible: () => true });
    bindStore(f.api, store);
    f.push({ reset: { ...stateView({ orders: [order(1), order(2)] }), ordersAfter: 2, fillsAfter: 0 } });
    frames.run();
    await tick();
    expect(pages.map((p) => p.after)).toEqual([2]);
    // A push that arrived before the page: older than it, so the page's copy of order 3 wins.
    f.push({ orders: [{ ...order(3), state: 'new' }] });
    pages[0]!.resolve({ ok: true, value: { items: [{ ...order(3), state: 'rejected', rejectReason: 'X' }, order(4)], next: 4 } });
    await tick();
    expect(store.getState().orders.byId.get(3)?.state).toBe('rejected');
    expect(store.getState().orders.byId.size).toBe(4);
    expect(store.getState().fills.list.map((x) => x.execId)).toEqual([9]);
    expect(store.getState().toasts).toEqual([]);
    expect(pages.map((p) => p.after)).toEqual([2, 4]);
    // A newer reset: the old paging stops after its page in flight.
    f.push({ reset: stateView({ orders: [order(1)] }) });
    pages[1]!.resolve({ ok: true, value: { items: [order(5)], next: 5 } });
    await tick();
    frames.run();
    expect(pages).toHaveLength(2);
    expect(store.getState().orders.byId.has(5)).toBe(false);
  });
});

describe('travelTo', () => {
  it('asks for the state and events of the current session as of the seq', async () => {
    const f = fakeApi();
    const frames = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule });
    store.getState().enqueue({ reset: stateView({ session: { id: 4, state: 'open', seq: 500, eventRate: 0 } }) });
    frames.run();
    const done = travelTo(f.api, store, 120);
    expect(store.getState().timeMachine).toMatchObject({ mode: 'asof', seq: 120, loading: true });
    expect(f.stateCalls[0]?.at).toEqual({ session: 4, seq: 120 });
    expect(f.eventQueries[0]).toEqual({ session: 4, to: 120, limit: EVENT_TAIL });
    f.stateCalls[0]?.resolve({ ok: true, value: stateView({ orders: [order(9)], asOfSeq: 120 }) });
    await done;
    const s = store.getState();
    expect(s.timeMachine).toMatchObject({ mode: 'asof', seq: 120, loading: false });
    expect([...selectOrders(s).byId.keys()]).toEqual([9]);
    expect(s.timeMachine.view?.events.map((e) => e.seq)).toEqual([120]);
  });

  it('shows only the newest request when replies come back out of order', async () => {
    const f = fakeApi();
    const store = createOrdoStore({ schedule: manualFrames().schedule });
    const first = travelTo(f.api, store, 10);
    const second = travelTo(f.api, store, 20);
    f.stateCalls[1]?.resolve({ ok: true, value: stateView({ orders: [order(2)], asOfSeq: 20 }) });
    await second;
    f.stateCalls[0]?.resolve({ ok: true, value: stateView({ orders: [order(1)], asOfSeq: 10 }) });
    await first;
    expect(store.getState().timeMachine.seq).toBe(20);
    expect([...selectOrders(store.getState()).byId.keys()]).toEqual([2]);
  });

  it('shows the error of a failed request', async () => {
    const f = fakeApi();
    const store = createOrdoStore({ schedule: manualFrames().schedule });
    const p = travelTo(f.api, store, 10);
    f.stateCalls[0]?.resolve({ ok: false, error: { code: 'BAD_REQUEST', message: 'seq must be within 1..5' } });
    await p;
    expect(store.getState().timeMachine).toMatchObject({ mode: 'asof', loading: false, error: 'seq must be within 1..5' });
  });
});
