import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FillWindow } from '../../contract/fill-window.ts';
import type { HostProcess } from '../engine/helpers/cli.ts';
import { http } from '../engine/helpers/host.ts';
import { screenshot } from './helpers/browser.ts';
import { closeTradingScreen, openTradingScreen, type TradingScreen } from './helpers/screen.ts';

/**
 * The fills blotter on a session with more fills than the UI's initial state
 * (decision 166): the host carries only the newest fills (here 8,
 * `--ui-state-rows`), the blotter counts the whole session and asks the host
 * for windows as the trader scrolls, sorts and filters; CSV export asks the
 * host for every matching fill. A real host, real chromium, both sizes. The
 * expected rows are the host's own fill window (checked against a naive
 * filter-and-sort in test/engine/fill-window.test.ts).
 */
const ORDERS = 30;
const SHOWN = 8;

describe.each([
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
])('the fills blotter windows a large session from the host at $width×$height', ({ width, height }) => {
  let screen: TradingScreen | undefined;
  let host: HostProcess;
  let page: Page;
  let total = 0;
  const fillWindow = async (q: string) => (await http(host, 'GET', `/api/fill-window?${q}`)).body as FillWindow;
  const rowExecIds = () => page.locator('[data-testid="fills-list"] [data-testid^="fill-row-"]:not([data-testid="fill-row-loading"])').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-exec-id'))));

  beforeAll(async () => {
    ({ host, page } = screen = await openTradingScreen('ordo-e2e-fills-window-', { viewport: { width, height }, context: { acceptDownloads: true }, hostArgs: ['--ui-state-rows', String(SHOWN)] }));
    page.setDefaultTimeout(15_000);
    // Orders through the market (they fill against the simulated market maker, possibly in parts: each part is a fill).
    const instruments = (await http(host, 'GET', '/api/state')).body.instruments as { symbol: string; referencePrice: number; tickSize: number; instrumentType: string }[];
    const eq = instruments.filter((i) => i.instrumentType === 'equity').slice(0, 3);
    for (let n = 1; n <= ORDERS; n++) {
      const s = eq[n % eq.length]!;
      const price = Number((Math.round((s.referencePrice * 1.02) / s.tickSize) * s.tickSize).toFixed(2));
      const r = await http(host, 'POST', '/api/orders', {
        clientId: n % 3 === 0 ? 'CHARLIE' : 'ALPHA', clientOrderId: `FW-${width}-${n}`, symbol: s.symbol, side: 'buy', orderType: 'limit', quantity: n, price, timeInForce: 'day', intentional: true,
      });
      expect(r.status).toBeLessThan(300);
    }
    // Every order filled before the page loads, so the counts below are settled.
    for (const end = Date.now() + 90_000; ; ) {
      if (((await http(host, 'GET', '/api/order-window?state=filled&limit=1')).body.total as number) === ORDERS) break;
      if (Date.now() > end) throw new Error(`the ${ORDERS} orders did not all fill`);
      await new Promise((r) => setTimeout(r, 100));
    }
    total = (await fillWindow('limit=1')).total;
    expect(total).toBeGreaterThanOrEqual(ORDERS);
    await page.reload();
    await page.getByTestId('session-state').filter({ hasText: /open/i }).waitFor();
  });

  afterAll(async () => {
    await closeTradingScreen(screen);
  });

  it('counts every fill of the session, shows the newest first and loads the oldest when scrolled to', async () => {
    const count = page.locator(`[data-testid="fills-count"][data-remote="true"][data-count="${total}"]`);
    await count.waitFor();
    expect(await count.textContent()).toBe(`${total}/${total}`);
    const newest = await fillWindow('limit=3');
    await expect.poll(async () => (await rowExecIds()).slice(0, 3)).toEqual(newest.fills.map((f) => f.execId));
    await screenshot(page, `fills-window-${width}-1-newest`);
    // The oldest fill was never in the initial state (it held the newest 8): the scroll brings it from the host.
    const oldest = (await fillWindow('dir=asc&limit=1')).fills[0]!;
    await page.getByTestId('fills-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByTestId(`fill-row-${oldest.execId}`).waitFor();
    await screenshot(page, `fills-window-${width}-2-oldest`);
    await page.getByTestId('fills-list').evaluate((el) => (el.scrollTop = 0));
  });

  it('sorts and filters on the host, and a windowed row opens its order history', async () => {
    await page.getByTestId('fills-sort-quantity').click();
    const dir = (await page.getByTestId('fills-sort-quantity').getAttribute('data-sort-dir')) as 'asc' | 'desc';
    const byQty = await fillWindow(`sort=quantity&dir=${dir}&limit=5`);
    await expect.poll(async () => (await rowExecIds()).slice(0, 5)).toEqual(byQty.fills.map((f) => f.execId));
    await page.getByTestId('fills-filter-client').selectOption('CHARLIE');
    const charlie = await fillWindow(`clientId=CHARLIE&sort=quantity&dir=${dir}&limit=5`);
    await page.locator(`[data-testid="fills-count"][data-count="${charlie.total}"]`).waitFor();
    await expect.poll(async () => (await rowExecIds()).slice(0, 5)).toEqual(charlie.fills.map((f) => f.execId));
    expect(charlie.total).toBeLessThan(total);
    // The client column comes with the window's rows.
    expect(await page.locator('[data-testid="fills-list"] [data-testid^="fill-row-"] [data-col="client"]').first().textContent()).toBe('CHARLIE');
    const first = page.getByTestId(`fill-row-${charlie.fills[0]!.execId}`);
    await first.click();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('order-history').getAttribute('data-order-id')).toBe(String(charlie.fills[0]!.orderId));
    await screenshot(page, `fills-window-${width}-3-charlie-history`);
    await page.getByTestId('order-history-close').click();
  });

  it('CSV export holds every matching fill from the host, not only the rows loaded', async () => {
    const dir = (await page.getByTestId('fills-sort-quantity').getAttribute('data-sort-dir')) as 'asc' | 'desc';
    const want = await fillWindow(`clientId=CHARLIE&sort=quantity&dir=${dir}&limit=2000`);
    await page.getByTestId('fills-more').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('fills-export').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    const header = csv[0]!.split(',');
    // Each fill has its own seq (the Exec column is hidden by default).
    const seqCol = header.indexOf('Seq');
    expect(seqCol, header.join(',')).toBeGreaterThanOrEqual(0);
    expect(csv.slice(1).map((l) => Number(l.split(',')[seqCol]))).toEqual(want.fills.map((f) => f.seq));
    await page.getByTestId('fills-filter-client').selectOption('');
  });
});
