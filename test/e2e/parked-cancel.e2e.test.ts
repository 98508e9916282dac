import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HostProcess } from '../engine/helpers/cli.ts';
import { http } from '../engine/helpers/host.ts';
import { closeTradingScreen, openTradingScreen, type TradingScreen } from './helpers/screen.ts';

let screen: TradingScreen | undefined;
let host: HostProcess;
let page: Page;

beforeAll(async () => {
  ({ host, page } = screen = await openTradingScreen('ordo-e2e-parked-'));
});

afterAll(() => closeTradingScreen(screen));

/**
 * Between an explicit close and the next open (decisions 075, 130), in a real
 * browser: a gtc order shows PARKED (blotter and order detail), the blotter's cancel is taken and says it
 * is stored for the open, and the open cancels the order.
 */
describe('a parked order in the blotter between sessions', () => {
  it('shows PARKED; Cancel says it is stored for the next open; the open cancels it', async () => {
    const st = (await http(host, 'GET', '/api/state')).body;
    const msft = st.instruments.find((i: { symbol: string }) => i.symbol === 'MSFT');
    // Far below the market: the market maker never fills it.
    const price = Number((msft.referencePrice * 0.93).toFixed(2));
    const r = await http(host, 'POST', '/api/orders', { clientId: 'ALPHA', clientOrderId: 'e2e-parked', symbol: 'MSFT', side: 'buy', orderType: 'limit', quantity: 13, price, timeInForce: 'gtc' });
    expect(r.status).toBe(200);
    const id = r.body.orderId as number;
    await page.locator(`[data-testid="order-state-${id}"][data-state="new"]`).waitFor();

    expect((await http(host, 'POST', '/api/session/close')).status).toBe(200);
    const badge = page.locator(`[data-testid="order-state-${id}"][data-parked="true"]`);
    await badge.waitFor();
    expect(await badge.textContent()).toBe('PARKED');
    expect(await badge.getAttribute('title')).toBe('parked — re-enters at open');
    // The order's detail (its history drawer) says so too.
    await page.locator(`[data-testid="order-row-${id}"] [data-col="symbol"]`).dblclick();
    const detail = page.locator('[data-testid="order-history-state"][data-parked="true"]');
    await detail.waitFor();
    expect(await detail.textContent()).toBe('PARKED');
    await page.getByTestId('order-history-close').click();

    // The row's Cancel button does not ask first (the blotter's one-click cancel).
    await page.getByTestId(`order-cancel-${id}`).click();
    await page.getByTestId('order-action-status').filter({ hasText: 'No session is open: cancel stored for 1 order, cancelled when the next session opens' }).waitFor();

    expect((await http(host, 'POST', '/api/session/open')).status).toBe(200);
    await page.locator(`[data-testid="order-state-${id}"][data-state="cancelled"]`).waitFor();
    const o = (await http(host, 'GET', '/api/state')).body.orders.find((x: { orderId: number }) => x.orderId === id);
    expect(o).toMatchObject({ state: 'cancelled', filledQuantity: 0 });
  });
});
