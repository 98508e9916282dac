/**
 * Where a host's memory goes (issue 11, "host RSS at 1 M orders ≤ 1 GB"):
 * `node --expose-gc dist/bench/mem.js [orders] [--checkpoint-every N] [--v8-default]`
 * runs the `rss` scenario's order flow (bench/orders.ts: marketable 1-lot
 * day orders through an in-process host, 4,000 in flight) and prints
 *  - a line every 10 s: orders finished, RSS, heap used, external memory;
 *  - at the end, after a full GC: process.memoryUsage(), V8's heap spaces,
 *    the sizes of the host's per-order collections, and the heap each big
 *    owner holds, measured by dropping it and collecting again (the
 *    sequencer policy's slim order record and carried-order projection,
 *    decision 169; its risk state, which stands for the shared one; the
 *    venue's order map last). The drops happen after the run, just before
 *    close. Also the resident memory by kind of mapping (/proc/self/smaps)
 *    and the peak (VmHWM), before and after the API calls.
 * It also measures the event loop (issue 11: "no API call blocks the event
 * loop for more than 50 ms at 1 M orders"): perf_hooks' event-loop delay
 * histogram over the whole run, and at the end, at full size, the delay seen
 * while each read API call runs (each result JSON-encoded, as the HTTP server
 * would).
 * Not an `npm run bench` scenario: a diagnosis tool. Needs --expose-gc.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { tuneHostHeap } from '../engine/host/heap-tuning.ts';
import type { Host } from '../engine/host/host.ts';
import { OmsProjection } from '../engine/oms/projection.ts';
import { RiskState } from '../engine/oms/exposure/risk-state.ts';
import { PolicyOrders } from '../engine/oms/policy-orders.ts';
import { orderLifecycles } from './orders.ts';
import { collectGarbage, runMain } from './util.ts';

const MiB = 2 ** 20;
const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`;

/** Heap used after a full collection (twice: weak references and finalizers settle on the second). */
function settledHeap(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

function sizeOf(x: unknown): number | string {
  if (x instanceof Map || x instanceof Set) return x.size;
  if (Array.isArray(x)) return x.length;
  return '?';
}

const ms = (ns: number) => `${(ns / 1e6).toFixed(1)} ms`;
const describe = (h: IntervalHistogram) => `p50 ${ms(h.percentile(50))}, p99 ${ms(h.percentile(99))}, p99.9 ${ms(h.percentile(99.9))}, max ${ms(h.max)} (${h.count} samples)`;

/** The event-loop delay while each read API call runs at full size (the result JSON-encoded, as HTTP would). */
async function apiCalls(host: Host): Promise<void> {
  const api = host.api;
  const seq = host.sequencer.position.seq;
  const calls: [string, () => Promise<unknown>][] = [
    ['getState()', () => api.getState()],
    ['getOrders({limit: 1000})', () => api.getOrders({ limit: 1000 })],
    ['getOrders({state: filled, limit: 10000})', () => api.getOrders({ state: 'filled', limit: 10_000 })],
    ['getOrders({after: n/2, limit: 1000})', () => api.getOrders({ after: Math.floor(host.view.projection.orderCount / 2), limit: 1000 })],
    ['getFills({limit: 1000})', () => api.getFills({ limit: 1000 })],
    ['getState({seq: half})', () => api.getState({ seq: Math.floor(seq / 2) })],
    ['getOrders({at: half, limit: 1000})', () => api.getOrders({ at: Math.floor(seq / 2), limit: 1000 })],
    ['getEvents({limit: 1000})', () => api.getEvents({ limit: 1000 })],
    ['getPositions()', () => api.getPositions()],
    ['getRisk()', () => api.getRisk()],
  ];
  console.log('event-loop delay while each read API call runs (resolution 1 ms; a full GC before each):');
  for (const [name, call] of calls) {
    // The previous call's garbage is collected first, so a major GC it caused is not counted against this one.
    settledHeap();
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    const r = await call();
    const bytes = JSON.stringify(r).length;
    // Two turns, so a block at the end of the call is sampled too.
    await new Promise((res) => setTimeout(res, 5));
    await new Promise((res) => setTimeout(res, 5));
    h.disable();
    console.log(`  ${name}: ${(performance.now() - t0).toFixed(1)} ms wall, ${(bytes / 1024).toFixed(0)} KiB, loop delay max ${ms(h.max)}`);
  }
}

/** Peak and current RSS (/proc/self/status VmHWM, VmRSS), in MiB. */
function procRss(): { peak: number; now: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string) => Number(/^(\S+):\s+(\d+) kB/m.exec(status.split('\n').find((l) => l.startsWith(`${k}:`)) ?? '')?.[2] ?? 0);
  return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
}

/**
 * Where the resident memory lies, by kind of mapping (/proc/self/smaps): the
 * main malloc arena ([heap]: native allocations, ArrayBuffer backing stores
 * among them), thread malloc arenas (64 MiB reservations: the worker threads',
 * libuv's), V8's heap pages (256 KiB each) and other anonymous mappings
 * (large ArrayBuffers and V8 large objects are mmapped on their own), files.
 */
function smapsBreakdown(): string {
  const out = new Map<string, number>();
  let size = 0;
  let name = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      size = (parseInt(m[2]!, 16) - parseInt(m[1]!, 16)) / 1024;
      const file = m[3]!;
      name = file === '[heap]' ? 'malloc main arena' : file !== '' ? 'files and stacks' : size === 65536 || size === 131072 ? 'malloc thread arenas' : size === 256 ? 'V8 heap pages' : 'other anonymous';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out.set(name, (out.get(name) ?? 0) + Number(rss[1]));
  }
  return [...out].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} MiB`).join(', ');
}

function rssLine(when: string): void {
  const m = process.memoryUsage();
  const h = getHeapStatistics();
  const p = procRss();
  console.log(`${when}: rss ${mib(m.rss)} (peak so far ${p.peak.toFixed(0)} MiB), heapTotal ${mib(m.heapTotal)}, heapUsed ${mib(m.heapUsed)}, external ${mib(m.external)} (arrayBuffers ${mib(m.arrayBuffers)}), malloced ${mib(h.malloced_memory)}; not heap/external ${mib(m.rss - m.heapTotal - m.external)}`);
  console.log(`  smaps: ${smapsBreakdown()}`);
}

async function breakdown(host: Host): Promise<void> {
  runLoop.disable();
  console.log(`event-loop delay over the run: ${describe(runLoop)}`);
  rssLine('at 100% of the orders, before any API call');
  settledHeap();
  rssLine('  the same after a full GC');
  await apiCalls(host);
  const m = process.memoryUsage();
  const heap0 = settledHeap();
  const m1 = process.memoryUsage();
  console.log(`memoryUsage at the end: rss ${mib(m.rss)}, heapTotal ${mib(m.heapTotal)}, heapUsed ${mib(m.heapUsed)}, external ${mib(m.external)}, arrayBuffers ${mib(m.arrayBuffers)}`);
  console.log(`after full GC: rss ${mib(m1.rss)}, heapTotal ${mib(m1.heapTotal)}, heapUsed ${mib(m1.heapUsed)}, external ${mib(m1.external)}; not heap (rss - heapTotal - external): ${mib(m1.rss - m1.heapTotal - m1.external)}`);
  rssLine('after the API calls and a full GC');
  for (const s of getHeapSpaceStatistics()) {
    if (s.space_size > 8 * MiB) console.log(`  heap space ${s.space_name}: size ${mib(s.space_size)}, used ${mib(s.space_used_size)}`);
  }
  // Private fields, read for the figures only.
  const any = (x: unknown) => x as Record<string, unknown>;
  const policy = any(any(host.sequencer)['opts'])['policy'] as Record<string, unknown>;
  // The venue's books are in its own process by default (decision 279): counted only when it runs on the host's thread.
  const exchange = any(host.localVenue?.exchange ?? {});
  const counts: Record<string, number | string> = {
    'view orders': host.view.projection.orderCount,
    'view tail': sizeOf(any(host.view)['tail']),
    'venue byOrderId': sizeOf(exchange['byOrderId']),
    'venue finished list': sizeOf(exchange['finished']),
    'policy orders (slim record)': (policy['book'] as PolicyOrders).orderCount,
    'policy carried-order projection orders': (policy['carried'] as OmsProjection).orderCount,
    'policy risk: orders remembered for the duplicate check': (policy['risk'] as RiskState).rememberedOrders,
  };
  for (const rt of host.runtimes) {
    const logic = any(rt.logic);
    for (const [k, v] of Object.entries(logic)) if (v instanceof Map || v instanceof Set || Array.isArray(v)) counts[`${rt.role}.${k}`] = sizeOf(v);
    const inner = logic['logic'];
    if (inner && typeof inner === 'object') for (const [k, v] of Object.entries(inner)) if (v instanceof Map || v instanceof Set || Array.isArray(v)) counts[`${rt.role}.logic.${k}`] = sizeOf(v);
  }
  console.log('collections:', JSON.stringify(counts));
  // Heap held by each owner: drop it, collect, compare.
  let before = heap0;
  const drop = (what: string, act: () => void) => {
    act();
    const after = settledHeap();
    console.log(`  dropping ${what}: heap ${mib(before)} → ${mib(after)} (${mib(before - after)}); external now ${mib(process.memoryUsage().external)}`);
    before = after;
  };
  console.log('heap held, by dropping each owner in turn:');
  drop("the sequencer policy's slim order record and carried-order projection", () => {
    policy['book'] = new PolicyOrders();
    policy['carried'] = new OmsProjection();
  });
  drop("the sequencer policy's risk state (= the host's shared one)", () => (policy['risk'] = new RiskState()));
  drop("the venue's order map", () => (exchange['byOrderId'] as Map<number, unknown>).clear());
  console.log(`left: ${mib(before)} of heap`);
}

const runLoop = monitorEventLoopDelay({ resolution: 10 });

runMain(async () => {
  const args = process.argv.slice(2);
  const orders = Number(args.find((a) => /^\d+$/.test(a)) ?? 200_000);
  const ce = args.indexOf('--checkpoint-every');
  const checkpointEvery = ce >= 0 ? Number(args[ce + 1]) : undefined;
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc');
  // The host as `ordo host` runs it (decision 170); --v8-default leaves V8's own heap growth.
  if (!args.includes('--v8-default')) tuneHostHeap();
  const t0 = performance.now();
  runLoop.enable();
  const every = setInterval(() => {
    const m = process.memoryUsage();
    console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s: rss ${mib(m.rss)}, heapTotal ${mib(m.heapTotal)}, heapUsed ${mib(m.heapUsed)}, external ${mib(m.external)}`);
  }, 10_000);
  try {
    const r = await orderLifecycles({ orders, warmup: 0, window: 4_000, venueTickMs: 10, ...(checkpointEvery !== undefined ? { checkpointEvery } : {}), beforeClose: breakdown });
    console.log(`${r.filled.toLocaleString('en-US')} filled in ${r.seconds.toFixed(1)} s (${r.ordersPerSec.toFixed(0)} orders/s), seq ${r.lastSeq.toLocaleString('en-US')}`);
  } finally {
    clearInterval(every);
  }
});
