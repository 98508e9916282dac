import { describe, expect, it } from 'vitest';
import type { EventLine } from '../../contract/api.ts';
import { selectFills, selectOrders, selectReadOnly, selectTickKey, tickTable } from '../../renderer/store/selectors.ts';
import { fillNewestFirst } from '../../renderer/store/fills-slice.ts';
import { createOrdoStore } from '../../renderer/store/store.ts';
import { component, fill, manualFrames, order, stateView } from './helpers.ts';

function setup() {
  const frames = manualFrames();
  const store = createOrdoStore({ schedule: frames.schedule, now: () => 1000 });
  let notifications = 0;
  store.subscribe(() => notifications++);
  return { store, frames, notifications: () => notifications };
}

const ev = (seq: number, type = 'OrderAccepted', session = 1): EventLine => ({ session, seq, ts: seq, type, src: 'risk-1', cseq: seq });

describe('store: applying pushes', () => {
  it('a reset replaces the whole live state', () => {
    const { store, frames } = setup();
    store.getState().enqueue({ reset: stateView({ orders: [order(1), order(2)], fills: [fill(1)], components: [component('risk-1')] }) });
    frames.run();
    const s = store.getState();
    expect(s.resets).toBe(1);
    expect(s.orders.byId.size).toBe(2);
    expect(s.fills.list).toHaveLength(1);
    expect(s.components.list.map((c) => c.id)).toEqual(['risk-1']);
    expect(s.instruments.list.map((i) => i.symbol)).toEqual(['AAPL', 'MSFT', 'VOD']);
    expect(s.clients).toHaveLength(2);

    store.getState().enqueue({ reset: stateView({ orders: [order(3)] }) });
    frames.run();
    expect([...store.getState().orders.byId.keys()]).toEqual([3]);
    expect(store.getState().fills.list).toHaveLength(0);
    expect(store.getState().resets).toBe(2);
  });

  it('orders, fills and components merge by key', () => {
    const { store, frames } = setup();
    store.getState().enqueue({ reset: stateView({ orders: [order(1), order(2)], fills: [fill(1)], components: [component('risk-1'), component('router-1')] }) });
    frames.run();
    const before = store.getState().orders;
    store.getState().enqueue({
      orders: [order(2, { state: 'filled', filledQuantity: 100, leavesQuantity: 0 }), order(3)],
      fills: [fill(2, { seq: 25 }), fill(1, { quantity: 99 })],
      components: [component('risk-1', { stale: true, heartbeatAgeMs: 9000 })],
    });
    frames.run();
    const s = store.getState();
    expect(s.orders.byId.size).toBe(3);
    expect(s.orders.byId.get(2)?.state).toBe('filled');
    expect(s.orders.byId.get(1)).toBe(before.byId.get(1));
    expect(s.orders.version).toBe(before.version + 1);
    expect(s.fills.list.map((f) => [f.execId, f.quantity])).toEqual([
      [1, 99],
      [2, 10],
    ]);
    expect(fillNewestFirst(s.fills, 0)?.execId).toBe(2);
    expect(s.components.byId.get('risk-1')?.stale).toBe(true);
    expect(s.components.byId.get('router-1')?.stale).toBe(false);
    expect(s.components.byId.get('risk-1')?.receivedAt).toBe(1000);
  });

  it('quotes update known instruments only', () => {
    const { store, frames } = setup();
    store.getState().enqueue({ reset: stateView() });
    store.getState().enqueue({ instruments: [{ symbol: 'AAPL', bid: 99.5, ask: 100.5, last: 100 }, { symbol: 'NOPE', bid: 1 }] });
    frames.run();
    const s = store.getState();
    expect(s.instruments.bySymbol.get('AAPL')).toMatchObject({ bid: 99.5, ask: 100.5, last: 100, tickSize: 0.01 });
    expect(s.instruments.bySymbol.has('NOPE')).toBe(false);
    expect(s.instruments.list.find((i) => i.symbol === 'AAPL')?.bid).toBe(99.5);
  });

  it('alerts are the current set (repeats dropped, cleared ones gone); session replaces', () => {
    const { store, frames } = setup();
    const a = { instance: 'risk-2', kind: 'stale', message: 'no heartbeat', seq: 5, ts: 5 };
    store.getState().enqueue({ reset: stateView({ alerts: [a] }) });
    store.getState().enqueue({ alerts: [a, a, { ...a, seq: 6 }], session: { id: 1, state: 'closing', seq: 120, eventRate: 0 } });
    frames.run();
    expect(store.getState().alerts.map((x) => x.seq)).toEqual([5, 6]);
    expect(store.getState().session.state).toBe('closing');
    store.getState().enqueue({ alerts: [{ ...a, seq: 6 }] });
    store.getState().enqueue({ orders: [order(1)] }); // no alerts field: alerts unchanged
    frames.run();
    expect(store.getState().alerts.map((x) => x.seq)).toEqual([6]);
  });

  it('keeps the event tail ordered, without repeats, and starts over for a new session', () => {
    const { store, frames } = setup();
    store.getState().enqueue({ reset: stateView() });
    store.getState().enqueue({ events: [ev(10), ev(11)] });
    store.getState().enqueue({ events: [ev(5), ev(11), ev(7)] }); // an older page from getEvents
    frames.run();
    expect(store.getState().events.list.map((e) => e.seq)).toEqual([5, 7, 10, 11]);
    store.getState().enqueue({ reset: stateView({ session: { id: 2, state: 'open', seq: 3, eventRate: 0 } }) });
    frames.run();
    expect(store.getState().events.list).toEqual([]);
    store.getState().enqueue({ events: [ev(1, 'SessionOpened', 2), ev(99, 'Old', 1)] });
    frames.run();
    expect(store.getState().events.list.map((e) => e.seq)).toEqual([1]);
  });
});

describe('store: batching per animation frame', () => {
  it('many pushes between frames cause one flush and one notification', () => {
    const { store, frames, notifications } = setup();
    store.getState().enqueue({ reset: stateView() });
    for (let i = 1; i <= 500; i++) store.getState().enqueue({ orders: [order(i)], session: { id: 1, state: 'open', seq: 100 + i, eventRate: 1 } });
    expect(frames.pending()).toBe(1);
    expect(store.getState().orders.byId.size).toBe(0); // nothing applied before the frame
    expect(notifications()).toBe(0);
    frames.run();
    expect(notifications()).toBe(1);
    expect(store.getState().orders.byId.size).toBe(500);
    expect(store.getState().session.seq).toBe(600);
    expect(frames.pending()).toBe(0);
  });

  it('a reset in the buffer makes the updates before it moot', () => {
    const { store, frames } = setup();
    store.getState().enqueue({ orders: [order(1)] });
    store.getState().enqueue({ reset: stateView({ orders: [order(2)] }) });
    store.getState().enqueue({ orders: [order(3)] });
    frames.run();
    expect([...store.getState().orders.byId.keys()].sort()).toEqual([2, 3]);
  });

  it('flush() applies at once and cancels the scheduled frame', () => {
    const { store, frames, notifications } = setup();
    store.getState().enqueue({ orders: [order(1)] });
    store.getState().flush();
    expect(store.getState().orders.byId.size).toBe(1);
    expect(frames.pending()).toBe(0);
    frames.run();
    expect(notifications()).toBe(1);
  });

  it('falls back to a timer without requestAnimationFrame', async () => {
    const store = createOrdoStore();
    store.getState().enqueue({ orders: [order(1)] });
    store.getState().enqueue({ orders: [order(2)] });
    expect(store.getState().orders.byId.size).toBe(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(store.getState().orders.byId.size).toBe(2);
  });

  it('applies 100,000 orders in one flush', () => {
    const { store, frames } = setup();
    const orders = Array.from({ length: 100_000 }, (_, i) => order(i + 1));
    store.getState().enqueue({ reset: stateView({ orders }) });
    frames.run();
    expect(store.getState().orders.byId.size).toBe(100_000);
  });
});

describe('store: ui and time machine', () => {
  it('filters and header clicks', () => {
    const { store } = setup();
    store.getState().setOrderFilter({ state: 'open' });
    store.getState().setOrderFilter({ side: 'sell' });
    expect(store.getState().orderFilter).toEqual({ state: 'open', symbol: '', side: 'sell', clientId: '', text: '' });
    expect(store.getState().orderSort).toEqual({ key: 'createdTs', dir: 'desc' });
    store.getState().sortOrdersBy('createdTs');
    expect(store.getState().orderSort.dir).toBe('asc');
    store.getState().sortOrdersBy('symbol');
    expect(store.getState().orderSort).toEqual({ key: 'symbol', dir: 'asc' });
    store.getState().sortOrdersBy('quantity');
    expect(store.getState().orderSort).toEqual({ key: 'quantity', dir: 'desc' });
  });

  it('shows the as-of view read-only while live pushes keep applying underneath', () => {
    const { store, frames } = setup();
    store.getState().enqueue({ reset: stateView({ orders: [order(1), order(2, { state: 'filled' })] }) });
    frames.run();
    store.getState().travelStarted(50);
    expect(selectReadOnly(store.getState())).toBe(true);
    store.getState().travelLoaded(50, stateView({ orders: [order(1, { state: 'pending_new' })], fills: [fill(1)], asOfSeq: 50 }), []);
    let s = store.getState();
    expect(selectOrders(s).byId.size).toBe(1);
    expect(selectOrders(s).byId.get(1)?.state).toBe('pending_new');
    expect(selectFills(s).list).toHaveLength(1);

    store.getState().enqueue({ orders: [order(3)] });
    frames.run();
    s = store.getState();
    expect(selectOrders(s).byId.size).toBe(1);
    expect(s.orders.byId.size).toBe(3);

    store.getState().backToLive();
    expect(selectReadOnly(store.getState())).toBe(false);
    expect(selectOrders(store.getState()).byId.size).toBe(3);
  });

  it('drops a late reply for a seq no longer asked for', () => {
    const { store } = setup();
    store.getState().travelStarted(10);
    store.getState().travelStarted(20);
    store.getState().travelLoaded(10, stateView({ orders: [order(1)] }), []);
    expect(store.getState().timeMachine).toMatchObject({ seq: 20, loading: true, view: undefined });
    store.getState().travelFailed(20, 'seq out of range');
    expect(store.getState().timeMachine).toMatchObject({ seq: 20, loading: false, error: 'seq out of range' });
    store.getState().backToLive();
    store.getState().travelLoaded(20, stateView(), []);
    expect(store.getState().timeMachine.mode).toBe('live');
  });

  it('prefills the ticket with a fresh nonce each time', () => {
    const { store } = setup();
    store.getState().prefillTicket({ symbol: 'AAPL', side: 'sell', price: 99.5 });
    const first = store.getState().ticketPrefill;
    store.getState().prefillTicket({ symbol: 'AAPL', side: 'sell', price: 99.5 });
    expect(store.getState().ticketPrefill?.nonce).toBe((first?.nonce ?? 0) + 1);
  });
});

describe('store: a flush over two frames under a stream (decision 163)', () => {
  it('shows orders in the flush frame and fills, quotes and events in the next; nothing is lost when the next flush comes first', () => {
    const frames = manualFrames();
    const next = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule, nextFrame: next.schedule, now: () => 1000 });
    store.getState().enqueue({ reset: stateView({ orders: [order(1)] }) });
    frames.run();
    // A reset shows whole, at once.
    expect(next.pending()).toBe(0);
    const fills0 = store.getState().fills;
    const quotes0 = store.getState().instruments;
    store.getState().enqueue({ orders: [order(2)], fills: [fill(1, { orderId: 2 })], events: [ev(5)], instruments: [{ symbol: 'AAPL', bid: 1, ask: 2, last: 1.5 }] as never });
    frames.run();
    expect(selectOrders(store.getState()).byId.has(2)).toBe(true);
    // The fills and quotes tables the panels render from are still the ones before (the grids re-render on a new table).
    expect(store.getState().fills).toBe(fills0);
    expect(store.getState().instruments).toBe(quotes0);
    expect(store.getState().events.list).toHaveLength(0);
    next.run();
    expect(store.getState().fills).not.toBe(fills0);
    expect(store.getState().instruments).not.toBe(quotes0);
    expect(store.getState().fills.list).toHaveLength(1);
    expect(store.getState().events.list.map((e) => e.seq)).toEqual([5]);
    // Held fills go in before the next flush merges more onto them.
    store.getState().enqueue({ orders: [order(3)], fills: [fill(2, { orderId: 3 })] });
    frames.run();
    store.getState().enqueue({ orders: [order(4)], fills: [fill(3, { orderId: 4 })] });
    frames.run();
    next.run();
    expect(store.getState().fills.list.map((f) => f.execId)).toEqual([1, 2, 3]);
    // Fills alone (no order changed) show in their own frame.
    store.getState().enqueue({ fills: [fill(4, { orderId: 4 })] });
    frames.run();
    expect(next.pending()).toBe(0);
    expect(store.getState().fills.list).toHaveLength(4);
  });
});

describe('store: a flush never shares a frame with the last held half (decision 205)', () => {
  it('a flush due in the frame the held half ran in waits for the next frame; in a later frame it runs at once', () => {
    // The frame clock is the document timeline's (the browser's, not Ordo's): one value per frame.
    const g = globalThis as { document?: unknown };
    const timeline = { currentTime: 100 };
    g.document = { timeline };
    try {
      const frames = manualFrames();
      const next = manualFrames();
      const store = createOrdoStore({ schedule: frames.schedule, nextFrame: next.schedule, now: () => 1000 });
      store.getState().enqueue({ reset: stateView({ orders: [order(1)] }) });
      frames.run();
      store.getState().enqueue({ orders: [order(2)], fills: [fill(1, { orderId: 2 })] });
      frames.run();
      // A slow frame: the held half and the next flush come due in the same frame (t = 116).
      store.getState().enqueue({ orders: [order(3)], fills: [fill(2, { orderId: 3 })] });
      timeline.currentTime = 116;
      next.run();
      expect(store.getState().fills.list).toHaveLength(1);
      frames.run();
      expect(selectOrders(store.getState()).byId.has(3)).toBe(false);
      expect(next.pending()).toBe(1);
      timeline.currentTime = 133;
      next.run();
      expect(selectOrders(store.getState()).byId.has(3)).toBe(true);
      // Its own held half (the fill) goes in the frame after: the fills table the panel renders from is still the one before.
      const fills1 = store.getState().fills;
      timeline.currentTime = 150;
      next.run();
      expect(store.getState().fills).not.toBe(fills1);
      expect(store.getState().fills.list).toHaveLength(2);
      // A flush in a later frame than the held half runs in its own frame.
      store.getState().enqueue({ orders: [order(4)] });
      timeline.currentTime = 250;
      frames.run();
      expect(selectOrders(store.getState()).byId.has(4)).toBe(true);
    } finally {
      delete g.document;
    }
  });
});

describe('store: what a grid selects to stay out of quote flushes (decision 189)', () => {
  it('the tick key is equal across quotes, names every symbol with its decimals, and changes with the instruments', () => {
    const frames = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule, nextFrame: frames.schedule, now: () => 1000 });
    store.getState().enqueue({ reset: stateView() });
    frames.run();
    const key = selectTickKey(store.getState());
    expect([...tickTable(key)]).toEqual([
      ['AAPL', 2],
      ['MSFT', 2],
      ['VOD', 2],
    ]);
    const quotes0 = store.getState().instruments;
    store.getState().enqueue({ instruments: [{ symbol: 'AAPL', bid: 1, ask: 2, last: 1.5 }] as never });
    frames.run();
    // The instruments table is a new one (the quotes panel re-renders); the key the grids select is not.
    expect(store.getState().instruments).not.toBe(quotes0);
    expect(selectTickKey(store.getState())).toBe(key);
    store.getState().enqueue({ reset: stateView({ instruments: [...stateView().instruments, { ...stateView().instruments[0]!, symbol: 'SPY 261218C00600000', tickSize: 0.05 }] }) });
    frames.run();
    expect(tickTable(selectTickKey(store.getState())).get('SPY 261218C00600000')).toBe(2);
    expect(tickTable(selectTickKey(store.getState())).size).toBe(4);
    expect(tickTable('').size).toBe(0);
  });
});
