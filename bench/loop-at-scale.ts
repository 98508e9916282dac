/**
 * No API call blocks the host's event loop for more than 50 ms at 1 M orders
 * (issue #11): starts `ordo host` on a data dir holding a large session (its
 * loop timed from inside by bench/loop-probe.ts), keeps a flow of marketable
 * orders going (so fills stream in and kept lists have new rows to take in),
 * and calls every read method of the REST API (and a cancel, a selection's dry
 * run) a few times each, one call at a time with idle time between. Each
 * loop gap the probe saw is charged to the call it overlaps; the rest is
 * "between calls" (the order flow, checkpoints, GC). Prints one JSON line per
 * method: calls, worst wall time, worst loop gap.
 *
 *   node dist/bench/loop-at-scale.js <data-dir> [rounds]
 *
 * The host appends to the data dir's session (the order flow): use a copy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiCaller, orderFlow, startHostProcess, type Reply } from './host-load.ts';
import { SchedSampler } from './sched-sampler.ts';
import { sleep, tempFolder, type BenchRow } from './util.ts';

const PROBE = fileURLToPath(new URL('./loop-probe.js', import.meta.url));

/** One method's figures: calls made, the longest answer, the worst loop gap during its calls. */
export interface MethodLoop {
  readonly method: string;
  readonly calls: number;
  readonly worstMs: number;
  readonly worstGapMs: number;
  /** The most time the main thread was on a core during one gap of its calls (its own work and GC, load aside). */
  readonly worstGapCpuMs: number;
  /** The worst wall gap's parts: on a core, runnable but waiting for one (run_delay), asleep (the rest: a futex, I/O). */
  readonly worstGapParts: { readonly onCoreMs: number; readonly waitingMs: number; readonly asleepMs: number };
  /** The most time the main thread slept (neither on a core nor waiting for one) in one gap of its calls. */
  readonly worstGapAsleepMs: number;
  /** The longest GC pause during its calls (part of the gap, the collector's rather than the call's own code). */
  readonly worstGcMs: number;
  /** Its kind: "scavenge", "mark-compact", "incremental", "weak" ("" for none). */
  readonly worstGcKind: string;
  readonly statuses: readonly number[];
}

export interface LoopAtScale {
  readonly orders: number;
  readonly fills: number;
  readonly methods: readonly MethodLoop[];
  /** The worst gap outside every call (the order flow, background work, GC). */
  readonly betweenCallsGapMs: number;
  /** The most on-core time of one gap outside every call. */
  readonly betweenCallsGapCpuMs: number;
  /** The worst between-calls gap's parts (as MethodLoop's). */
  readonly betweenCallsGapParts: { readonly onCoreMs: number; readonly waitingMs: number; readonly asleepMs: number };
  readonly readyMs: number;
}

type Call = readonly [method: string, verb: string, path: (s: Ctx) => string, body?: (s: Ctx) => unknown];
interface Ctx {
  readonly orders: number;
  readonly fills: number;
  readonly lastSeq: number;
  readonly recentOrder: number;
}

/** The calls: every read method, with the queries a blotter, the time machine and a script make. */
const CALLS: readonly Call[] = [
  ['getState', 'GET', () => '/state'],
  ['getState at', 'GET', (s) => `/state?at=${Math.max(1, s.lastSeq - 50_000)}`],
  ['getOrders', 'GET', (s) => `/orders?after=${Math.max(0, s.orders - 5000)}&limit=1000`],
  ['getOrders filtered', 'GET', () => '/orders?state=filled&clientId=ALPHA&limit=1000'],
  ['getFills', 'GET', (s) => `/fills?after=${Math.max(0, s.fills - 5000)}&limit=1000`],
  ['getFills filtered', 'GET', () => '/fills?clientId=CHARLIE&limit=1000'],
  ['getOrderWindow', 'GET', () => '/order-window?limit=200'],
  ['getOrderWindow sort=price', 'GET', () => '/order-window?sort=price&dir=asc&limit=200'],
  ['getOrderWindow sort=state', 'GET', () => '/order-window?sort=state&limit=200&offset=500000'],
  ['getOrderWindow text', 'GET', () => '/order-window?text=alpha%20aapl&limit=200'],
  ['getFillWindow', 'GET', () => '/fill-window?limit=200'],
  ['getFillWindow sort=price', 'GET', () => '/fill-window?sort=price&dir=asc&limit=200'],
  ['getFillWindow clientId', 'GET', () => '/fill-window?clientId=ALPHA&sort=quantity&limit=200'],
  ['cancelSelection dryRun', 'POST', () => '/order-window/cancel', () => ({ sort: 'price', state: 'open', dryRun: true })],
  ['getOrderHistory', 'GET', (s) => `/orders/${s.recentOrder}/history`],
  ['getEvents', 'GET', () => '/events?limit=1000'],
  ['searchEvents', 'GET', () => '/events/search?clientId=ALPHA&limit=200'],
  ['getTimeline', 'GET', () => '/timeline'],
  ['getSessions', 'GET', () => '/sessions'],
  ['getPositions', 'GET', () => '/positions'],
  ['getRisk', 'GET', () => '/risk'],
  ['getFixSessions', 'GET', () => '/fix/sessions'],
  ['cancelOrder', 'POST', (s) => `/orders/${s.recentOrder}/cancel`],
];

/** Runs the calls `rounds` times against a host on `dataDir` with `ratePerSec` orders a second beside them. */
export async function loopAtScale(dataDir: string, rounds = 3, ratePerSec = 100, log: (s: string) => void = () => {}): Promise<LoopAtScale> {
  const folder = tempFolder('loop-probe');
  const out = join(folder.dir, 'gaps.json');
  try {
    const t0 = performance.now();
    const host = await startHostProcess(dataDir, [], { args: ['--import', PROBE], env: { ORDO_LOOP_PROBE_OUT: out } });
    const readyMs = performance.now() - t0;
    log(`loop: host ready in ${(readyMs / 1000).toFixed(1)} s`);
    const api = apiCaller(host);
    // For placing the wait: $ORDO_LOOP_SCHED_OUT takes, for the worst gaps during calls, every thread's time on a
    // core and waiting for one (the host's, its children's — the venue's process —, this bench's).
    const schedOut = process.env['ORDO_LOOP_SCHED_OUT'];
    const sampler = schedOut ? new SchedSampler(new Map([[host.pid, 'host'], [process.pid, 'bench']])) : undefined;
    const windows: { method: string; from: number; to: number; ms: number; status: number }[] = [];
    let flowing = true;
    let lastOrder = 0;
    let fills = 0;
    let orders = 0;
    let flow: Promise<void> | undefined;
    try {
      const next = await orderFlow(api.call, 'loop');
      flow = (async () => {
        const started = performance.now();
        let sent = 0;
        const pending: Promise<Reply>[] = [];
        while (flowing) {
          while (sent < ((performance.now() - started) / 1000) * ratePerSec) {
            sent++;
            pending.push(
              api.call('POST', '/orders', next()).then((r) => {
                const id = r.body['orderId'];
                if (typeof id === 'number') lastOrder = Math.max(lastOrder, id);
                return r;
              }),
            );
          }
          await sleep(5);
        }
        await Promise.all(pending);
      })();
      const state = (await api.call('GET', '/state')).body as { session: { seq: number }; ordersAfter?: number };
      const counts = (await api.call('GET', '/fill-window?limit=1')).body as { fillCount?: number };
      const orderCount = ((await api.call('GET', '/order-window?limit=1')).body as { orderCount?: number }).orderCount ?? 0;
      const ctx = (): Ctx => ({ orders: orderCount, fills: counts.fillCount ?? 0, lastSeq: state.session.seq, recentOrder: Math.max(1, lastOrder) });
      await sleep(1000);
      for (let round = 0; round < rounds; round++) {
        for (const [method, verb, path, body] of CALLS) {
          const c = ctx();
          const from = Date.now();
          const a = performance.now();
          const r = await api.call(verb, path(c), body?.(c));
          const ms = performance.now() - a;
          windows.push({ method, from, to: Date.now(), ms, status: r.status });
          await sleep(150);
        }
        log(`loop: round ${round + 1} of ${rounds} done`);
      }
      const end = (await api.call('GET', '/fill-window?limit=1')).body as { fillCount?: number };
      fills = end.fillCount ?? 0;
      orders = ((await api.call('GET', '/order-window?limit=1')).body as { orderCount?: number }).orderCount ?? 0;
    } finally {
      flowing = false;
      await flow;
      sampler?.stop();
      api.close();
      await host.stop();
    }
    const probe = JSON.parse(readFileSync(out, 'utf8')) as { gaps: [number, number, number, number?][]; gc: [number, number, number?][]; origin?: number };
    // For GC studies: $ORDO_LOOP_CALLS_OUT takes the calls' spans (epoch ms) and the host's time origin, to set beside
    // the host's --trace-gc-nvp lines (ORDO_HOST_NODE_ARGS, ORDO_HOST_STDOUT_FILE).
    const callsOut = process.env['ORDO_LOOP_CALLS_OUT'];
    if (callsOut) writeFileSync(callsOut, JSON.stringify({ origin: probe.origin, windows, gaps: probe.gaps }));
    const gaps = probe.gaps;
    if (sampler && schedOut) {
      const first = windows[0]?.from ?? 0;
      const during = gaps
        .filter(([endAt, gap]) => endAt >= first && windows.some((w) => endAt - gap <= w.to + 5 && endAt >= w.from - 5))
        .sort((x, y) => y[1] - x[1])
        .slice(0, 8);
      const placed = during.map(([endAt, gap, cpu, waited]) => ({
        gapMs: gap,
        mainOnCoreMs: cpu,
        mainWaitingMs: waited ?? 0,
        methods: windows.filter((w) => endAt - gap <= w.to + 5 && endAt >= w.from - 5).map((w) => w.method),
        // Every core's busy time over the gap, every process of the machine (what the threads above leave is others').
        machineBusyMs: sampler.machineBusy(endAt - gap, endAt),
        threads: sampler.shares(endAt - gap, endAt),
      }));
      writeFileSync(schedOut, JSON.stringify(placed, null, 1));
    }
    type Parts = { onCoreMs: number; waitingMs: number; asleepMs: number };
    const noParts: Parts = { onCoreMs: 0, waitingMs: 0, asleepMs: 0 };
    const byMethod = new Map<string, { calls: number; worstMs: number; worstGapMs: number; worstGapCpuMs: number; worstGapParts: Parts; worstGapAsleepMs: number; worstGcMs: number; worstGcKind: string; statuses: Set<number> }>();
    const entry = (method: string) => {
      let m = byMethod.get(method);
      if (!m) byMethod.set(method, (m = { calls: 0, worstMs: 0, worstGapMs: 0, worstGapCpuMs: 0, worstGapParts: noParts, worstGapAsleepMs: 0, worstGcMs: 0, worstGcKind: '', statuses: new Set<number>() }));
      return m;
    };
    const partsOf = (gap: number, cpu: number, waited: number | undefined): Parts => ({ onCoreMs: cpu, waitingMs: waited ?? 0, asleepMs: Math.max(0, gap - cpu - (waited ?? 0)) });
    const kinds: Record<number, string> = { 1: 'scavenge', 4: 'mark-compact', 8: 'incremental', 16: 'weak' };
    for (const [endAt, pause, kind] of probe.gc) {
      for (const w of windows) {
        if (!(endAt - pause <= w.to + 5 && endAt >= w.from - 5)) continue;
        const m = entry(w.method);
        if (pause > m.worstGcMs) {
          m.worstGcMs = pause;
          m.worstGcKind = kinds[kind ?? 0] ?? '';
        }
      }
    }
    let between = 0;
    let betweenCpu = 0;
    let betweenParts = noParts;
    const first = windows[0]?.from ?? 0;
    for (const [endAt, gap, cpu, waited] of gaps) {
      if (endAt < first) continue;
      // A gap spans [end - gap, end]: charged to every call it overlaps (a few ms of slack for the clocks' reads).
      const hit = windows.filter((w) => endAt - gap <= w.to + 5 && endAt >= w.from - 5);
      const parts = partsOf(gap, cpu, waited);
      if (hit.length === 0) {
        if (gap > between) betweenParts = parts;
        between = Math.max(between, gap);
        betweenCpu = Math.max(betweenCpu, cpu);
      }
      for (const w of hit) {
        const m = entry(w.method);
        if (gap > m.worstGapMs) m.worstGapParts = parts;
        m.worstGapMs = Math.max(m.worstGapMs, gap);
        m.worstGapCpuMs = Math.max(m.worstGapCpuMs, cpu);
        m.worstGapAsleepMs = Math.max(m.worstGapAsleepMs, parts.asleepMs);
      }
    }
    for (const w of windows) {
      const m = entry(w.method);
      m.calls++;
      m.worstMs = Math.max(m.worstMs, w.ms);
      m.statuses.add(w.status);
    }
    const methods = CALLS.map(([method]) => {
      const m = entry(method);
      return { method, calls: m.calls, worstMs: m.worstMs, worstGapMs: m.worstGapMs, worstGapCpuMs: m.worstGapCpuMs, worstGapParts: m.worstGapParts, worstGapAsleepMs: m.worstGapAsleepMs, worstGcMs: m.worstGcMs, worstGcKind: m.worstGcKind, statuses: [...m.statuses] };
    });
    return { orders, fills, methods, betweenCallsGapMs: between, betweenCallsGapCpuMs: betweenCpu, betweenCallsGapParts: betweenParts, readyMs };
  } finally {
    folder.dispose();
  }
}

/** The bench's rows: the worst gap over every method (≤ 50 ms), and which method it was. */
export function loopRows(r: LoopAtScale, label: string): BenchRow[] {
  const worst = [...r.methods].sort((a, b) => b.worstGapMs - a.worstGapMs)[0]!;
  const top = [...r.methods].sort((a, b) => b.worstGapMs - a.worstGapMs).slice(0, 4);
  const cpuTop = [...r.methods].sort((a, b) => b.worstGapCpuMs - a.worstGapCpuMs).slice(0, 4);
  return [
    {
      key: 'api_loop_gap_max_ms',
      label: `worst host loop gap during an API call (${label})`,
      value: worst.worstGapMs,
      unit: 'ms',
      target: { op: '<=', value: 50 },
      note: `${top.map((m) => `${m.method} ${Math.round(m.worstGapMs)} (GC ${Math.round(m.worstGcMs)})`).join(', ')}; between calls ${Math.round(r.betweenCallsGapMs)} ms; ${r.methods.length} calls × ${r.methods[0]?.calls ?? 0}; worst gap ${Math.round(worst.worstGapParts.onCoreMs)} ms on a core, ${Math.round(worst.worstGapParts.waitingMs)} waiting for one, ${Math.round(worst.worstGapParts.asleepMs)} asleep`,
    },
    {
      key: 'api_loop_gap_cpu_max_ms',
      label: `most main-thread CPU in one host loop gap during an API call (${label}; schedstat: the host's own work and GC, not the machine's load)`,
      value: cpuTop[0]!.worstGapCpuMs,
      unit: 'ms',
      target: { op: '<=', value: 50 },
      note: `${cpuTop.map((m) => `${m.method} ${Math.round(m.worstGapCpuMs)}`).join(', ')}; between calls ${Math.round(r.betweenCallsGapCpuMs)} ms`,
    },
  ];
}

async function main(): Promise<void> {
  const [dir, roundsText] = process.argv.slice(2);
  if (!dir) throw new Error('usage: loop-at-scale.js <data-dir> [rounds]');
  const r = await loopAtScale(dir, Number(roundsText ?? 3), 100, (s) => console.error(s));
  const round = (p: MethodLoop['worstGapParts']) => ({ onCoreMs: Math.round(p.onCoreMs), waitingMs: Math.round(p.waitingMs), asleepMs: Math.round(p.asleepMs) });
  for (const m of r.methods) console.log(JSON.stringify({ ...m, worstMs: Math.round(m.worstMs), worstGapMs: Math.round(m.worstGapMs), worstGapCpuMs: Math.round(m.worstGapCpuMs), worstGapParts: round(m.worstGapParts), worstGapAsleepMs: Math.round(m.worstGapAsleepMs), worstGcMs: Math.round(m.worstGcMs) }));
  console.log(JSON.stringify({ betweenCallsGapMs: Math.round(r.betweenCallsGapMs), betweenCallsGapCpuMs: Math.round(r.betweenCallsGapCpuMs), betweenCallsGapParts: round(r.betweenCallsGapParts), readyMs: Math.round(r.readyMs), orders: r.orders, fills: r.fills }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
