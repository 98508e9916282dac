import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { InstrumentView } from '../../../contract/api.ts';
import { removeDir, tempDir } from '../../engine/helpers/backbone.ts';
import { startHostProcess, type HostProcess } from '../../engine/helpers/cli.ts';
import { http } from '../../engine/helpers/host.ts';
import { launchBrowser } from './browser.ts';

/**
 * The e2e tests' shared set-up: a real `ordo host` process on its own data
 * directory, Debian's chromium on the host's page, the session open on screen.
 * One copy, so that a change to how the screen starts (a flag, a wait) is made
 * once for every browser test.
 */
export interface TradingScreen {
  readonly dir: string;
  readonly host: HostProcess;
  readonly browser: Browser;
  readonly page: Page;
  /** The instruments as `GET /api/state` listed them before the page opened. */
  readonly instruments: InstrumentView[];
}

export interface ScreenOptions {
  /** Default 1600×900. */
  readonly viewport?: { width: number; height: number };
  /** More options for the page's browser context (e.g. `acceptDownloads`). */
  readonly context?: BrowserContextOptions;
  /** More arguments for `ordo host` (e.g. `--ui-state-rows 20`). */
  readonly hostArgs?: readonly string[];
}

/**
 * Starts the host (the simulated venue ticking every 50 ms), reads the
 * instruments, opens the page and waits until the session shows open. On a
 * failure part way it closes what it had opened before it throws, so a failed
 * `beforeAll` leaves no host process or browser behind.
 */
export async function openTradingScreen(dirPrefix: string, opts: ScreenOptions = {}): Promise<TradingScreen> {
  const dir = tempDir(dirPrefix);
  const opened: { dir: string; host?: HostProcess; browser?: Browser } = { dir };
  try {
    const host = (opened.host = await startHostProcess(['--data-dir', dir, '--venue-tick-ms', '50', ...(opts.hostArgs ?? [])]));
    const instruments = (await http(host, 'GET', '/api/state')).body.instruments as InstrumentView[];
    const browser = (opened.browser = await launchBrowser());
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1600, height: 900 }, ...opts.context });
    const page = await context.newPage();
    await page.goto(host.url);
    await page.getByTestId('session-state').filter({ hasText: /open/i }).waitFor();
    return { dir, host, browser, page, instruments };
  } catch (err) {
    await closeTradingScreen(opened).catch(() => undefined);
    throw err;
  }
}

/**
 * Closes the browser, stops the host (its exit code must be 0; pass
 * `hostStopped` when the test stopped it itself) and removes the data
 * directory. Takes a partly opened screen, or none.
 */
export async function closeTradingScreen(screen: Partial<TradingScreen> | undefined, opts: { hostStopped?: boolean } = {}): Promise<void> {
  if (screen === undefined) return;
  await screen.browser?.close();
  if (screen.host && opts.hostStopped !== true) expect(await screen.host.stop()).toBe(0);
  if (screen.dir !== undefined) removeDir(screen.dir);
}
