import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HostProcess } from '../engine/helpers/cli.ts';
import { http } from '../engine/helpers/host.ts';
import { screenshot } from './helpers/browser.ts';
import { closeTradingScreen, openTradingScreen, type TradingScreen } from './helpers/screen.ts';

/**
 * Selection on a session larger than the blotter's loaded window (decision
 * 164): the arrow keys, Home/End and PageDown move over the host's whole
 * sorted list and fetch the rows they reach; Shift-click selects a range by
 * position across rows never loaded; Ctrl+A selects every order matching the
 * filter, shown as such; a cancel of either asks the host (by filter or by
 * range) after a confirmation naming the count. A real host (`--ui-state-rows
 * 20`), real chromium, 600 resting orders (the window holds ~300), both sizes.
 */
const ORDERS = 600;

describe.each([
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
])('selection over a windowed session at $width×$height', ({ width, height }) => {
  let screen: TradingScreen | undefined;
  let host: HostProcess;
  let page: Page;
  /** Order ids in entry order (oldest first): the blotter's row r (newest first) is ids[ORDERS - 1 - r]. */
  let ids: number[] = [];
  const client = new Map<number, string>();
  const row = (r: number) => ids[ORDERS - 1 - r]!;
  const selected = (id: number) => page.getByTestId(`order-row-${id}`).getAttribute('data-selected');
  const list = () => page.getByTestId('orders-list');
  const open = async (clientId: string) => (await http(host, 'GET', `/api/order-window?state=open&clientId=${clientId}&limit=2000&dir=asc`)).body as { total: number; orders: { orderId: number }[] };

  beforeAll(async () => {
    ({ host, page } = screen = await openTradingScreen('ordo-e2e-select-', { viewport: { width, height }, hostArgs: ['--ui-state-rows', '20'] }));
    page.setDefaultTimeout(20_000);
    const instruments = (await http(host, 'GET', '/api/state')).body.instruments as { symbol: string; referencePrice: number; tickSize: number; instrumentType: string }[];
    const eq = instruments.filter((i) => i.instrumentType === 'equity').slice(0, 3);
    // Far below the market: they rest (no fill can race a count below). Sent 20 at a time.
    for (let n = 0; n < ORDERS; n += 20) {
      const rs = await Promise.all(
        Array.from({ length: 20 }, (_, k) => {
          const i = n + k + 1;
          const s = eq[i % eq.length]!;
          const price = Number((Math.round((s.referencePrice * 0.9) / s.tickSize) * s.tickSize).toFixed(2));
          const clientId = i % 3 === 0 ? 'CHARLIE' : 'ALPHA';
          return http(host, 'POST', '/api/orders', { clientId, clientOrderId: `SEL-${width}-${i}`, symbol: s.symbol, side: 'buy', orderType: 'limit', quantity: 1, price, timeInForce: 'day', intentional: true }).then((r) => ({ r, clientId }));
        }),
      );
      for (const { r, clientId } of rs) {
        expect(r.status).toBeLessThan(300);
        client.set(r.body.orderId as number, clientId);
      }
    }
    ids = [...client.keys()].sort((a, b) => a - b);
    for (const end = Date.now() + 90_000; ; ) {
      if (((await http(host, 'GET', '/api/order-window?state=new&limit=1')).body.total as number) === ORDERS) break;
      if (Date.now() > end) throw new Error(`the ${ORDERS} orders did not all rest at the venue`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.reload();
    await page.getByTestId('session-state').filter({ hasText: /open/i }).waitFor();
    await page.locator(`[data-testid="orders-count"][data-remote="true"][data-count="${ORDERS}"]`).waitFor();
  }, 180_000);

  afterAll(async () => {
    await closeTradingScreen(screen);
  });

  it('↑↓, Home/End and PageDown move over the whole list, fetching the rows they reach', async () => {
    await page.getByTestId(`order-row-${row(0)}`).click();
    expect(await selected(row(0))).toBe('true');
    // The oldest order: never in the initial state nor in the window at the top.
    await list().press('End');
    await expect.poll(() => selected(row(ORDERS - 1))).toBe('true');
    await list().press('ArrowUp');
    await expect.poll(() => selected(row(ORDERS - 2))).toBe('true');
    await list().press('Home');
    await expect.poll(() => selected(row(0))).toBe('true');
    // 25 pages of 20 rows: row 500, far past the window loaded at the top (~300 rows).
    for (let k = 0; k < 25; k++) await list().press('PageDown');
    await expect.poll(() => selected(row(500))).toBe('true');
    await expect.poll(() => page.locator('[data-testid="orders-list"] [data-selected="true"]').count()).toBe(1);
    await screenshot(page, `select-${width}-1-pagedown`);
    await list().press('Escape');
  });

  it('Ctrl+A selects all N matching the filter (shown as such); cancelling it by filter names the count and reaches every one', async () => {
    await list().evaluate((el) => (el.scrollTop = 0));
    await page.getByTestId(`order-row-${row(1)}`).click();
    await list().press('Control+a');
    const bar = page.locator(`[data-testid="orders-selection"][data-all="true"][data-count="${ORDERS}"]`);
    await bar.waitFor();
    expect(await bar.textContent()).toContain(`All ${ORDERS} matching`);
    await page.locator(`[data-testid="orders-selection"][data-working="${ORDERS}"]`).waitFor();
    // A row far from the window shows selected when scrolled to.
    await list().evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => selected(row(ORDERS - 1))).toBe('true');
    await list().press('Delete');
    await page.getByTestId('confirm-dialog').waitFor();
    expect(await page.getByTestId('confirm-dialog').textContent()).toContain(`Cancel ${ORDERS} working orders?`);
    await page.getByTestId('confirm-cancel').click();
    await screenshot(page, `select-${width}-2-all`);

    // Only CHARLIE: Ctrl+A is the 200 matching, cancelled by the host by filter.
    await page.getByTestId('orders-filter-client').selectOption('CHARLIE');
    await page.locator(`[data-testid="orders-count"][data-count="${ORDERS / 3}"]`).waitFor();
    const first = page.locator('[data-testid="orders-list"] [data-testid^="order-row-"]:not([data-testid="order-row-loading"])').first();
    await first.click();
    await list().press('Control+a');
    await page.locator(`[data-testid="orders-selection"][data-all="true"][data-count="${ORDERS / 3}"][data-working="${ORDERS / 3}"]`).waitFor();
    await page.getByTestId('orders-cancel-selected').click();
    expect(await page.getByTestId('confirm-dialog').textContent()).toContain(`Cancel ${ORDERS / 3} working orders?`);
    expect(await page.getByTestId('confirm-dialog').textContent()).toContain(`all ${ORDERS / 3} orders matching the filter`);
    await page.getByTestId('confirm-ok').click();
    await expect.poll(async () => (await open('CHARLIE')).total, { timeout: 60_000 }).toBe(0);
    expect((await open('ALPHA')).total).toBe((ORDERS * 2) / 3);
    await page.getByTestId('order-action-status').filter({ hasText: `Cancel requested for ${ORDERS / 3} orders` }).waitFor();
    await page.getByTestId('orders-filter-client').selectOption('');
    await page.locator(`[data-testid="orders-count"][data-count="${ORDERS}"]`).waitFor();
  });

  it('Shift-click selects a range by position across rows never loaded; its cancel reaches exactly that range', async () => {
    await list().press('Escape');
    await list().evaluate((el) => (el.scrollTop = 0));
    await page.getByTestId(`order-row-${row(2)}`).click();
    await list().evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByTestId(`order-row-${row(ORDERS - 6)}`).click({ modifiers: ['Shift'] });
    const inRange = ids.filter((id) => id >= row(ORDERS - 6) && id <= row(2));
    const working = inRange.filter((id) => client.get(id) === 'ALPHA');
    await page.locator(`[data-testid="orders-selection"][data-count="${inRange.length}"][data-working="${working.length}"]`).waitFor();
    expect(inRange.length).toBe(ORDERS - 7);
    await screenshot(page, `select-${width}-3-range`);
    await page.getByTestId(`order-row-${row(ORDERS - 6)}`).click({ button: 'right' });
    await page.getByTestId('ctx-cancel-selected').click();
    expect(await page.getByTestId('confirm-dialog').textContent()).toContain(`Cancel ${working.length} working orders?`);
    await page.getByTestId('confirm-ok').click();
    // Exactly the ALPHA orders outside the range stay working.
    const outside = ids.filter((id) => client.get(id) === 'ALPHA' && !inRange.includes(id));
    await expect.poll(async () => (await open('ALPHA')).orders.map((o) => o.orderId), { timeout: 60_000 }).toEqual(outside);
    await screenshot(page, `select-${width}-4-range-cancelled`);
  });

  it('"Cancel all working for CLIENT" asks the host by filter, with the count from the host', async () => {
    const left = (await open('ALPHA')).orders.map((o) => o.orderId);
    expect(left.length).toBeGreaterThan(0);
    await list().press('Escape');
    await list().evaluate((el) => (el.scrollTop = 0));
    // Row 1 is an ALPHA order outside the range cancelled above (row 0 is CHARLIE's).
    expect(left).toContain(row(1));
    await page.getByTestId(`order-row-${row(1)}`).click({ button: 'right' });
    expect(await page.getByTestId('ctx-cancel-client').textContent()).toContain('ALPHA');
    await page.getByTestId('ctx-cancel-client').click();
    expect(await page.getByTestId('confirm-dialog').textContent()).toContain(`Cancel ${left.length} working orders?`);
    await page.getByTestId('confirm-ok').click();
    await expect.poll(async () => (await open('ALPHA')).total, { timeout: 60_000 }).toBe(0);
  });
});
