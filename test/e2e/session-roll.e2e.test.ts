import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { removeDir, tempDir } from '../engine/helpers/backbone.ts';
import { startHostProcess, type HostProcess } from '../engine/helpers/cli.ts';
import { http } from '../engine/helpers/host.ts';
import { launchBrowser } from './helpers/browser.ts';

let host: HostProcess;
let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  dir = tempDir('ordo-e2e-roll-');
  host = await startHostProcess(['--data-dir', dir, '--venue-tick-ms', '50']);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(host.url);
  await page.getByTestId('session-state').filter({ hasText: /open/i }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  if (host) expect(await host.stop()).toBe(0);
  removeDir(dir);
});

describe('the session bar rolls the session in a real browser', () => {
  it('Roll session asks first, then session 2 is open with the gtc order still live and the day order gone', async () => {
    const st = (await http(host, 'GET', '/api/state')).body;
    const msft = st.instruments.find((i: { symbol: string }) => i.symbol === 'MSFT');
    const price = Number((msft.referencePrice * 0.95).toFixed(2));
    const base = { clientId: 'ALPHA', symbol: 'MSFT', side: 'buy', orderType: 'limit', quantity: 10, price };
    const gtc = await http(host, 'POST', '/api/orders', { ...base, clientOrderId: 'e2e-roll-gtc', timeInForce: 'gtc' });
    const day = await http(host, 'POST', '/api/orders', { ...base, quantity: 11, clientOrderId: 'e2e-roll-day', timeInForce: 'day' }); // 11: not a duplicate
    expect([gtc.status, day.status]).toEqual([200, 200]);
    await page.locator(`[data-testid="order-state-${gtc.body.orderId}"][data-state="new"]`).waitFor();
    await page.locator(`[data-testid="order-state-${day.body.orderId}"][data-state="new"]`).waitFor();

    // Cancelling the dialog does nothing.
    await page.getByTestId('session-roll').click();
    await page.getByTestId('confirm-cancel').click();
    expect((await http(host, 'GET', '/api/state')).body.session.id).toBe(1);

    await page.getByTestId('session-roll').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('session-id').filter({ hasText: '2' }).waitFor();
    await page.getByTestId('session-state').filter({ hasText: /open/i }).waitFor();
    await page.locator(`[data-testid="order-state-${gtc.body.orderId}"][data-state="new"]`).waitFor();
    expect(await page.getByTestId(`order-row-${day.body.orderId}`).count()).toBe(0);
    expect(await page.getByTestId('session-action-error').count()).toBe(0);
    const sessions = (await http(host, 'GET', '/api/state')).body.session;
    expect(sessions).toMatchObject({ id: 2, state: 'open' });
  });
});
