import type { Page } from 'playwright-core';

/** What the main thread did during a measured window (figures to report, never to assert on). */
export interface JankReport {
  seconds: number;
  longTasks: number;
  longTaskMaxMs: number;
  longTaskTotalMs: number;
  /** When each long task started, ms after the window opened (the first second fills an empty grid). */
  longTaskStartsMs: number[];
  /** Long tasks that started after the window's first second, and the longest of them. */
  longTasksAfterFirstSecond: number;
  longTaskMaxMsAfterFirstSecond: number;
  frames: number;
  frameGapMaxMs: number;
  /** 99th percentile of the gaps between animation frames. */
  frameGapP99Ms: number;
  framesOver50Ms: number;
  /** From the Chrome DevTools Protocol (Performance.getMetrics): main-thread task and script time in the window. */
  cdpTaskMs: number;
  cdpScriptMs: number;
  cdpLayoutMs: number;
  cdpStyleMs: number;
}

/** Installs a long-task observer and a requestAnimationFrame gap recorder in the page (call once). */
export async function installJankProbe(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const w = window;
    w.__jank = { long: [], starts: [], gaps: [], last: 0, on: false, t0: 0 };
    new PerformanceObserver((list) => {
      if (!w.__jank.on) return;
      for (const e of list.getEntries()) {
        w.__jank.long.push(e.duration);
        w.__jank.starts.push(e.startTime - w.__jank.t0);
      }
    }).observe({ type: 'longtask', buffered: false });
    const loop = (t) => {
      if (w.__jank.on && w.__jank.last > 0) w.__jank.gaps.push(t - w.__jank.last);
      w.__jank.last = t;
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  })()`);
}

/** Runs `during` while recording long tasks, frame gaps and CDP task time; returns the figures. */
export async function measureJank(page: Page, during: () => Promise<void>): Promise<JankReport> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async (): Promise<Record<string, number>> => {
    const r = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    return Object.fromEntries(r.metrics.map((m) => [m.name, m.value]));
  };
  await page.evaluate('window.__jank.long = []; window.__jank.starts = []; window.__jank.gaps = []; window.__jank.last = 0; window.__jank.t0 = performance.now(); window.__jank.on = true');
  const m0 = await metric();
  const t0 = Date.now();
  await during();
  const seconds = (Date.now() - t0) / 1000;
  const m1 = await metric();
  const raw = (await page.evaluate('window.__jank.on = false; ({ long: window.__jank.long, starts: window.__jank.starts, gaps: window.__jank.gaps })')) as { long: number[]; starts: number[]; gaps: number[] };
  const later = raw.long.filter((_, i) => raw.starts[i]! >= 1000);
  await cdp.detach();
  const gaps = [...raw.gaps].sort((a, b) => a - b);
  const p99 = gaps.length === 0 ? 0 : gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.99))]!;
  return {
    seconds,
    longTasks: raw.long.length,
    longTaskMaxMs: Math.round(Math.max(0, ...raw.long)),
    longTaskTotalMs: Math.round(raw.long.reduce((a, b) => a + b, 0)),
    longTaskStartsMs: raw.starts.map((t) => Math.round(t)),
    longTasksAfterFirstSecond: later.length,
    longTaskMaxMsAfterFirstSecond: Math.round(Math.max(0, ...later)),
    frames: gaps.length,
    frameGapMaxMs: Math.round(gaps[gaps.length - 1] ?? 0),
    frameGapP99Ms: Math.round(p99),
    framesOver50Ms: gaps.filter((g) => g > 50).length,
    cdpTaskMs: Math.round(((m1.TaskDuration ?? 0) - (m0.TaskDuration ?? 0)) * 1000),
    cdpScriptMs: Math.round(((m1.ScriptDuration ?? 0) - (m0.ScriptDuration ?? 0)) * 1000),
    cdpLayoutMs: Math.round(((m1.LayoutDuration ?? 0) - (m0.LayoutDuration ?? 0)) * 1000),
    cdpStyleMs: Math.round(((m1.RecalcStyleDuration ?? 0) - (m0.RecalcStyleDuration ?? 0)) * 1000),
  };
}
