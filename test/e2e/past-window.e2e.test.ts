import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { OrderWindow } from '../../contract/order-window.ts';
import { orderSession, storeSession } from '../../bench/session.ts';
import { openWritableLog } from '../../engine/store/log.ts';
import { removeDir, tempDir } from '../engine/helpers/backbone.ts';
import { runOrdo, startHostProcess, type HostProcess } from '../engine/helpers/cli.ts';
import { http } from '../engine/helpers/host.ts';
import { launchBrowser, screenshot } from './helpers/browser.ts';

/**
 * The time machine's orders blotter on a past state larger than its first
 * page (decision 166): GET /api/state?at= carries the first 10,000 orders,
 * so the newest orders as of that seq reach the screen only through the
 * host's windows at that seq. A real host on a 60 k-event log with
 * checkpoints, real chromium, both sizes.
 */
const AT = 50_001;
let template: string;

beforeAll(async () => {
  template = tempDir('ordo-e2e-past-template-');
  const w = openWritableLog(join(template, 'ordo.db'), { backgroundCheckpoint: false });
  storeSession(w, orderSession(60_000), undefined, [4, 7, 1]);
  w.close();
  expect((await runOrdo(['checkpoint', '--data-dir', template, '--every', '20000'], 60_000)).code).toBe(0);
}, 120_000);

afterAll(() => removeDir(template));

describe.each([
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
])('the time machine windows a large past state at $width×$height', ({ width, height }) => {
  let dir: string;
  let host: HostProcess;
  let browser: Browser;
  let page: Page;
  const rowIds = () => page.locator('[data-testid="orders-list"] [data-testid^="order-row-"]:not([data-testid="order-row-loading"])').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice('order-row-'.length))));

  beforeAll(async () => {
    dir = tempDir('ordo-e2e-past-');
    cpSync(template, dir, { recursive: true });
    host = await startHostProcess(['--data-dir', dir, '--venue-tick-ms', '50'], 60_000);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width, height } })).newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(host.url);
    await page.getByTestId('session-state').waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (host) expect(await host.stop()).toBe(0);
    removeDir(dir);
  });

  it('pages the past blotter to orders the first page never held, sorted like the live one', async () => {
    const w = (q: string) => http(host, 'GET', `/api/order-window?at=${AT}&session=1&${q}`).then((r) => r.body as OrderWindow);
    const first = await w('limit=1');
    // More orders than getState's first page: the newest of them come only from a window at the seq.
    expect(first.orderCount).toBeGreaterThan(10_000);
    await page.getByTestId('tm-seq').fill(String(AT));
    await page.getByTestId('tm-go').click();
    await page.locator(`[data-testid="tm-banner"][data-seq="${AT}"][data-loading="false"]`).waitFor();
    await page.locator(`[data-testid="orders-count"][data-remote="true"][data-count="${first.orderCount}"]`).waitFor();
    // Newest first (the default): the top row is the newest order as of the seq, past the first page's 10,000.
    await expect.poll(async () => (await rowIds())[0]).toBe(first.orders[0]!.orderId);
    expect(first.orders[0]!.orderId).toBeGreaterThan(10_000);
    // Sorted by quantity on the host at that seq, then scrolled to the last row.
    await page.getByTestId('orders-sort-quantity').click();
    const dir = (await page.getByTestId('orders-sort-quantity').getAttribute('data-sort-dir')) as 'asc' | 'desc';
    const top = await w(`sort=quantity&dir=${dir}&limit=5`);
    await expect.poll(async () => (await rowIds()).slice(0, 5)).toEqual(top.orders.map((o) => o.orderId));
    const last = await w(`sort=quantity&dir=${dir}&offset=${first.orderCount - 1}&limit=1`);
    await page.getByTestId('orders-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByTestId(`order-row-${last.orders[0]!.orderId}`).waitFor();
    await screenshot(page, `past-window-${width}-last-row`);
    // Back to live: the live session's count again (the past rows never went into the live store).
    await page.getByTestId('tm-back-live').click();
    await page.locator('[data-testid="tm-control"][data-mode="live"]').waitFor();
    await page.getByTestId('orders-sort-quantity').click();
  });
});
