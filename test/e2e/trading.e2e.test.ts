import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HostProcess } from '../engine/helpers/cli.ts';
import { http } from '../engine/helpers/host.ts';
import { screenshot } from './helpers/browser.ts';
import { closeTradingScreen, openTradingScreen, type TradingScreen } from './helpers/screen.ts';

let screen: TradingScreen | undefined;
let host: HostProcess;
let page: Page;
let refs: Record<string, number> = {};

beforeAll(async () => {
  ({ host, page } = screen = await openTradingScreen('ordo-e2e-'));
  refs = Object.fromEntries(screen.instruments.map((i) => [i.symbol, i.referencePrice]));
});

afterAll(() => closeTradingScreen(screen));

const px = (symbol: string, f: number) => (Math.round((refs[symbol]! * f) / 0.01) * 0.01).toFixed(2);

/** Fills the ticket the way a trader does and sends it with Enter; returns the order id. */
async function enterOrder(o: { symbol: string; client?: string; side: 'buy' | 'sell'; qty: number; price?: string; tif?: string }): Promise<number> {
  await page.getByTestId('ticket-clear').click();
  const sym = page.getByTestId('ticket-symbol');
  await sym.fill(o.symbol);
  await sym.press('Escape');
  await page.getByTestId('ticket-client').selectOption(o.client ?? 'ALPHA');
  await page.getByTestId(`ticket-side-${o.side}`).click();
  await page.getByTestId('ticket-quantity').fill(String(o.qty));
  await page.getByTestId('ticket-type').selectOption(o.price === undefined ? 'market' : 'limit');
  if (o.price !== undefined) await page.getByTestId('ticket-price').fill(o.price);
  await page.getByTestId('ticket-tif').selectOption(o.tif ?? 'day');
  await page.getByTestId('ticket-price').press('Enter');
  const result = page.locator('[data-testid="ticket-result"][data-status="sent"]');
  await result.waitFor();
  return Number(await result.getAttribute('data-order-id'));
}

const orderState = (id: number) => page.getByTestId(`order-state-${id}`);

describe('a trader and an operator in a real browser against a real ordo host', () => {
  it('a limit order fills: pending → accepted → filled in the blotter and in the fills', async () => {
    const id = await enterOrder({ symbol: 'AAPL', side: 'buy', qty: 100, price: px('AAPL', 1.02) });
    await page.locator(`[data-testid="order-state-${id}"][data-state="filled"]`).waitFor();
    await page.locator(`[data-testid="ticket-result"][data-state="filled"]`).waitFor();
    const events = (await http(host, 'GET', '/api/events?limit=1000')).body as { type: string; orderId?: number }[];
    expect(events.filter((e) => e.orderId === id).map((e) => e.type).slice(0, 3)).toEqual(['OrderPending', 'OrderAccepted', 'OrderRouted']);
    const fills = (await http(host, 'GET', '/api/state')).body.fills.filter((f: { orderId: number }) => f.orderId === id);
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) await page.getByTestId(`fill-row-${f.execId}`).waitFor();
    await screenshot(page, '1-filled');
  });

  it('a rejected order shows its reason', async () => {
    const id = await enterOrder({ symbol: 'MSFT', side: 'buy', qty: 10, price: px('MSFT', 1.3) });
    await page.locator(`[data-testid="order-state-${id}"][data-state="rejected"]`).waitFor();
    await expect.poll(() => page.getByTestId('ticket-result-message').textContent()).toMatch(/PRICE_OUT_OF_BAND/);
    await expect.poll(() => page.getByTestId(`order-row-${id}`).textContent()).toMatch(/outside ±10%/);
    await screenshot(page, '2-rejected');
  });

  it('cancel and amend from the blotter', async () => {
    const id = await enterOrder({ symbol: 'JPM', side: 'buy', qty: 100, price: px('JPM', 0.95), tif: 'gtc' });
    await page.locator(`[data-testid="order-state-${id}"][data-state="new"]`).waitFor();
    await page.getByTestId(`order-amend-${id}`).click();
    await page.getByTestId(`amend-qty-${id}`).fill('300');
    await page.getByTestId(`amend-submit-${id}`).click();
    await expect.poll(async () => (await http(host, 'GET', '/api/state')).body.orders.find((o: { orderId: number }) => o.orderId === id).quantity).toBe(300);
    await expect.poll(() => page.getByTestId(`order-row-${id}`).textContent()).toMatch(/300/);
    await screenshot(page, '3-amended');
    const other = await enterOrder({ symbol: 'JPM', side: 'buy', qty: 50, price: px('JPM', 0.95) });
    await page.locator(`[data-testid="order-state-${other}"][data-state="new"]`).waitFor();
    await page.getByTestId(`order-cancel-${other}`).click();
    await page.locator(`[data-testid="order-state-${other}"][data-state="cancelled"]`).waitFor();
  });

  it('deactivating risk leaves new orders pending; reactivating processes them', async () => {
    await page.getByTestId('tab-components').click();
    await page.getByTestId('component-deactivate-risk-1').click();
    // The only risk instance: the panel asks first (decision 304).
    await page.getByTestId('confirm-ok').click();
    await page.locator('[data-testid="component-state-risk-1"]').filter({ hasText: /standby/i }).waitFor();
    const id = await enterOrder({ symbol: 'AAPL', side: 'buy', qty: 10, price: px('AAPL', 1.02) });
    await page.locator(`[data-testid="order-state-${id}"][data-state="pending_new"]`).waitFor();
    await new Promise((r) => setTimeout(r, 300));
    expect(await orderState(id).getAttribute('data-state')).toBe('pending_new');
    await screenshot(page, '4-risk-standby');
    await page.getByTestId('component-activate-risk-1').click();
    await page.locator(`[data-testid="order-state-${id}"][data-state="filled"]`).waitFor();
  });

  it('the time machine shows an earlier seq, read-only, and one click goes back to live', async () => {
    const events = (await http(host, 'GET', '/api/events?limit=2000')).body as { seq: number; type: string; orderId?: number }[];
    const filledOrder = events.find((e) => e.type === 'OrderExecuted')!.orderId!;
    const acceptedAt = events.find((e) => e.type === 'OrderAccepted' && e.orderId === filledOrder)!.seq;
    await page.getByTestId('tm-seq').fill(String(acceptedAt));
    await page.getByTestId('tm-go').click();
    await page.locator(`[data-testid="tm-banner"][data-seq="${acceptedAt}"]`).waitFor();
    await page.locator(`[data-testid="order-state-${filledOrder}"][data-state="pending_new"]`).waitFor();
    expect(await page.getByTestId(`order-cancel-${filledOrder}`).count()).toBe(0);
    await screenshot(page, '5-time-machine');
    // Read-only everywhere in the past; stepping by one event moves the as-of seq.
    expect(await page.getByTestId('session-close').isDisabled()).toBe(true);
    await page.getByTestId('tm-step-forward').click();
    await page.locator(`[data-testid="tm-banner"][data-seq="${acceptedAt + 1}"]`).waitFor();
    await page.getByTestId('tm-step-back').click();
    await page.locator(`[data-testid="tm-banner"][data-seq="${acceptedAt}"]`).waitFor();
    await page.getByTestId('tm-back-live').click();
    await page.locator(`[data-testid="order-state-${filledOrder}"][data-state="filled"]`).waitFor();
    expect(await page.getByTestId('tm-banner').count()).toBe(0);
  });

  it('closing and reopening the session brings the open orders back', async () => {
    const st = (await http(host, 'GET', '/api/state')).body;
    const open = st.orders.filter((o: { state: string; timeInForce: string }) => o.timeInForce === 'gtc' && (o.state === 'new' || o.state === 'partially_filled'));
    expect(open.length).toBeGreaterThan(0);
    await page.getByTestId('session-close').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('session-state').filter({ hasText: /closed/i }).waitFor();
    await screenshot(page, '6-closed');
    await page.getByTestId('session-open').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('session-id').filter({ hasText: '2' }).waitFor();
    await page.getByTestId('session-state').filter({ hasText: /open/i }).waitFor();
    for (const o of open) {
      await page.getByTestId(`order-row-${o.orderId}`).waitFor();
      await expect.poll(() => page.getByTestId(`order-row-${o.orderId}`).textContent()).toContain(String(o.leavesQuantity));
    }
    await screenshot(page, '7-reopened');
    // The session picker looks back at session 1, read-only, and LIVE returns to session 2.
    await page.getByTestId('tm-session').selectOption('1');
    await page.getByTestId('tm-banner').filter({ hasText: 'SESSION 1' }).waitFor();
    expect(await page.getByTestId('session-close').isDisabled()).toBe(true);
    await screenshot(page, '8-session-picker');
    await page.getByTestId('tm-live').click();
    await page.getByTestId('tm-banner').waitFor({ state: 'detached' });
  });
});
