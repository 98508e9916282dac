import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { writeLiveLikeLog } from '../../../bench/recovery.ts';
import { removeDir, tempDir } from '../../engine/helpers/backbone.ts';
import { startHostProcess } from '../../engine/helpers/cli.ts';
import { http } from '../../engine/helpers/host.ts';
import { launchBrowser, screenshot } from '../helpers/browser.ts';

/**
 * How fast the trading screen loads a session of a million orders (issue 14,
 * decision 150): a session written straight into the log (bench/session.ts's
 * order lifecycles, ~4.25 events an order), a real `ordo host` on it, Debian's
 * chromium at 1366×768. From navigation to the blotter showing rows, to the
 * host's first window (the whole session's count), a sort by symbol and a
 * jump to the middle of the list; the bytes the page received over its
 * WebSocket and its long tasks. Figures, written to screenshots/load-1m.json;
 * the only assertions are that the screen got there.
 *
 *   npm run build && ORDO_MEASURE_ORDERS=1000000 npx vitest run --config test/e2e/measure/vitest.measure.config.ts
 */
const ORDERS = Number(process.env.ORDO_MEASURE_ORDERS ?? 1_000_000);
const OUT = fileURLToPath(new URL('../../../screenshots/', import.meta.url));

it(`loads a session of ${ORDERS} orders`, async () => {
  // ORDO_MEASURE_DIR keeps the written session for another run (writing it takes minutes on a loaded machine).
  const keep = process.env.ORDO_MEASURE_DIR;
  const dir = keep ?? tempDir('ordo-load-1m-');
  const figures: Record<string, unknown> = { loadBefore: loadavg()[0] };
  let t = performance.now();
  if (keep === undefined || !existsSync(`${keep}/ordo.db`)) {
    mkdirSync(dir, { recursive: true });
    figures.events = writeLiveLikeLog(dir, Math.round(ORDERS * 4.25), 8);
    figures.writeS = (performance.now() - t) / 1000;
  }
  t = performance.now();
  const host = await startHostProcess(['--data-dir', dir, '--venue-tick-ms', '1000'], 900_000);
  figures.hostReadyS = (performance.now() - t) / 1000;
  const browser = await launchBrowser();
  try {
    const state = (await http(host, 'GET', '/api/state')).body as { session: { seq: number } };
    figures.seq = state.session.seq;
    // bench/session.ts writes whole orders until the events reach the target: ask how many it made.
    const orders = (await http(host, 'GET', '/api/order-window?limit=1')).body.orderCount as number;
    figures.orders = orders;
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    await page.addInitScript(`(() => {
      window.__long = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask', buffered: true });
    })()`);
    let wsBytes = 0;
    // Every frame's time, direction, size and first bytes: where the time to the first window goes.
    const frames: string[] = [];
    let navAt = 0;
    const note = (dir: string, payload: string | Buffer) => {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      if (frames.length < 60) frames.push(`${Date.now() - navAt} ${dir} ${text.length} ${text.slice(0, 60)}`);
    };
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => {
        wsBytes += typeof f.payload === 'string' ? Buffer.byteLength(f.payload) : f.payload.length;
        note('<', f.payload);
      });
      ws.on('framesent', (f) => note('>', f.payload));
    });
    figures.loadAtNavigation = loadavg()[0];
    const t0 = Date.now();
    navAt = t0;
    await page.goto(host.url);
    await page.locator('[data-testid^="order-row-"]:not([data-testid="order-row-loading"])').first().waitFor({ timeout: 600_000 });
    figures.firstRowsMs = Date.now() - t0;
    await page.locator(`[data-testid="orders-count"][data-remote="true"][data-count="${orders}"]`).waitFor({ timeout: 600_000 });
    figures.windowMs = Date.now() - t0;
    figures.framesToWindow = [...frames];
    figures.wsBytesAtWindow = wsBytes;
    await screenshot(page, 'load-1m-1366-loaded');
    const firstId = await page.locator('[data-testid^="order-row-"]').first().getAttribute('data-testid');
    expect(firstId).toBe(`order-row-${orders}`);

    // A sort by symbol over the million: the host sorts, the screen shows the first rows.
    let t1 = Date.now();
    await page.getByTestId('orders-sort-symbol').click();
    const firstRow = page.locator('[data-testid="orders-list"] [data-testid^="order-row-"]:not([data-testid="order-row-loading"])').first();
    await expect.poll(() => firstRow.getAttribute('data-testid'), { timeout: 120_000, interval: 20 }).not.toBe(firstId);
    figures.sortBySymbolMs = Date.now() - t1;
    // Back to newest first, then the middle of the list: rows appear where the scrollbar is.
    await page.getByTestId('orders-sort-createdTs').click();
    await page.locator(`[data-testid="order-row-${orders}"]`).waitFor({ timeout: 120_000 });
    t1 = Date.now();
    await page.getByTestId('orders-list').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    const list = page.getByTestId('orders-list');
    await expect
      .poll(async () => (await list.locator('[data-testid="order-row-loading"]').count()) === 0 && (await list.locator('[data-testid^="order-row-"]').count()) > 5, { timeout: 120_000, interval: 20 })
      .toBe(true);
    figures.scrollMiddleMs = Date.now() - t1;
    figures.middleRow = await page.locator('[data-testid="orders-list"] [data-testid^="order-row-"]').nth(3).getAttribute('data-testid');
    await screenshot(page, 'load-1m-1366-middle');
    const long = (await page.evaluate('window.__long')) as [number, number][];
    figures.longTasks = long.length;
    figures.longTaskMaxMs = Math.max(0, ...long.map((l) => l[1]));
    figures.longTasksFirst10 = long.slice(0, 10);
    figures.wsBytes = wsBytes;
    figures.loadAfter = loadavg()[0];
    mkdirSync(OUT, { recursive: true });
    writeFileSync(`${OUT}load-1m.json`, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(JSON.stringify(figures));
  } finally {
    await browser.close();
    await host.stop();
    if (keep === undefined) removeDir(dir);
  }
});
