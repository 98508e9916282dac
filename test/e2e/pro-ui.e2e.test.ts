import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HostProcess } from '../engine/helpers/cli.ts';
import { http } from '../engine/helpers/host.ts';
import { screenshot } from './helpers/browser.ts';
import { closeTradingScreen, openTradingScreen, type TradingScreen } from './helpers/screen.ts';

/**
 * The trading screen as a professional uses it, at the two sizes desks have:
 * a 1366×768 laptop and a 1920×1080 monitor. Every block runs at both, each
 * against its own real host, and keeps screenshots under screenshots/.
 */
const VIEWPORTS = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

interface Instrument {
  symbol: string;
  referencePrice: number;
  tickSize: number;
  lotSize: number;
  instrumentType: string;
}

describe.each(VIEWPORTS)('a professional trading screen at $width×$height', ({ width, height }) => {
  let screen: TradingScreen | undefined;
  let host: HostProcess;
  let page: Page;
  let instruments: Instrument[] = [];
  let hostStopped = false;
  const tag = `${width}`;
  const ref = (symbol: string): Instrument => instruments.find((i) => i.symbol === symbol)!;
  const onTick = (symbol: string, f: number): number => {
    const i = ref(symbol);
    return Number((Math.round((i.referencePrice * f) / i.tickSize) * i.tickSize).toFixed(4));
  };
  let coid = 0;
  /** An order through the HTTP API (the way another desk's script would send it). */
  const send = async (symbol: string, side: 'buy' | 'sell', quantity: number, price: number, tif = 'gtc', clientId = 'ALPHA'): Promise<number> => {
    coid++;
    const r = await http(host, 'POST', '/api/orders', { clientId, clientOrderId: `E2E-${tag}-${coid}`, symbol, side, orderType: 'limit', quantity, price, timeInForce: tif, ...(side === 'sell' ? { locate: true } : {}) });
    expect(r.status).toBeLessThan(300);
    return r.body.orderId as number;
  };
  const stateOf = (id: number) => page.locator(`[data-testid="order-state-${id}"]`);
  const waitState = (id: number, state: string) => page.locator(`[data-testid="order-state-${id}"][data-state="${state}"]`).waitFor();

  beforeAll(async () => {
    ({ host, page, instruments } = screen = await openTradingScreen('ordo-e2e-pro-', { viewport: { width, height }, context: { acceptDownloads: true } }));
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await closeTradingScreen(screen, { hostStopped });
  });

  it('layout: actions, long symbols and big quantities stay readable; nothing important is off-screen', async () => {
    const option = instruments.find((i) => i.instrumentType === 'option')!;
    const working = await send(option.symbol, 'buy', 100 * option.lotSize, onTick(option.symbol, 0.9));
    // 100,000,000 shares: risk refuses it, the row still has to show the whole quantity.
    const big = await send('AAPL', 'buy', 100_000_000, onTick('AAPL', 0.95));
    await waitState(working, 'new');
    await waitState(big, 'rejected');
    const inView = async (testid: string) => {
      const b = await page.getByTestId(testid).boundingBox();
      expect(b, testid).not.toBeNull();
      expect(b!.x + b!.width, `${testid} right edge`).toBeLessThanOrEqual(width);
      expect(b!.y + b!.height, `${testid} bottom edge`).toBeLessThanOrEqual(height);
    };
    await inView(`order-cancel-${working}`);
    await inView(`order-amend-${working}`);
    await inView('component-shutdown-router-1');
    await inView(`instrument-ask-${option.symbol}`);
    await inView('ticket-submit');
    const fits = async (sel: string) =>
      page.locator(sel).first().evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, text: el.textContent }));
    const sym = await fits(`[data-testid="order-row-${working}"] [data-col="symbol"]`);
    expect(sym.text).toBe(option.symbol);
    expect(sym.scroll).toBeLessThanOrEqual(sym.client);
    const qty = await fits(`[data-testid="order-row-${big}"] [data-col="qty"]`);
    expect(qty.text).toBe('100,000,000');
    expect(qty.scroll).toBeLessThanOrEqual(qty.client);
    expect(await page.locator(`[data-testid="order-row-${working}"] [data-col="symbol"]`).getAttribute('title')).toBe(option.symbol);
    // The components' three actions stay inside their cell, the cell inside the panel, and the cell lines up
    // with the header's last column (they ran past both, over the heartbeat age, decision 216).
    const comps = await page.getByTestId('components-list').evaluate((list) => {
      const panel = list.getBoundingClientRect();
      const head = list.querySelector('.thead > :last-child')!.getBoundingClientRect();
      return [...list.querySelectorAll('[data-testid^="component-row-"]')].map((row) => {
        const cell = row.querySelector('.td.actions')!.getBoundingClientRect();
        const buttons = [...row.querySelectorAll('button')].map((b) => b.getBoundingClientRect());
        return {
          id: row.getAttribute('data-testid'),
          buttons: buttons.length,
          inCell: buttons.every((b) => b.left >= cell.left - 0.5 && b.right <= cell.right + 0.5),
          inPanel: cell.right <= panel.right + 0.5 && cell.left >= panel.left - 0.5,
          alignedWithHeader: Math.abs(cell.left - head.left) < 1 && Math.abs(cell.right - head.right) < 1,
        };
      });
    });
    expect(comps.length).toBe(5);
    for (const c of comps) expect(c, c.id ?? '').toMatchObject({ buttons: 3, inCell: true, inPanel: true, alignedWithHeader: true });
    // The Positions & risk launcher sits in the lower-right panel's head, on screen: floating in the screen's
    // corner it covered the panel's last line at 1366×768 (the components' footer, the event log's detail; decision 234).
    const launcher = (await page.getByTestId('risk-toggle').boundingBox())!;
    const opsHead = (await page.locator('[data-testid="ops-panel"] > .panel-head').boundingBox())!;
    expect(launcher.x).toBeGreaterThanOrEqual(opsHead.x);
    expect(launcher.x + launcher.width).toBeLessThanOrEqual(opsHead.x + opsHead.width);
    expect(launcher.y).toBeGreaterThanOrEqual(opsHead.y);
    expect(launcher.y + launcher.height).toBeLessThanOrEqual(opsHead.y + opsHead.height);
    expect(launcher.x + launcher.width).toBeLessThanOrEqual(width);
    expect(await uncovered(page, '[data-testid="components-list"] [data-testid^="component-row-"] button, .components-foot *')).toEqual([]);
    await screenshot(page, `pro-${tag}-1-layout`);
  });

  it('ticket, keyboard only: Esc clears the instrument, F2 sells, ↑↓ step by tick, the price goes on the tick, Enter sends', async () => {
    const sym = page.getByTestId('ticket-symbol');
    await sym.click();
    await page.keyboard.type('CALL');
    await page.keyboard.press('Escape'); // closes the list
    await page.keyboard.press('Escape'); // clears the ticket
    await expect.poll(() => sym.inputValue()).toBe('');
    await sym.focus();
    await page.keyboard.type('JPM');
    expect(await sym.inputValue()).toBe('JPM');
    await page.keyboard.press('Escape');
    await page.keyboard.press('F2');
    expect(await page.getByTestId('ticket-side-sell').getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('ticket-quantity');
    await page.keyboard.type('100');
    // ALPHA holds no JPM: a sell is a short sale, and risk wants a locate for it.
    await page.getByTestId('ticket-locate').check();
    const price = page.getByTestId('ticket-price');
    await price.focus();
    await page.keyboard.press('ArrowUp'); // empty field: starts at last (or reference), on the tick
    const first = Number(await price.inputValue());
    expect(first).toBeGreaterThan(0);
    await page.keyboard.press('ArrowUp');
    expect(Number(await price.inputValue())).toBeCloseTo(first + 0.01, 6);
    await page.keyboard.press('Shift+ArrowDown');
    expect(Number(await price.inputValue())).toBeCloseTo(first - 0.09, 6);
    const target = onTick('JPM', 1.05);
    await price.fill(`${target.toFixed(2)}00000001`);
    await page.keyboard.press('Tab'); // blur: normalised to the tick
    expect(await price.inputValue()).toBe(target.toFixed(2));
    await price.focus();
    await page.keyboard.press('Enter');
    const result = page.locator('[data-testid="ticket-result"][data-status="sent"]');
    await result.waitFor();
    const id = Number(await result.getAttribute('data-order-id'));
    const o = (await http(host, 'GET', '/api/state')).body.orders.find((x: { orderId: number }) => x.orderId === id);
    expect(o).toMatchObject({ symbol: 'JPM', side: 'sell', quantity: 100, price: target });
    // Above the market it rests: accepted with the locate, not SHORT_SALE_NO_LOCATE.
    await waitState(id, 'new');
    await page.keyboard.press('F1');
    expect(await page.getByTestId('ticket-side-buy').getAttribute('aria-checked')).toBe('true');
    await screenshot(page, `pro-${tag}-2-ticket-keys`);
  });

  it('ticket: an order above the notional threshold needs a second confirmation; the help overlay lists the keys', async () => {
    await page.getByTestId('ticket-clear').click();
    await page.getByTestId('ticket-symbol').fill('AAPL');
    await page.getByTestId('ticket-symbol').press('Escape');
    await page.getByTestId('ticket-quantity').fill('100000');
    await page.getByTestId('ticket-price').fill(onTick('AAPL', 0.99).toFixed(2));
    // The submit button shows the whole order, price included (it was cut to "BUY 100,000 AAPL @ 22…" at 1366).
    const label = await page.getByTestId('ticket-submit').evaluate((el) => ({ text: el.textContent, sw: el.scrollWidth, cw: el.clientWidth, sh: el.scrollHeight, ch: el.clientHeight }));
    expect(label.text).toBe(`BUY 100,000 AAPL @ ${onTick('AAPL', 0.99).toFixed(2)} DAY`);
    expect(label.sw).toBeLessThanOrEqual(label.cw);
    expect(label.sh).toBeLessThanOrEqual(label.ch);
    const before = (await http(host, 'GET', '/api/state')).body.orders.length;
    await page.getByTestId('ticket-price').press('Enter');
    await page.getByTestId('confirm-dialog').waitFor();
    expect(await page.getByTestId('fat-finger-body').textContent()).toMatch(/notional of .*above your confirmation threshold of 1,000,000/);
    await screenshot(page, `pro-${tag}-3-fat-finger`);
    await page.keyboard.press('Escape');
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
    expect((await http(host, 'GET', '/api/state')).body.orders.length).toBe(before);
    await page.getByTestId('ticket-submit').click();
    await page.getByTestId('confirm-ok').click();
    await page.locator('[data-testid="ticket-result"][data-status="sent"]').waitFor();
    expect((await http(host, 'GET', '/api/state')).body.orders.length).toBe(before + 1);

    await page.locator('body').click({ position: { x: width - 40, y: 20 } });
    await page.keyboard.press('?');
    await page.getByTestId('help-overlay').waitFor();
    expect(await page.getByTestId('help-overlay').textContent()).toMatch(/F1.*buy.*F2.*sell/s);
    await screenshot(page, `pro-${tag}-4-help`);
    await page.keyboard.press('Escape');
    await page.getByTestId('help-overlay').waitFor({ state: 'detached' });
  });

  it('blotter: shift-click multi-select and mass cancel; ↓ and Delete cancel with a confirm; the context menu', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push(await send('MSFT', 'buy', 10 + i, onTick('MSFT', 0.93)));
    for (const id of ids) await waitState(id, 'new');
    await page.getByTestId('orders-search').fill('MSFT');
    // Newest first: the four are the top rows.
    await page.locator(`[data-testid="order-row-${ids[3]}"] [data-col="symbol"]`).click();
    await page.locator(`[data-testid="order-row-${ids[0]}"] [data-col="symbol"]`).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.getByTestId('orders-selection').getAttribute('data-count')).toBe('4');
    await screenshot(page, `pro-${tag}-5-multiselect`);
    await page.getByTestId('orders-cancel-selected').click();
    await page.getByTestId('confirm-ok').click();
    for (const id of ids) await waitState(id, 'cancelled');

    const a = await send('MSFT', 'buy', 21, onTick('MSFT', 0.92));
    const b = await send('MSFT', 'buy', 22, onTick('MSFT', 0.92));
    await waitState(a, 'new');
    await waitState(b, 'new');
    await page.locator(`[data-testid="order-row-${b}"] [data-col="symbol"]`).click();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByTestId(`order-row-${a}`).getAttribute('data-selected')).toBe('true');
    await page.keyboard.press('Delete');
    await page.getByTestId('confirm-dialog').waitFor();
    expect(await page.getByTestId('confirm-dialog').textContent()).toContain(`#${a}`);
    await page.getByTestId('confirm-ok').click();
    await waitState(a, 'cancelled');
    expect(await stateOf(b).getAttribute('data-state')).toBe('new');

    await page.getByTestId(`order-row-${b}`).click({ button: 'right' });
    await page.getByTestId('context-menu').waitFor();
    await screenshot(page, `pro-${tag}-6-context-menu`);
    await page.getByTestId('ctx-cancel').click();
    await page.getByTestId('confirm-ok').click();
    await waitState(b, 'cancelled');
    await page.getByTestId('orders-search').fill('');
  });

  it('blotter: search and client filter; CSV export equals the rows shown; columns, filters, sort and tab survive a reload', async () => {
    const bravo = await send('KO', 'sell', 300, onTick('KO', 1.08), 'gtc', 'BRAVO');
    await waitState(bravo, 'new');
    await page.getByTestId('orders-filter-client').selectOption('ALPHA');
    await page.getByTestId('orders-search').fill('msft');
    await page.getByTestId('orders-sort-quantity').click();
    await page.getByTestId('orders-columns').click();
    await page.getByTestId('column-toggle-venue').click();
    await page.getByTestId('tab-events').click();
    await expect.poll(() => page.getByTestId('orders-sort-col-venue').count()).toBe(0);
    const shownIds = async () =>
      page.locator('[data-testid^="order-row-"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice('order-row-'.length))));
    const shown = await shownIds();
    expect(shown.length).toBe(6);
    expect(shown).not.toContain(bravo);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('orders-export').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    const header = csv[0]!.split(',');
    expect(header).not.toContain('Venue');
    expect(header.slice(0, 4)).toEqual(['Time', 'Order', 'Client', 'Symbol']);
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => Number(r[1]))).toEqual(shown);
    const api = (await http(host, 'GET', '/api/state')).body.orders as { orderId: number; quantity: number; clientId: string; symbol: string }[];
    for (const r of rows) {
      const o = api.find((x) => x.orderId === Number(r[1]))!;
      expect([r[2], r[3], Number(r[header.indexOf('Qty')])]).toEqual([o.clientId, o.symbol, o.quantity]);
    }
    await screenshot(page, `pro-${tag}-7-filtered`);

    await page.reload();
    await page.getByTestId('session-state').filter({ hasText: /open/i }).waitFor();
    expect(await page.getByTestId('orders-search').inputValue()).toBe('msft');
    expect(await page.getByTestId('orders-filter-client').inputValue()).toBe('ALPHA');
    expect(await page.getByTestId('orders-sort-quantity').getAttribute('data-sort-dir')).toBe('desc');
    expect(await page.getByTestId('orders-sort-col-venue').count()).toBe(0);
    expect(await page.getByTestId('tab-events').getAttribute('aria-selected')).toBe('true');
    await expect.poll(shownIds).toEqual(shown);
    await page.getByTestId('orders-filter-reset').click();
    await page.getByTestId('orders-columns').click();
    await page.getByTestId('columns-reset').click();
    await page.getByTestId('tab-components').click();
  });

  it('fills blotter: search, client filter and sort; keyboard to the order history; CSV equals the rows shown; all survives a reload', async () => {
    // Crossing orders fill against the simulated market maker (possibly in parts: each part is a row).
    const a1 = await send('JNJ', 'buy', 5, onTick('JNJ', 1.02), 'day');
    const a2 = await send('JNJ', 'buy', 7, onTick('JNJ', 1.02), 'day');
    const b1 = await send('JNJ', 'buy', 9, onTick('JNJ', 1.02), 'day', 'BRAVO');
    // An option's fill: its symbol ("AAPL 281215C230") reads whole in the narrow fills panel (decision 216).
    const option = instruments.find((i) => i.instrumentType === 'option')!;
    const opt = await send(option.symbol, 'buy', option.lotSize, onTick(option.symbol, 1.05), 'day');
    for (const id of [a1, a2, b1, opt]) await waitState(id, 'filled');
    const optSymbol = page.locator(`[data-testid^="fill-row-"][data-order-id="${opt}"] [data-col="symbol"]`).first();
    const optFit = await optSymbol.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, text: el.textContent }));
    expect(optFit.text).toBe(option.symbol);
    expect(optFit.scroll).toBeLessThanOrEqual(optFit.client);
    const fillRows = page.locator('[data-testid^="fill-row-"]');
    const shownFills = async () =>
      fillRows.evaluateAll((els) => els.map((e) => ({ orderId: Number(e.getAttribute('data-order-id')), qty: Number(e.querySelector('[data-col="qty"]')!.textContent!.replaceAll(',', '')) })));
    await page.getByTestId('fills-search').fill('JNJ');
    await expect.poll(async () => new Set((await shownFills()).map((f) => f.orderId))).toEqual(new Set([a1, a2, b1]));

    await page.getByTestId('fills-sort-quantity').click();
    expect(await page.getByTestId('fills-sort-quantity').getAttribute('data-sort-dir')).toBe('desc');
    const byQty = (await shownFills()).map((f) => f.qty);
    expect(byQty).toEqual([...byQty].sort((x, y) => y - x));

    // Keyboard: a click focuses a row, ↓ moves, Enter opens the history of that fill's order.
    await fillRows.first().click();
    await page.keyboard.press('ArrowDown');
    const second = fillRows.nth(1);
    await expect.poll(() => second.getAttribute('data-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('order-history').getAttribute('data-order-id')).toBe(await second.getAttribute('data-order-id'));
    await page.getByTestId('order-history-close').click();

    await page.getByTestId('fills-filter-client').selectOption('BRAVO');
    await expect.poll(async () => (await shownFills()).map((f) => f.orderId).every((id) => id === b1)).toBe(true);
    await page.getByTestId('fills-more').click();
    await page.getByTestId('fills-columns').click();
    await page.getByTestId('fills-column-toggle-seq').click();
    await expect.poll(() => page.getByTestId('fills-sort-col-seq').count()).toBe(0);
    await screenshot(page, `pro-${tag}-7b-fills-filtered`);

    await page.getByTestId('fills-more').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('fills-export').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    const header = csv[0]!.split(',');
    expect(header).not.toContain('Seq');
    const rows = csv.slice(1).map((l) => l.split(','));
    const shown = await shownFills();
    expect(rows.map((r) => [Number(r[header.indexOf('Order')]), Number(r[header.indexOf('Qty')]), r[header.indexOf('Client')]])).toEqual(shown.map((f) => [f.orderId, f.qty, 'BRAVO']));
    expect(shown.reduce((n, f) => n + f.qty, 0)).toBe(9);

    await page.reload();
    await page.getByTestId('session-state').filter({ hasText: /open/i }).waitFor();
    expect(await page.getByTestId('fills-search').inputValue()).toBe('JNJ');
    expect(await page.getByTestId('fills-filter-client').inputValue()).toBe('BRAVO');
    expect(await page.getByTestId('fills-sort-quantity').getAttribute('data-sort-dir')).toBe('desc');
    expect(await page.getByTestId('fills-sort-col-seq').count()).toBe(0);
    await expect.poll(shownFills).toEqual(shown);
    await page.getByTestId('fills-filter-reset').click();
    await page.getByTestId('fills-more').click();
    await page.getByTestId('fills-columns').click();
    await page.getByTestId('fills-columns-reset').click();
  });

  it('kill switch: halting a client from the row menu cancels all its working orders and refuses new ones; resume lifts it', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await send('CSCO', 'buy', 10 + i, onTick('CSCO', 0.93), 'gtc', 'CHARLIE'));
    const other = await send('CSCO', 'buy', 15, onTick('CSCO', 0.93));
    for (const id of [...ids, other]) await waitState(id, 'new');
    await page.getByTestId(`order-row-${ids[0]}`).click({ button: 'right' });
    await page.getByTestId('ctx-halt-client').click();
    expect(await page.getByTestId('confirm-dialog').textContent()).toContain('CHARLIE');
    await screenshot(page, `pro-${tag}-7c-kill-switch`);
    await page.getByTestId('confirm-ok').click();
    for (const id of ids) await waitState(id, 'cancelled');
    // Why it was cancelled is in the order's history (reasons by name).
    await page.getByTestId(`order-row-${ids[0]}`).dblclick();
    await expect.poll(() => page.getByTestId('order-history').textContent()).toContain('KILL_SWITCH');
    await page.getByTestId('order-history-close').click();
    // Another client's order is untouched; CHARLIE's next order is refused.
    expect(await stateOf(other).getAttribute('data-state')).toBe('new');
    // Distinct terms: risk's duplicate check (2 s by default) must not be what refuses it.
    const refused = await send('CSCO', 'buy', 13, onTick('CSCO', 0.93), 'gtc', 'CHARLIE');
    await waitState(refused, 'rejected');
    expect(await page.getByTestId(`order-row-${refused}`).textContent()).toContain('CLIENT_HALTED');
    await expect.poll(() => page.locator('[data-testid="orders-filter-client"] option[value="CHARLIE"]').textContent()).toContain('HALTED');

    await page.getByTestId(`order-row-${refused}`).click({ button: 'right' });
    await page.getByTestId('ctx-resume-client').click();
    await expect.poll(() => page.locator('[data-testid="orders-filter-client"] option[value="CHARLIE"]').textContent()).not.toContain('HALTED');
    const again = await send('CSCO', 'buy', 14, onTick('CSCO', 0.93), 'gtc', 'CHARLIE');
    await waitState(again, 'new');
    await page.getByTestId(`order-row-${again}`).click({ button: 'right' });
    await page.getByTestId('ctx-cancel-client').click();
    await page.getByTestId('confirm-ok').click();
    await waitState(again, 'cancelled');
    await page.getByTestId(`order-row-${other}`).click({ button: 'right' });
    await page.getByTestId('ctx-cancel').click();
    await page.getByTestId('confirm-ok').click();
    await waitState(other, 'cancelled');
  });

  it('time machine: the axis shows the session\'s event density, a click goes to that time, steps go by second, instruments as of then', async () => {
    // The session has run for a while by now (every earlier test's orders are on the axis).
    await send('AAPL', 'buy', 3, onTick('AAPL', 0.95), 'day');
    const axis = page.getByTestId('tm-axis');
    await expect.poll(async () => Number(await axis.getAttribute('data-buckets')), { timeout: 15_000 }).toBeGreaterThan(1);
    await screenshot(page, `pro-${tag}-9-time-axis`);
    const box = (await axis.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height / 2);
    const banner = page.getByTestId('tm-banner');
    await banner.waitFor();
    await expect.poll(() => banner.getAttribute('data-loading'), { timeout: 15_000 }).toBe('false');
    const timeOf = async () => Number(await page.getByTestId('tm-banner-time').getAttribute('data-ts'));
    const seqOf = async () => Number(await banner.getAttribute('data-seq'));
    const t1 = await timeOf();
    const s1 = await seqOf();
    expect(s1).toBeGreaterThan(0);
    // In the past there are no quotes (they are not in the log): bid and ask are empty, never today's.
    expect((await page.getByTestId('instrument-bid-AAPL').textContent())!.trim()).toBe('');
    expect((await page.getByTestId('instrument-ask-AAPL').textContent())!.trim()).toBe('');
    // Read-only everywhere in the past: no session action (Roll stayed enabled there).
    for (const id of ['session-close', 'session-roll', 'ticket-submit']) expect(await page.getByTestId(id).isDisabled(), id).toBe(true);

    await page.getByTestId('tm-step-forward-second').click();
    await expect.poll(async () => Math.floor((await timeOf()) / 1e6), { timeout: 15_000 }).toBe(Math.floor(t1 / 1e6) + 1);
    await expect.poll(() => banner.getAttribute('data-loading'), { timeout: 15_000 }).toBe('false');
    const t2 = await timeOf();
    const s2 = await seqOf();
    expect(s2).toBeGreaterThanOrEqual(s1);
    // The seq shown is the host's "last event at or before that time".
    const tl = (await http(host, 'GET', `/api/timeline?atTs=${t2}`)).body as { seqAtTs: number };
    expect(s2).toBe(tl.seqAtTs);
    await screenshot(page, `pro-${tag}-10-time-step`);
    // And one back is where the click went: the end of that second, the same seq.
    await page.getByTestId('tm-step-back-second').click();
    await expect.poll(async () => Math.floor((await timeOf()) / 1e6), { timeout: 15_000 }).toBe(Math.floor(t1 / 1e6));
    await expect.poll(seqOf, { timeout: 15_000 }).toBe(s1);
    // Bad input to the API: one clear line.
    const bad = await http(host, 'GET', '/api/timeline?buckets=0');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/timeline\.buckets/);
    await page.getByTestId('tm-back-live').click();
    await banner.waitFor({ state: 'detached' });
  });

  it('notifications: a fill and a reject raise toasts, and badge the title while the window is in the background', async () => {
    // The window in the background: the page reads focus through document.hasFocus().
    await page.evaluate('document.hasFocus = () => false');
    const filled = await send('AAPL', 'buy', 10, onTick('AAPL', 1.02), 'day');
    // Its own toast, or (when other fills landed within the same 3 s, e.g. the market maker's on a loaded machine)
    // the running summary toast that folds it in.
    const own = page.locator(`[data-testid="toast-fill"][data-order-id="${filled}"]`);
    const summary = page.locator('[data-testid="toast-fill"]:not([data-order-id])');
    await own.or(summary).first().waitFor({ timeout: 30_000 });
    if (await own.count() === 0) expect(await summary.first().textContent()).toMatch(/\d+ fills/);
    const rejected = await send('AAPL', 'buy', 10, onTick('AAPL', 1.3), 'day');
    const toast = page.locator(`[data-testid="toast-reject"][data-order-id="${rejected}"]`);
    await toast.waitFor();
    expect(await toast.textContent()).toMatch(/Rejected #\d+.*PRICE_OUT_OF_BAND|outside/);
    await expect.poll(() => page.title()).toMatch(/^\(\d+\) /);
    await screenshot(page, `pro-${tag}-8-toasts`);
    await page.evaluate("document.hasFocus = () => true; window.dispatchEvent(new Event('focus'))");
    await expect.poll(() => page.title()).not.toMatch(/^\(/);
  });

  it('health: shutting down the router raises an alert, the footer counts honestly, and a stuck order says what it waits on', async () => {
    await page.getByTestId('tab-components').click();
    await page.getByTestId('component-shutdown-router-1').click();
    expect(await page.getByTestId('confirm-dialog').textContent()).toMatch(/No other router instance is running/);
    await page.getByTestId('confirm-ok').click();
    await page.locator('[data-testid="component-state-router-1"][data-state="stopped"]').waitFor();
    await expect.poll(() => page.getByTestId('component-action-status').textContent(), { timeout: 15_000 }).toMatch(/4 of 5 healthy · 1 stopped · no active router/);
    await page.locator('[data-testid="toast-alert"]').filter({ hasText: 'router-1' }).first().waitFor({ timeout: 15_000 });
    const id = await send('AAPL', 'buy', 10, onTick('AAPL', 0.95));
    await waitState(id, 'pending_new');
    await expect.poll(() => page.getByTestId(`order-waiting-${id}`).textContent()).toContain('waiting: no active router');
    await expect
      .poll(async () => ((await http(host, 'GET', '/api/state')).body.alerts as { instance: string; kind: string }[]).map((a) => `${a.instance}/${a.kind}`), { timeout: 15_000 })
      .toEqual(expect.arrayContaining(['router-1/stopped', 'role:router/unattended']));
    expect(Number(await page.getByTestId('alerts-toggle').getAttribute('data-count'))).toBeGreaterThanOrEqual(1);
    await screenshot(page, `pro-${tag}-9-router-down`);

    // Recovery from the UI: Restart rewinds the router and it rejoins; the stuck order proceeds.
    await page.getByTestId('component-restart-router-1').click();
    await page.locator('[data-testid="component-state-router-1"][data-state="active"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => stateOf(id).getAttribute('data-state'), { timeout: 20_000 }).toBe('new');
    await expect.poll(() => page.getByTestId(`order-waiting-${id}`).count()).toBe(0);
    await expect.poll(() => page.getByTestId('component-action-status').textContent(), { timeout: 20_000 }).toMatch(/5 of 5 healthy|restart router-1: rejoined/);
    await page.getByTestId('standby-role').selectOption('risk');
    await page.getByTestId('standby-add').click();
    await page.locator('[data-testid="component-state-risk-2"][data-state="standby"]').waitFor({ timeout: 20_000 });
    await screenshot(page, `pro-${tag}-10-recovered`);
  });

  it('order history: an order older than 5,000 events shows its whole history from the host; the log searches the whole session', async () => {
    const old = await send('AAPL', 'buy', 10, onTick('AAPL', 1.3), 'day'); // rejected: PRICE_OUT_OF_BAND
    await waitState(old, 'rejected');
    // More than 5,000 events after it (each resting order is 3 events: pending, accepted, routed).
    const head0 = (await http(host, 'GET', '/api/state')).body.session.seq as number;
    const inFlight = new Set<Promise<unknown>>();
    let k = 0;
    while (((await http(host, 'GET', '/api/state')).body.session.seq as number) < head0 + 5200) {
      for (let i = 0; i < 200; i++) {
        k++;
        const p: Promise<unknown> = send('MSFT', k % 2 ? 'buy' : 'sell', 1, onTick('MSFT', k % 2 ? 0.9 : 1.1), 'day', 'DELTA').then(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
    }
    await page.getByTestId('orders-search').fill(`#${old}`);
    await page.locator(`[data-testid="order-row-${old}"] [data-col="symbol"]`).dblclick();
    await page.getByTestId('order-history').waitFor();
    // The drawer opens at once; its events come from the host (slow on a loaded machine).
    const types = () => page.locator('[data-testid^="order-history-event-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    await expect.poll(types, { timeout: 15_000 }).toEqual(['OrderPending', 'OrderRejected']);
    expect(await page.locator('[data-testid^="order-history-reason-"]').first().textContent()).toBe('PRICE_OUT_OF_BAND');
    expect(await page.getByTestId('order-history-chain').textContent()).toContain(`E2E-${tag}-`);
    await screenshot(page, `pro-${tag}-11-order-history`);
    await page.keyboard.press('Escape');
    await page.getByTestId('order-history').waitFor({ state: 'detached' });
    await page.getByTestId('orders-search').fill('');

    await page.getByTestId('tab-events').click();
    await page.getByTestId('events-whole').check();
    await page.getByTestId('events-reason').fill('band');
    await expect.poll(() => page.locator(`[data-testid^="event-row-"][data-type="OrderRejected"]`).count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('events-panel').textContent()).toContain('PRICE_OUT_OF_BAND');
    await page.getByTestId('events-reason').fill('');
    await page.getByTestId('events-client').fill('DELTA');
    await page.getByTestId('events-older').waitFor({ timeout: 15_000 });
    const first = Number(await page.getByTestId('events-count').getAttribute('data-count'));
    await page.getByTestId('events-older').click();
    await expect.poll(async () => Number(await page.getByTestId('events-count').getAttribute('data-count'))).toBeGreaterThan(first);
    // The whole-session filters fit the panel at every size: nothing in it is wider than it or scrolled sideways
    // (a focused field used to scroll it, cutting the tabs and the event types at 1366×768).
    type Box = { scrollLeft: number; scrollWidth: number; clientWidth: number; className: string; parentElement: Box | null; querySelector(s: string): Box };
    const sideways = await page.getByTestId('events-panel').evaluate((panel) => {
      const el = panel as unknown as Box;
      const out: string[] = [];
      for (let e: Box | null = el; e; e = e.parentElement) if (e.scrollLeft !== 0) out.push(`${e.className} scrolled ${e.scrollLeft}px`);
      const tools = el.querySelector('.eventlog-tools');
      if (tools.scrollWidth > el.clientWidth + 1) out.push(`tools ${tools.scrollWidth}px in ${el.clientWidth}px`);
      return out;
    });
    expect(sideways).toEqual([]);
    // Nothing floats over the log: every event row's detail in view is the topmost element at its right end.
    expect(await uncovered(page, '[data-testid="events-panel"] [data-testid^="event-row-"] > .td.mono')).toEqual([]);
    await screenshot(page, `pro-${tag}-12-event-search`);
    await page.getByTestId('events-whole').uncheck();
    await page.getByTestId('tab-components').click();
  }, 120_000);

  it('disconnected: the banner shows, quotes are marked stale, order and admin actions are disabled', async () => {
    const working = (await http(host, 'GET', '/api/state')).body.orders.find((o: { state: string }) => o.state === 'new' || o.state === 'pending_new');
    expect(working).toBeDefined();
    await page.getByTestId('ticket-symbol').fill('AAPL');
    await page.getByTestId('ticket-symbol').press('Escape');
    hostStopped = true;
    await host.stop('SIGKILL');
    await page.getByTestId('connection-banner').waitFor();
    await page.getByTestId('quotes-stale').waitFor();
    expect(await page.getByTestId('ticket-quote').getAttribute('data-stale')).toBe('true');
    expect(await page.getByTestId('ticket-submit').isDisabled()).toBe(true);
    expect(await page.getByTestId(`order-cancel-${working.orderId}`).isDisabled()).toBe(true);
    expect(await page.getByTestId('component-shutdown-gateway-1').isDisabled()).toBe(true);
    expect(await page.getByTestId('session-close').isDisabled()).toBe(true);
    expect(await page.getByTestId('session-roll').isDisabled()).toBe(true);
    await screenshot(page, `pro-${tag}-13-disconnected`);
  });
});

/**
 * The elements matching `selector` shown whole (in the window and in every clipping ancestor) but covered
 * somewhere along their middle line by something that is not them or inside them: what a floating button or
 * overlay hides.
 */
async function uncovered(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    type Rect = { left: number; top: number; right: number; bottom: number; width: number; height: number };
    type El = { getBoundingClientRect(): Rect; contains(o: unknown): boolean; textContent: string | null; className: string; parentElement: El | null };
    const d = globalThis as unknown as {
      document: { querySelectorAll(s: string): El[]; elementFromPoint(x: number, y: number): El | null };
      getComputedStyle(e: El): { overflowX: string; overflowY: string };
      innerWidth: number;
      innerHeight: number;
    };
    // In view: inside the window and inside every ancestor that clips (a row scrolled half out is not covered).
    const shown = (el: El, r: Rect): boolean => {
      if (r.bottom > d.innerHeight || r.right > d.innerWidth) return false;
      for (let a = el.parentElement; a; a = a.parentElement) {
        const cs = d.getComputedStyle(a);
        if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
        const c = a.getBoundingClientRect();
        if (r.bottom > c.bottom || r.right > c.right || r.top < c.top || r.left < c.left) return false;
      }
      return true;
    };
    const out: string[] = [];
    for (const el of d.document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      if (r.width < 4 || r.height < 4 || !shown(el, r)) continue;
      // Points along its middle line, every 16 px and at its right end.
      const y = (r.top + r.bottom) / 2;
      for (let x = r.left + 2; x <= r.right - 2; x = x + 16 > r.right - 2 && x < r.right - 2 ? r.right - 2 : x + 16) {
        const top = d.document.elementFromPoint(x, y);
        if (top && top !== el && !el.contains(top)) {
          out.push(`${el.className} "${(el.textContent ?? '').slice(0, 30)}" under ${top.className} at ${Math.round(x)},${Math.round(y)}`);
          break;
        }
      }
    }
    return out;
  }, selector);
}
