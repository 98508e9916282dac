import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from './helpers/browser.ts';
import { closeTradingScreen, openTradingScreen, type TradingScreen } from './helpers/screen.ts';

/**
 * Round 18, outside: at 1280×800 (a 1280-class laptop, the narrowest the layout is made for after 1100 px) the
 * Components panel's first header read "COMPONEN" (its column at its least, 72 px, narrower than the title; the
 * column is "Instance" now), and the
 * session bar's alerts chip shrank under the help button ("?" over the alert count). Both are checked here at
 * 1280 and at 1920, where neither happened: every table header's title is whole inside its own cell (a table
 * narrower than its panel scrolls sideways by design, so a header past the panel's edge is not a cut), and the
 * alerts chip shows its icon and count clear of the help button.
 */
describe.each([
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const)('nothing cut at $width×$height', ({ width, height }) => {
  let screen: TradingScreen | undefined;
  let page: Page;

  beforeAll(async () => {
    ({ page } = screen = await openTradingScreen('ordo-e2e-narrow-', { viewport: { width, height } }));
    page.setDefaultTimeout(10_000);
    await page.locator('[data-testid="components-list"] .tr').first().waitFor();
  });

  afterAll(async () => {
    await closeTradingScreen(screen);
  });

  it("every header's title is whole inside its cell", async () => {
    await screenshot(page, `narrow-${width}`);
    // A string: the test's tsconfig has no DOM types (the engine's layer), as in pro-ui.e2e.
    const cut = (await page.evaluate(`(() => {
      const out = [];
      for (const th of document.querySelectorAll('.thead > *')) {
        const title = (th.textContent ?? '').trim();
        if (title === '') continue;
        const range = document.createRange();
        range.selectNodeContents(th);
        const text = range.getBoundingClientRect();
        const cell = th.getBoundingClientRect();
        // Past the cell's padding box is where overflow: hidden cuts it (half a pixel of rounding allowed).
        if (text.right > cell.right + 0.5 || text.left < cell.left - 0.5) out.push(title + ' (' + Math.round(text.width) + ' px of text in ' + Math.round(cell.width) + ' px)');
      }
      return out;
    })()`)) as string[];
    expect(cut).toEqual([]);
  });

  it('the alerts chip shows its icon and count, clear of the help button, with a seq of four digits', async () => {
    // Round 19: with the seq past 1,000 (four digits and a comma) the bar was 12 px wider and the chip shrank under
    // the help button again at 1280. Orders (rejected: off the price band) until the seq has four digits.
    const { port, token } = screen!.host;
    const post = (i: number) =>
      fetch(`http://127.0.0.1:${port}/api/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'ALPHA', clientOrderId: `narrow-${width}-${i}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 1, price: 1, timeInForce: 'day', intentional: true }),
      });
    for (let i = 0; (await page.locator('[data-testid="session-seq"]').innerText()).replace(/\D/g, '').length < 4; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => post(i + k)));
    }
    const chip = await page.locator('.alerts-toggle').boundingBox();
    const help = await page.locator('[data-testid="help-open"]').boundingBox();
    expect(chip).not.toBeNull();
    expect(help).not.toBeNull();
    expect(chip!.x + chip!.width).toBeLessThanOrEqual(help!.x);
    // Whole: the chip is as wide as what it holds (a shrunk chip clipped its count).
    const whole = await page.locator('.alerts-toggle').evaluate((e) => e.scrollWidth <= e.clientWidth);
    expect(whole).toBe(true);
  });
});
