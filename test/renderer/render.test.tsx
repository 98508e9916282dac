import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { OrdoApi, StateUpdate } from '../../contract/api.ts';
import { createOrdoStore } from '../../renderer/store/store.ts';
import type { OrdoStore } from '../../renderer/store/types.ts';
import { App } from '../../renderer/ui/App.tsx';
import { ComponentsPanel } from '../../renderer/ui/ComponentsPanel.tsx';
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
  getState: () => ok(stateView()),
  getEvents: () => ok([]),
  subscribe: () => () => {},
};

function storeWith(update: StateUpdate): OrdoStore {
  const frames = manualFrames();
  const store = createOrdoStore({ schedule: frames.schedule });
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
            order(4, { state: 'partially_filled', type: 'market', price: 0 }),
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
});

describe('the rest of the screen', () => {
  it('App shows the time-machine banner with the seq and a way back', () => {
    const store = storeWith({ reset: stateView() });
    store.getState().setConnection({ status: 'open', attempt: 0, transport: 'ws' });
    store.getState().travelStarted(1234);
    const html = render(store, <App />);
    expect(html).toContain('data-testid="tm-banner"');
    expect(html).toMatch(/AS OF SEQ <span data-testid="tm-banner-seq">1,234<\/span>/);
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
    expect(html).toContain('1 stale component');
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
