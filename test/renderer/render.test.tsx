import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ComponentView, OrdoApi, StateUpdate } from '../../contract/api.ts';
import { defaultPrefs, moveColumn, parsePrefs, resizeColumn, resolveColumns, toggleColumn } from '../../renderer/lib/columns.ts';
import { toCsv } from '../../renderer/lib/csv.ts';
import { stateLabel } from '../../renderer/lib/format.ts';
import { healthyActiveRoles, waitingHint } from '../../renderer/lib/waiting.ts';
import { createOrdoStore } from '../../renderer/store/store.ts';
import type { OrdoStore } from '../../renderer/store/types.ts';
import { App } from '../../renderer/ui/App.tsx';
import { componentHealth, ComponentsPanel } from '../../renderer/ui/ComponentsPanel.tsx';
import { ConfirmProvider } from '../../renderer/ui/Confirm.tsx';
import { OrdoProvider } from '../../renderer/ui/context.tsx';
import { eventDetail, EventLog } from '../../renderer/ui/EventLog.tsx';
import { FillsBlotter } from '../../renderer/ui/FillsBlotter.tsx';
import { OrdersBlotter } from '../../renderer/ui/OrdersBlotter.tsx';
import { OrderTicket } from '../../renderer/ui/OrderTicket.tsx';
import { SessionBar } from '../../renderer/ui/SessionBar.tsx';
import { component, fill, manualFrames, order, stateView } from './helpers.ts';
import type { ReactNode } from 'react';

const ok = <T,>(value: T) => Promise.resolve({ ok: true as const, value });
const api: OrdoApi = {
  submitOrder: () => ok({ orderId: 1 }),
  cancelOrder: (orderId) => ok({ orderId }),
  replaceOrder: (orderId) => ok({ orderId }),
  openSession: () => ok({ sessionId: 2 }),
  closeSession: () => ok({ sessionId: 1 }),
  rollSession: () => ok({ closedSessionId: 1, sessionId: 2, rollMs: 3, forced: false, held: 0 }),
  componentAction: (componentId) => ok({ componentId }),
  restartComponent: (componentId) => ok({ componentId }),
  addStandby: (role) => ok({ componentId: `${role}-2` }),
  getOrderHistory: (q) => ok({ session: 1, orderId: q.orderId, clientOrderIds: [], events: [] }),
  searchEvents: () => ok({ events: [] }),
  getSessions: () => ok([{ id: 1, state: 'open' as const, openedTs: 1, lastSeq: 100 }]),
  getTimeline: () => ok({ session: 1, firstTs: 1_000_000, lastTs: 3_000_000, lastSeq: 100, bucketUs: 1_000_000, buckets: [{ ts: 1_000_000, count: 60, firstSeq: 1, lastSeq: 60 }, { ts: 2_000_000, count: 40, firstSeq: 61, lastSeq: 100 }] }),
  getState: () => ok(stateView()),
  getEvents: () => ok([]),
  getOrders: () => ok({ items: [] }),
  getOrderWindow: () => ok({ session: 1, seq: 0, offset: 0, orders: [], total: 0, orderCount: 0, working: 0 }),
  getFillWindow: () => ok({ session: 1, seq: 0, offset: 0, fills: [], clients: [], total: 0, fillCount: 0 }),
  cancelSelection: () => ok({ selected: 0, working: 0, requested: 0, queuedForOpen: 0, failed: 0 }),
  getFills: () => ok({ items: [] }),
  getPositions: () => ok([]),
  getRisk: () => ok({ firmHalt: null, clients: [], restricted: [], expired: [] }),
  getFixSessions: () => ok({ enabled: false, port: null, host: null, sessions: [] }),
  haltClient: (clientId) => ok({ clientId }),
  resumeClient: (clientId) => ok({ clientId }),
  haltFirm: () => ok({ clientId: null }),
  resumeFirm: () => ok({ clientId: null }),
  setLimits: (clientId, limits) => ok({ clientId, limits }),
  setRestricted: (symbol, r) => ok({ symbol, restricted: r.restricted }),
  subscribe: () => () => {},
};

function storeWith(update: StateUpdate): OrdoStore {
  const frames = manualFrames();
  const store = createOrdoStore({ schedule: frames.schedule });
  // Connected: actions are enabled only while the link to the host is up.
  store.getState().setConnection({ status: 'open', attempt: 0, transport: 'ws' });
  store.getState().enqueue(update);
  frames.run();
  return store;
}

/**
 * Server rendering reads zustand's server snapshot, which is the store's
 * initial state; point it at the current state so the markup shows the data.
 */
function render(store: OrdoStore, node: ReactNode): string {
  const current: OrdoStore = { ...store, getInitialState: () => store.getState() };
  return renderToString(
    <OrdoProvider api={api} store={current}>
      <ConfirmProvider>{node}</ConfirmProvider>
    </OrdoProvider>,
  );
}

const count = (html: string, re: RegExp): number => (html.match(re) ?? []).length;

describe('orders blotter markup', () => {
  it('renders a window of rows, not 100,000', () => {
    const orders = Array.from({ length: 100_000 }, (_, i) => order(i + 1));
    const html = render(storeWith({ reset: stateView({ orders }) }), <OrdersBlotter />);
    const rows = count(html, /data-testid="order-row-\d+"/g);
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(60);
    expect(html).toContain('data-row-count="100000"');
    // Newest first by default.
    expect(html.indexOf('order-row-100000"')).toBeLessThan(html.indexOf('order-row-99999"'));
    expect(html).toContain('data-testid="orders-count" data-count="100000"');
  });

  it('marks state cells and offers cancel/amend only on working orders', () => {
    const html = render(
      storeWith({
        reset: stateView({
          orders: [
            order(1, { state: 'new' }),
            order(2, { state: 'filled', filledQuantity: 100, leavesQuantity: 0, avgPrice: 190.004 }),
            order(3, { state: 'rejected', rejectReason: 'RISK_PRICE_BAND: too far', leavesQuantity: 0 }),
            order(4, { state: 'partially_filled', orderType: 'market', price: 0 }),
          ],
        }),
      }),
      <OrdersBlotter />,
    );
    expect(html).toMatch(/data-testid="order-row-1" data-state="new"/);
    expect(html).toMatch(/data-testid="order-state-2" data-state="filled"/);
    expect(html).toContain('data-testid="order-cancel-1"');
    expect(html).toContain('data-testid="order-amend-1"');
    expect(html).not.toContain('data-testid="order-cancel-2"');
    expect(html).not.toContain('data-testid="order-cancel-3"');
    expect(html).toContain('data-testid="order-cancel-4"');
    expect(html).not.toContain('data-testid="order-amend-4"'); // a market order has no price to amend
    expect(html).toContain('RISK_PRICE_BAND: too far');
    expect(html).toContain('190.004');
  });

  it('hides order actions in the time machine and shows the as-of orders', () => {
    const store = storeWith({ reset: stateView({ orders: [order(1, { state: 'new' }), order(2)] }) });
    store.getState().travelStarted(40);
    store.getState().travelLoaded(40, stateView({ orders: [order(1, { state: 'pending_new' })], asOfSeq: 40 }), []);
    const html = render(store, <OrdersBlotter />);
    expect(html).toMatch(/data-testid="order-row-1" data-state="pending_new"/);
    expect(html).not.toContain('order-row-2');
    expect(html).not.toContain('order-cancel-');
    expect(html).not.toContain('order-amend-');
  });

  it('a parked order (between sessions) shows PARKED with its hint, not PENDING, and can still be cancelled', () => {
    const update = { reset: stateView({ orders: [order(1, { timeInForce: 'gtc', parked: true, venue: 'XNAS' }), order(2)] }) };
    update.reset.session = { ...update.reset.session, state: 'closed' };
    const html = render(storeWith(update), <OrdersBlotter />);
    expect(html).toMatch(/data-testid="order-state-1" data-state="pending_new" data-parked="true" title="parked — re-enters at open"/);
    expect(html).toMatch(/data-testid="order-state-1"[^>]*>PARKED</);
    expect(html).toMatch(/data-testid="order-state-2" data-state="pending_new" title="pending_new">PENDING</);
    // Between sessions the cancel is stored and applied at the open (decision 130): the action stays.
    expect(html).toContain('data-testid="order-cancel-1"');
  });
});

describe('the rest of the screen', () => {
  it('App shows the time-machine banner with the seq and a way back', () => {
    const store = storeWith({ reset: stateView() });
    store.getState().setConnection({ status: 'open', attempt: 0, transport: 'ws' });
    store.getState().travelStarted(1234);
    const html = render(store, <App />);
    expect(html).toContain('data-testid="tm-banner"');
    expect(html).toMatch(/AS OF(<!-- -->| )*SEQ <span data-testid="tm-banner-seq">1,234<\/span>/);
    expect(html).toContain('data-testid="tm-back-live"');
    expect(html).toContain('data-ready="true"');
  });

  it('App shows a disconnected banner once it had state', () => {
    const store = storeWith({ reset: stateView() });
    store.getState().setConnection({ status: 'disconnected', attempt: 2, transport: 'ws', retryAt: 0, detail: 'code 1006' });
    const html = render(store, <App />);
    expect(html).toContain('data-testid="connection-banner"');
    expect(html).toMatch(/data-testid="connection-state" data-state="disconnected"/);
  });

  it('session bar enables Close only while open and Open only when closed', () => {
    const open = render(storeWith({ reset: stateView() }), <SessionBar />);
    expect(open).toMatch(/data-testid="session-open" disabled=""/);
    expect(open).not.toMatch(/data-testid="session-close" disabled=""/);
    expect(open).toMatch(/data-testid="session-state" data-state="open"/);
    const closed = render(storeWith({ reset: stateView({ session: { id: 3, state: 'closed', seq: 10, eventRate: 0 } }) }), <SessionBar />);
    expect(closed).not.toMatch(/data-testid="session-open" disabled=""/);
    expect(closed).toMatch(/data-testid="session-close" disabled=""/);
  });

  it('components: stale rows stand out, actions follow the active flag', () => {
    const html = render(
      storeWith({ reset: stateView({ components: [component('risk-1'), component('risk-2', { active: false, state: 'standby', stale: true, heartbeatAgeMs: 9400 })] }) }),
      <ComponentsPanel />,
    );
    expect(html).toMatch(/class="tr odd stale" data-testid="component-row-risk-2" data-state="standby" data-active="false" data-stale="true"/);
    expect(html).toMatch(/data-testid="component-activate-risk-1" disabled=""/);
    expect(html).not.toMatch(/data-testid="component-activate-risk-2" disabled=""/);
    expect(html).toContain('data-testid="component-shutdown-risk-2"');
    expect(html).toContain('1 of 2 healthy · 1 stale');
  });

  // Round 16 (outside): with the time machine on, the panel went on showing live components without saying so.
  it('components with the time machine on: the panel says it shows now, and its actions are locked', () => {
    const store = storeWith({ reset: stateView({ components: [component('risk-1')] }) });
    expect(render(store, <ComponentsPanel />)).not.toContain('components-live-note');
    store.getState().travelStarted(5, 1);
    const html = render(store, <ComponentsPanel />);
    expect(html).toMatch(/data-testid="components-live-note"[^>]*>Live now: the time machine shows the past&#x27;s orders and fills, not the components&#x27; past health</);
    expect(html).toMatch(/data-testid="component-shutdown-risk-1"[^>]*disabled=""/);
  });

  it('fills newest first', () => {
    const html = render(storeWith({ reset: stateView({ fills: [fill(1), fill(2), fill(3)] }) }), <FillsBlotter />);
    expect(html.indexOf('fill-row-3')).toBeLessThan(html.indexOf('fill-row-1'));
  });

  it('ticket exposes every field to keyboard and tests', () => {
    const html = render(storeWith({ reset: stateView() }), <OrderTicket />);
    for (const id of ['ticket-symbol', 'ticket-client', 'ticket-side-buy', 'ticket-side-sell', 'ticket-quantity', 'ticket-type', 'ticket-price', 'ticket-tif', 'ticket-submit', 'ticket-clear', 'ticket-result']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
  });

  it('event log lists the tail newest first with the event fields', () => {
    const e = (seq: number, type: string) => ({ session: 1, seq, ts: 1, type, src: 'risk-1', cseq: seq, orderId: seq, reason: 'x y' });
    const store = storeWith({ reset: stateView() });
    store.getState().enqueue({ events: [e(1, 'OrderPending'), e(2, 'OrderRejected')] });
    store.getState().flush();
    const html = render(store, <EventLog />);
    expect(html.indexOf('event-row-2')).toBeLessThan(html.indexOf('event-row-1'));
    expect(eventDetail(e(5, 'X'))).toBe('orderId=5 reason=x y');
  });
});

describe('the professional screen helpers', () => {
  it('an unknown order state shows as its own name; the new FIX states are abbreviated', () => {
    expect(stateLabel('pending_cancel')).toBe('CXL PEND');
    expect(stateLabel('done_for_day')).toBe('DONE FOR DAY');
    expect(stateLabel('partially_filled')).toBe('PARTIAL');
  });

  it('the footer counts healthy components honestly and names a role with nobody active', () => {
    const row = (id: string, role: string, state: ComponentView['state'], active: boolean, stale = false) => ({
      id, role, state, active, stale, lastSeq: 1, lag: 0, heartbeatAgeMs: 0, receivedAt: 0,
    });
    expect(componentHealth([row('risk-1', 'risk', 'active', true), row('router-1', 'router', 'stopped', false)]).text).toBe(
      '1 of 2 healthy · 1 stopped · no active router',
    );
    expect(componentHealth([row('risk-1', 'risk', 'active', true)])).toMatchObject({ healthy: 1, bad: false, text: '1 of 1 healthy' });
  });

  it('an order waiting on a role without a healthy active instance says so', () => {
    const roles = healthyActiveRoles([
      { id: 'risk-1', role: 'risk', state: 'active', active: true, stale: false, lastSeq: 1, lag: 0, heartbeatAgeMs: 0 },
      { id: 'router-1', role: 'router', state: 'active', active: true, stale: true, lastSeq: 1, lag: 0, heartbeatAgeMs: 9000 },
    ]);
    expect(waitingHint('pending', 'pending_new', roles)).toBeUndefined();
    expect(waitingHint('accepted', 'pending_new', roles)).toBe('waiting: no active router');
    expect(waitingHint('new', 'pending_cancel', roles)).toBe('waiting: no active gateway');
    expect(waitingHint('filled', 'filled', roles)).toBeUndefined();
  });

  it('CSV quotes what needs quoting and keeps numbers raw', () => {
    expect(toCsv(['Order', 'Reason'], [[12, 'BAD, "really"'], [13, undefined]])).toBe('Order,Reason\r\n12,"BAD, ""really"""\r\n13,\r\n');
  });

  it('column layouts: move, resize, hide, and a saved layout missing a new column still shows it', () => {
    const defs = [
      { key: 'a', title: 'A', width: 50 },
      { key: 'b', title: 'B', width: 50 },
      { key: 'c', title: 'C', width: 50, hiddenByDefault: true },
      { key: 'x', title: '', width: 90, fixed: true },
    ];
    let p = defaultPrefs(defs);
    expect(resolveColumns(defs, p).map((c) => c.key)).toEqual(['a', 'b', 'x']);
    p = moveColumn(defs, p, 'b', 'a');
    p = toggleColumn(p, 'c');
    p = resizeColumn(p, 'a', 10);
    const cols = resolveColumns(defs, p);
    expect(cols.map((c) => c.key)).toEqual(['b', 'a', 'c', 'x']);
    expect(cols.find((c) => c.key === 'a')!.width).toBe(28);
    expect(resolveColumns(defs, parsePrefs(defs, { order: ['b', 'zzz'], widths: { b: 'wide' }, hidden: [] })).map((c) => c.key)).toEqual(['a', 'b', 'c', 'x']);
    expect(parsePrefs(defs, 'junk')).toEqual(defaultPrefs(defs));
  });

  it('toasts: a fill and a reject after the first state; none for a reset; streaming fills make one summary', () => {
    const frames = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule, visible: () => false });
    store.getState().enqueue({ reset: stateView() });
    frames.run();
    expect(store.getState().toasts).toEqual([]);
    const base = order(1);
    store.getState().enqueue({
      // A reject after the reset: its event's seq is past the reset's (100).
      orders: [{ ...base, orderId: 900, state: 'rejected', rejectReason: 'PRICE_OUT_OF_BAND: far', eventSeqs: [101] }],
      fills: [{ execId: 77, orderId: base.orderId, symbol: base.symbol, side: base.side, quantity: 5, price: 1.5, seq: 999, ts: 1 }],
    });
    frames.run();
    expect(store.getState().toasts.map((t) => t.kind)).toEqual(['fill', 'reject']);
    expect(store.getState().unseen).toBe(2);
    const many = (from: number) =>
      Array.from({ length: 5 }, (_, i) => ({ execId: from + i, orderId: base.orderId, symbol: base.symbol, side: base.side, quantity: 1, price: 1.5, seq: 1000 + from + i, ts: 1 }));
    store.getState().enqueue({ fills: many(100) });
    frames.run();
    store.getState().enqueue({ fills: many(200) });
    frames.run();
    const last = store.getState().toasts[store.getState().toasts.length - 1]!;
    // The single fill of a moment ago and both batches are one stream: one summary toast, not a stack over the blotters.
    expect(last.title).toBe('11 fills');
    expect(last.fills).toEqual({ count: 11, quantity: 15 });
    expect(store.getState().toasts.map((t) => t.kind)).toEqual(['reject', 'fill']);
    store.getState().markSeen();
    expect(store.getState().unseen).toBe(0);
  });

  it('toasts: a burst of rejects in separate frames folds into one running summary, as fills do', () => {
    const frames = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule, visible: () => true });
    store.getState().enqueue({ reset: stateView() });
    frames.run();
    const rejects = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ ...order(from + i), state: 'rejected' as const, rejectReason: 'INSTRUMENT_NOT_ALLOWED: client', eventSeqs: [1000 + from + i] }));
    // Two single rejects, then batches of 4, 4 and 7 (what a risk limit refusing a stream gave: five toasts).
    for (const batch of [rejects(99, 1), rejects(100, 1), rejects(101, 4), rejects(105, 4), rejects(109, 7)]) {
      store.getState().enqueue({ orders: batch });
      frames.run();
    }
    const toasts = store.getState().toasts;
    expect(toasts.map((t) => [t.kind, t.title])).toEqual([['reject', '17 orders rejected']]);
    expect(toasts[0]!.body).toBe('e.g. #109: INSTRUMENT_NOT_ALLOWED: client');
    expect(toasts[0]!.orderId).toBeUndefined();
  });
});

describe('toasts after a reload', () => {
  it('a fill or a reject at or below the last reset\'s seq is not news, even when it reaches the store again; a newer one is', () => {
    const frames = manualFrames();
    const store = createOrdoStore({ schedule: frames.schedule, visible: () => true });
    const view = stateView();
    store.getState().enqueue({ reset: { ...view, session: { ...view.session, seq: 1000 } } });
    frames.run();
    const old = { ...order(5), state: 'rejected' as const, rejectReason: 'PRICE_OUT_OF_BAND', eventSeqs: [400, 401] };
    store.getState().enqueue({ orders: [old], fills: [{ ...fill(7), seq: 500 }] });
    frames.run();
    expect(store.getState().toasts).toEqual([]);
    store.getState().enqueue({ orders: [{ ...order(6), state: 'rejected' as const, rejectReason: 'PRICE_OUT_OF_BAND', eventSeqs: [1001] }], fills: [{ ...fill(8), seq: 1002 }] });
    frames.run();
    expect(store.getState().toasts.map((t) => t.title)).toEqual(['Partial fill #1', 'Rejected #6']);
  });
});
