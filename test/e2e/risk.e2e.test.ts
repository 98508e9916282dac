import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HostProcess } from '../engine/helpers/cli.ts';
import { http } from '../engine/helpers/host.ts';
import { closeTradingScreen, openTradingScreen, type TradingScreen } from './helpers/screen.ts';

let screen: TradingScreen | undefined;
let host: HostProcess;
let page: Page;

beforeAll(async () => {
  ({ host, page } = screen = await openTradingScreen('ordo-e2e-risk-'));
});

afterAll(() => closeTradingScreen(screen));

describe('positions and risk controls in a real browser', () => {
  it('shows a filled position with client totals, halts and resumes a client, changes a limit', async () => {
    const st = await http(host, 'GET', '/api/state');
    const ref = st.body.instruments.find((i: { symbol: string }) => i.symbol === 'AAPL').referencePrice as number;
    const r = await http(host, 'POST', '/api/orders', {
      clientId: 'ALPHA', clientOrderId: 'e2e-risk-1', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 50, price: Number((ref * 1.02).toFixed(2)), timeInForce: 'ioc',
    });
    expect(r.status).toBe(200);

    await page.getByTestId('risk-toggle').click();
    await page.getByTestId('risk-drawer').waitFor();
    const row = page.getByTestId('position-ALPHA-AAPL');
    await row.waitFor({ timeout: 20_000 });
    const qty = Number((await row.getByTestId('position-qty').innerText()).replace(/,/g, ''));
    expect(qty).toBeGreaterThan(0);
    await page.getByTestId('positions-total-ALPHA').waitFor();

    // Push-driven: with the drawer open, another fill shows up without any poll (the panel reloads on the fill's push).
    const more = await http(host, 'POST', '/api/orders', {
      clientId: 'ALPHA', clientOrderId: 'e2e-risk-2', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 30, price: Number((ref * 1.02).toFixed(2)), timeInForce: 'ioc',
    });
    expect(more.status).toBe(200);
    const filled = async (): Promise<number> => {
      const o = (await http(host, 'GET', '/api/state')).body.orders as { clientId: string; symbol: string; filledQuantity: number }[];
      return o.filter((x) => x.clientId === 'ALPHA' && x.symbol === 'AAPL').reduce((n, x) => n + x.filledQuantity, 0);
    };
    await expect.poll(filled, { timeout: 20_000 }).toBeGreaterThan(qty);
    const total = await filled();
    await expect.poll(async () => Number((await row.getByTestId('position-qty').innerText()).replace(/,/g, '')), { timeout: 20_000 }).toBe(total);
    expect(await page.getByRole('columnheader', { name: 'Realised today' }).count()).toBe(1);

    // Kill switch for BRAVO from the UI, with a confirmation.
    await page.getByTestId('halt-BRAVO').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('client-halted-BRAVO').waitFor({ timeout: 20_000 });
    const risk = (await http(host, 'GET', '/api/risk')).body;
    expect(risk.clients.find((c: { clientId: string }) => c.clientId === 'BRAVO').halt).toMatchObject({ by: 'ui' });
    await page.getByTestId('resume-BRAVO').click();
    await page.getByTestId('halt-BRAVO').waitFor({ timeout: 20_000 });

    // A limit change from the UI is a sequenced LimitsChanged by "ui".
    await page.getByTestId('limit-DELTA-maxOrderNotional').click();
    // As a risk manager writes it: Number() refused it (round 19, outside).
    await page.getByTestId('limit-value').fill('75,000');
    await page.getByTestId('limit-apply').click();
    await page.getByTestId('limit-DELTA-maxOrderNotional').filter({ hasText: '75,000.00' }).waitFor({ timeout: 20_000 });
    const events = (await http(host, 'GET', '/api/events?limit=1000')).body as { type: string; by?: string; clientId?: string }[];
    expect(events.filter((e) => e.type === 'LimitsChanged').at(-1)).toMatchObject({ clientId: 'DELTA', by: 'ui', maxOrderNotional: 75_000 });
  }, 90_000);
});
