import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closeTradingScreen, openTradingScreen, type TradingScreen } from '../helpers/screen.ts';
import { loadOrder } from '../helpers/load-order.ts';
import type { TraceEvent } from '../helpers/trace.ts';

/**
 * Where the renderer's main thread goes while orders stream in (issue 14,
 * decision 112/151): ~600 orders/s (~2,600 events/s) for SECONDS through one
 * pipelined WebSocket, a Chrome trace of the page meanwhile, then every long
 * task (> 50 ms) broken down by what ran inside it (self time per trace event
 * name: script, style, layout, paint, …) plus the JS functions with the most
 * self time (CDP Profiler). Figures, written to screenshots/stream-profile-<width>.json.
 *
 *   npm run build && npx vitest run --config test/e2e/measure/vitest.measure.config.ts stream-profile
 */
const SECONDS = Number(process.env.ORDO_MEASURE_SECONDS ?? 8);
const RATE = Number(process.env.ORDO_MEASURE_RATE ?? 600);
const WIDTH = Number(process.env.ORDO_MEASURE_WIDTH ?? 1366);
const HEIGHT = WIDTH >= 1920 ? 1080 : 768;
const OUT = fileURLToPath(new URL('../../../screenshots/', import.meta.url));

let screen: TradingScreen | undefined;
beforeAll(async () => {
  screen = await openTradingScreen('ordo-profile-', { viewport: { width: WIDTH, height: HEIGHT } });
});
afterAll(async () => {
  await closeTradingScreen(screen);
});

it(`profiles ${RATE} orders/s for ${SECONDS} s`, async () => {
  const { host, page, browser, instruments } = screen!;
  const symbols = instruments.filter((i) => i.instrumentType === 'equity').slice(0, 20);
  await page.evaluate(`(() => { window.__long = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(Math.round(e.duration)); }).observe({ type: 'longtask' }); })()`);
  // DOM mutations by kind (attribute name, nodes added/removed, text changed): the work a build asks of the
  // page, counted, so builds compare without the noise of a loaded machine's timings.
  await page.evaluate(`(() => { const m = window.__mut = {}; new MutationObserver((l) => { for (const r of l) { const k = r.type === 'attributes' ? 'attr:' + r.attributeName : r.type === 'childList' ? 'nodes' : 'text'; m[k] = (m[k] || 0) + (r.type === 'childList' ? r.addedNodes.length + r.removedNodes.length : 1); } }).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true }); })()`);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel'] });
  await cdp.send('Profiler.start');
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let replies = 0;
  ws.on('message', (d) => {
    if ((JSON.parse(String(d)) as { id?: number }).id !== undefined) replies++;
  });
  let n = 0;
  const t0 = Date.now();
  while (Date.now() < t0 + SECONDS * 1000) {
    const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
    while (n < due && n - replies < 2000) {
      const order = loadOrder(symbols, n, `P-${n + 1}`);
      n++;
      ws.send(JSON.stringify({ id: n, method: 'submitOrder', params: [order] }));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (Date.now() - t0) / 1000;
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[]; samples: number[]; timeDeltas: number[] } };
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
  ws.close();
  const long = (await page.evaluate('window.__long')) as number[];
  const mutations = (await page.evaluate('window.__mut')) as Record<string, number>;

  // Self time per JS function.
  const byNode = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const c = byNode.get(id)!.callFrame;
    const key = `${c.functionName || '(anon)'} ${c.url.split('/').pop()}:${c.lineNumber + 1}:${c.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const topFunctions = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, ms]) => `${ms.toFixed(1)} ms ${k}`);

  // The renderer's main thread: the thread with the most RunTask time among the page's frames.
  const events = trace.traceEvents.filter((e) => e.ph === 'X' && e.dur !== undefined);
  const mainTid = (() => {
    const t = new Map<string, number>();
    for (const e of events) if (e.name === 'FunctionCall' || e.name === 'Paint') t.set(`${e.pid}:${e.tid}`, (t.get(`${e.pid}:${e.tid}`) ?? 0) + e.dur!);
    return [...t.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  })();
  const main = events.filter((e) => `${e.pid}:${e.tid}` === mainTid).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const tasks = main.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  // The tasks with the most thread time, whatever their wall time: where they fall and what ran inside.
  const byCpu = [...tasks].filter((t) => t.name === 'ThreadControllerImpl::RunTask').sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0)).slice(0, 4);
  const longTasks = [...new Set([...tasks.filter((t) => t.dur! > 50_000), ...byCpu])];
  const total = new Map<string, number>();
  const perTask = [...byCpu, ...longTasks.filter((t) => !byCpu.includes(t)).slice(0, 40)].map((t) => {
    const inside = main.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur!);
    // Self time: an event's duration minus its direct children's.
    const selfOf = new Map<string, number>();
    const stack: { e: TraceEvent; child: number }[] = [];
    const close = (until: number) => {
      while (stack.length > 0 && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= until) {
        const top = stack.pop()!;
        selfOf.set(top.e.name, (selfOf.get(top.e.name) ?? 0) + (top.e.dur! - top.child));
        if (stack.length > 0) stack[stack.length - 1]!.child += top.e.dur!;
      }
    };
    for (const e of inside) {
      close(e.ts);
      stack.push({ e, child: 0 });
    }
    close(Infinity);
    for (const [k, v] of selfOf) total.set(k, (total.get(k) ?? 0) + v);
    return { ms: Math.round(t.dur! / 1000), cpuMs: Math.round((t.tdur ?? 0) / 1000), atMs: Math.round((t.ts - (tasks[0]?.ts ?? t.ts)) / 1000), top: [...selfOf.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`) };
  });
  // The same tasks by thread time: comparable between runs on a shared machine whose load moves.
  const cpu = tasks.map((t) => (t.tdur ?? 0) / 1000).sort((a, b) => b - a);
  // Self thread time by event name over every main-thread task (not only the long ones): what a build
  // spends per category of work, comparable between builds whatever the load (waits for a core are not in it).
  const cpuSelfAll = new Map<string, number>();
  {
    const stack: { e: TraceEvent; child: number }[] = [];
    const close = (until: number) => {
      while (stack.length > 0 && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= until) {
        const top = stack.pop()!;
        const own = top.e.tdur ?? 0;
        if (own > 0) cpuSelfAll.set(top.e.name, (cpuSelfAll.get(top.e.name) ?? 0) + Math.max(0, own - top.child));
        if (stack.length > 0) stack[stack.length - 1]!.child += own;
      }
    };
    for (const e of main) {
      close(e.ts);
      stack.push({ e, child: 0 });
    }
    close(Infinity);
  }
  const figures = {
    width: WIDTH,
    tasksOver50MsCpu: cpu.filter((ms) => ms > 50).length,
    tasksOver30MsCpu: cpu.filter((ms) => ms > 30).length,
    tasksOver16MsCpu: cpu.filter((ms) => ms > 16).length,
    mainThreadCpuMs: Math.round([...cpuSelfAll.values()].reduce((a, b) => a + b, 0) / 1000),
    cpuSelfAllMs: [...cpuSelfAll.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}`),
    longestTasksCpuMs: cpu.slice(0, 10).map((ms) => Math.round(ms)),
    ordersPerSecond: Math.round(n / seconds),
    loadAverage1m: Number(loadavg()[0]!.toFixed(1)),
    longTasksObserved: long.length,
    longTaskMaxMs: Math.max(0, ...long),
    longTasksOver50InTrace: longTasks.length,
    mainThreadTaskMs: Math.round(tasks.reduce((a, t) => a + t.dur!, 0) / 1000),
    selfInLongTasks: [...total.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} ms`),
    mutationsPer1000Orders: Object.fromEntries(Object.entries(mutations).sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => [k, Math.round((v * 1000) / Math.max(1, n))])),
    perTask,
    topFunctions,
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}stream-profile-${WIDTH}.json`, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(JSON.stringify({ ...figures, perTask: perTask.slice(0, 8) }, null, 1));
  expect(n).toBeGreaterThan(0);
});
