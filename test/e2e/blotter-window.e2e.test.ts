import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HostProcess } from '../engine/helpers/cli.ts';
import { http } from '../engine/helpers/host.ts';
import { screenshot } from './helpers/browser.ts';
import { closeTradingScreen, openTradingScreen, type TradingScreen } from './helpers/screen.ts';

/**
 * The orders blotter on a session larger than the UI's initial state (decision
 * 150): the host carries only the newest rows (here 20, `--ui-state-rows`),
 * the blotter shows them at once and asks the host for windows as the trader
 * scrolls, sorts, filters and searches; CSV export and client-wide actions
 * ask the host for every matching row. A real host, real chromium, both sizes.
 */
const ORDERS = 90;
const SHOWN = 20;

describe.each([
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
])('the blotter windows a large session from the host at $width×$height', ({ width, height }) => {
  let screen: TradingScreen | undefined;
  let host: HostProcess;
  let page: Page;
  const ids: number[] = [];
  const rowIds = () => page.locator('[data-testid="orders-list"] [data-testid^="order-row-"]:not([data-testid="order-row-loading"])').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice('order-row-'.length))));

  beforeAll(async () => {
    ({ host, page } = screen = await openTradingScreen('ordo-e2e-window-', { viewport: { width, height }, context: { acceptDownloads: true }, hostArgs: ['--ui-state-rows', String(SHOWN)] }));
    page.setDefaultTimeout(15_000);
    // Orders far from the market (they rest: no fill races), quantities 1..ORDERS so a sort by quantity is known.
    const instruments = (await http(host, 'GET', '/api/state')).body.instruments as { symbol: string; referencePrice: number; tickSize: number; instrumentType: string }[];
    const eq = instruments.filter((i) => i.instrumentType === 'equity').slice(0, 3);
    for (let n = 1; n <= ORDERS; n++) {
      const s = eq[n % eq.length]!;
      const price = Number((Math.round((s.referencePrice * 0.95) / s.tickSize) * s.tickSize).toFixed(2));
      const r = await http(host, 'POST', '/api/orders', {
        clientId: n % 3 === 0 ? 'CHARLIE' : 'ALPHA', clientOrderId: `WIN-${width}-${n}`, symbol: s.symbol, side: 'buy', orderType: 'limit', quantity: n, price, timeInForce: 'day', intentional: true,
      });
      expect(r.status).toBeLessThan(300);
      ids.push(r.body.orderId as number);
    }
    // Every order resting at the venue before the page loads, so the counts below are settled.
    for (const end = Date.now() + 60_000; ; ) {
      if (((await http(host, 'GET', '/api/order-window?state=new&limit=1')).body.total as number) === ORDERS) break;
      if (Date.now() > end) throw new Error(`the ${ORDERS} orders did not all rest at the venue`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.reload();
    await page.getByTestId('session-state').filter({ hasText: /open/i }).waitFor();
  });

  afterAll(async () => {
    await closeTradingScreen(screen);
  });

  it('shows the newest orders first, counts the whole session, and loads the oldest when scrolled to', async () => {
    const count = page.locator(`[data-testid="orders-count"][data-remote="true"][data-count="${ORDERS}"]`);
    await count.waitFor();
    expect(await count.textContent()).toBe(`${ORDERS}/${ORDERS}`);
    expect((await rowIds())[0]).toBe(ids.at(-1));
    expect(Number(await page.getByTestId('orders-working').getAttribute('data-count'))).toBe(ORDERS);
    await screenshot(page, `window-${width}-1-newest`);
    // The oldest order was never in the initial state: the scroll brings it from the host.
    await page.getByTestId('orders-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByTestId(`order-row-${ids[0]}`).waitFor();
    await screenshot(page, `window-${width}-2-oldest`);
    await page.getByTestId('orders-list').evaluate((el) => (el.scrollTop = 0));
  });

  it('sorts, filters and searches on the host; keyboard and history work on a windowed row', async () => {
    await page.getByTestId('orders-sort-quantity').click();
    await expect.poll(async () => (await rowIds())[0]).toBe(ids.at(-1));
    await page.getByTestId('orders-sort-quantity').click();
    // Ascending: quantity 1 is the oldest order, not in the initial state.
    await expect.poll(async () => (await rowIds()).slice(0, 3)).toEqual(ids.slice(0, 3));
    await page.getByTestId('orders-filter-client').selectOption('CHARLIE');
    await page.locator(`[data-testid="orders-count"][data-count="${ORDERS / 3}"]`).waitFor();
    expect((await rowIds())[0]).toBe(ids[2]);
    await page.getByTestId('orders-filter-client').selectOption('');
    await page.getByTestId('orders-search').fill(`WIN-${width}-7`);
    // WIN-…-7 and WIN-…-70..79: eleven, from the host's text search.
    await page.locator('[data-testid="orders-count"][data-count="11"]').waitFor();
    expect((await rowIds())[0]).toBe(ids[6]);
    await page.getByTestId(`order-row-${ids[6]}`).click();
    await page.getByTestId('orders-list').press('ArrowDown');
    await expect.poll(async () => page.getByTestId(`order-row-${ids[69]}`).getAttribute('data-selected')).toBe('true');
    await page.getByTestId('orders-list').press('Enter');
    await page.getByTestId('order-history').waitFor();
    await screenshot(page, `window-${width}-3-search-history`);
    await page.getByTestId('order-history-close').click();
    await page.getByTestId('orders-search').fill('');
  });

  it('CSV export holds every matching order from the host, not only the rows loaded', async () => {
    await page.getByTestId('orders-filter-client').selectOption('ALPHA');
    await page.locator(`[data-testid="orders-count"][data-count="${(ORDERS * 2) / 3}"]`).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('orders-export').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    const header = csv[0]!.split(',');
    const orderCol = header.indexOf('Order');
    const exported = csv.slice(1).map((l) => Number(l.split(',')[orderCol]));
    // Sorted by quantity ascending (the sort above), ALPHA only: ids in entry order without every third.
    expect(exported).toEqual(ids.filter((_, i) => (i + 1) % 3 !== 0));
    await page.getByTestId('orders-filter-client').selectOption('');
  });

  it('a new order shows at the top of the live window; a cancel from the row menu reaches the host', async () => {
    await page.getByTestId('orders-sort-createdTs').click();
    // The keyboard focus of the test before keeps its row in view: back to the top.
    await page.getByTestId('orders-list').press('Escape');
    await page.getByTestId('orders-list').evaluate((el) => (el.scrollTop = 0));
    await expect.poll(async () => (await rowIds())[0]).toBe(ids.at(-1));
    const s = (await http(host, 'GET', '/api/order-window?limit=1')).body.orders[0] as { symbol: string; price: number };
    const r = await http(host, 'POST', '/api/orders', { clientId: 'ALPHA', clientOrderId: `WIN-${width}-new`, symbol: s.symbol, side: 'buy', orderType: 'limit', quantity: 5, price: s.price, timeInForce: 'day', intentional: true });
    const newId = r.body.orderId as number;
    await expect.poll(async () => (await rowIds())[0], { timeout: 20_000 }).toBe(newId);
    await page.locator(`[data-testid="orders-count"][data-count="${ORDERS + 1}"]`).waitFor();
    // The oldest order, cancelled from its row (loaded by scrolling).
    await page.getByTestId('orders-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByTestId(`order-row-${ids[0]}`).click({ button: 'right' });
    await page.getByTestId('ctx-cancel').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(async () => ((await http(host, 'GET', `/api/orders/${ids[0]}/history`)).body.events as { type: string }[]).map((e) => e.type), { timeout: 20_000 }).toContain('OrderCancelled');
    await page.locator(`[data-testid="order-state-${ids[0]}"][data-state="cancelled"]`).waitFor({ timeout: 20_000 });
    await screenshot(page, `window-${width}-4-cancelled`);
  });
});
