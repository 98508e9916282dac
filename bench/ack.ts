/**
 * Issue 11's latency goal on a fresh host: order-ack at `rate` orders/s over
 * HTTP (`POST /api/orders` with the token, keep-alive connections) to `ordo
 * host` in its own process, open loop, each ack's latency from its order's
 * due time (decision 123), so a stalled host counts against every order that
 * fell due during the stall. Reports p50/p99/p99.9/max over the run and over
 * the run after its first second (warm-up), each second's worst ack, and from
 * inside the host (bench/host-probe.ts, preloaded) its event loop's delay and
 * its GC pauses, set against the acks' worst seconds.
 *
 * The load generator is the process that calls ackProbe: `npm run bench` starts
 * bench/ack-probe.js for it (ackProbeInChild), so it is a fresh process of its
 * own. It shares the machine's cores with the host (2 on the build machine),
 * so its own CPU (reported) and its own event loop's stalls (reported) are in
 * the figure.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { apiCaller, orderFlow, pacedOrders, quantile, startHostProcess, type Ack } from './host-load.ts';
import { HOPS } from './hops.ts';
import type { HostProbe } from './host-probe.ts';
import { sampleTree, treeSampler } from './ack-tree.ts';
import { type BenchRow, tempFolder } from './util.ts';

const PROBE = fileURLToPath(new URL('./host-probe.js', import.meta.url));

export interface AckOptions {
  readonly rate: number;
  readonly seconds: number;
  /** More `ordo host` arguments (e.g. `--checkpoint-every 0`). */
  readonly hostArgs?: readonly string[];
  /** Write the host's V8 CPU profile (`--cpu-prof`) into this directory. */
  readonly cpuProfDir?: string;
  /** Sample the host's allocations (collected ones too) into this .heapprofile file (bench/host-probe.ts). */
  readonly allocOut?: string;
  /** Time the host's suspected long calls (bench/host-probe.ts traceCalls). */
  readonly trace?: boolean;
  /** Trace every order's hops, in the generator and in the host (bench/host-probe.ts traceHops), and print where the time goes. */
  readonly hops?: boolean;
  /** Fill the data dir before the host starts (e.g. a long session: bench/recovery.ts writeLiveLikeLog). */
  readonly prepare?: (dataDir: string) => void;
  /** More environment for the host (e.g. ORDO_HOST_NO_COMPACTION=1, bench/host-probe.ts). */
  readonly env?: Record<string, string>;
  readonly log: (s: string) => void;
}

export interface AckResult {
  readonly rows: BenchRow[];
  readonly acks: readonly Ack[];
  readonly probe: HostProbe;
  /** Epoch ms at which the load started (ack dueMs are relative to it). */
  readonly startEpochMs: number;
}

const f1 = (x: number) => x.toFixed(1);

/** The line prefix under which `ack-probe.js --rows` prints its rows (JSON) for bench/main.ts. */
export const ROWS_PREFIX = 'ack-rows: ';

/**
 * The scenario with its load generator in a process of its own (`node ack-probe.js S R --rows`), as
 * `npm run bench` runs it: the generator's event loop and heap are then its own, not those of the bench
 * process that ran every earlier scenario (a stall there would have counted against the host). Its lines go to
 * `log`; resolves with its rows.
 */
export function ackProbeInChild(opts: { rate: number; seconds: number; log: (s: string) => void }): Promise<BenchRow[]> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL('./ack-probe.js', import.meta.url));
    const child = spawn(process.execPath, [script, String(opts.seconds), String(opts.rate), '--rows'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let rows: BenchRow[] | undefined;
    let err = '';
    let rest = '';
    child.stderr!.on('data', (d: Buffer) => (err += d));
    child.stdout!.on('data', (d: Buffer) => {
      rest += d;
      const lines = rest.split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith(ROWS_PREFIX)) rows = JSON.parse(line.slice(ROWS_PREFIX.length)) as BenchRow[];
        else opts.log(line);
      }
    });
    child.on('exit', (code) => (rows && code === 0 ? resolve(rows) : reject(new Error(`ack probe exited ${code}: ${err.trim().split('\n').slice(-1)[0] ?? ''}`))));
  });
}

/** Node arguments and environment that preload bench/host-probe.ts into a host; `read` parses its output after the host exits. */
export function hostProbe(dir: string, opts: { trace?: boolean; hops?: boolean; cpuProfDir?: string; allocOut?: string; env?: Record<string, string> } = {}): { node: { args: string[]; env: Record<string, string> }; read: () => HostProbe } {
  const out = join(dir, 'host-probe.json');
  return {
    node: {
      args: ['--import', PROBE, ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [])],
      env: { ORDO_HOST_PROBE_OUT: out, ...(opts.allocOut ? { ORDO_HOST_ALLOC_OUT: opts.allocOut } : {}), ...(opts.trace ? { ORDO_HOST_TRACE: '1' } : {}), ...(opts.hops ? { ORDO_HOST_HOPS: '1' } : {}), ...(opts.env ?? {}) },
    },
    read: () => JSON.parse(readFileSync(out, 'utf8')) as HostProbe,
  };
}

/** The host's GC pauses and traced long calls between two epoch times, as log lines. */
export function probeLines(probe: HostProbe, fromEpoch: number, toEpoch: number): string[] {
  const lines: string[] = [];
  const gc = probe.gc.filter(([, at]) => at >= fromEpoch && at < toEpoch);
  const kinds = [...new Set(gc.map((g) => g[0]))];
  lines.push(`GC ${kinds.map((k) => { const g = gc.filter((x) => x[0] === k); return `${g.length} ${k} (max ${f1(Math.max(...g.map((x) => x[2])))} ms, total ${f1(g.reduce((t, x) => t + x[2], 0))} ms)`; }).join(', ') || 'none'}`);
  for (const [name, t] of Object.entries(probe.trace ?? {})) {
    const inRun = t.over2.filter(([at]) => at >= fromEpoch && at < toEpoch);
    lines.push(`${name}: over 2 ms: ${inRun.length} (ms/process CPU ms@s: ${inRun.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([at, ms, cpu]) => `${f1(ms)}/${f1(cpu)}@${f1((at - fromEpoch) / 1000)}`).join(' ')})`);
  }
  return lines;
}

/** Latency figures of some acks (ms). */
export function summary(xs: readonly number[]): { p50: number; p99: number; p999: number; max: number; n: number } {
  return { p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), p999: quantile(xs, 0.999), max: xs.length ? Math.max(...xs) : NaN, n: xs.length };
}

/** The path of one order, generator and host, as [name, time] pairs in the order it passes them (undefined if a stamp is missing). */
function pathOf(a: Ack, host: NonNullable<HostProbe['hops']>): [string, number][] | undefined {
  const t = a.trace;
  const h = t ? host[t.coid] : undefined;
  if (!t || !h) return undefined;
  const path: [string, number | undefined][] = [
    ['due', t.due],
    ['gen.call', t.times.call],
    ['gen.written', t.times.written],
    ...HOPS.map((k) => [`host.${k}`, h[k]] as [string, number | undefined]),
    ['gen.head', t.times.head],
    ['gen.end', t.times.end],
  ];
  return path.every(([, x]) => x !== undefined && Number.isFinite(x)) ? (path as [string, number][]) : undefined;
}

/**
 * Where each order's time goes, hop by hop (the gap from the previous stamp): p50, p99 and max of each gap
 * over all traced orders, and its mean over the slowest 1 % (the tail), so the hop that holds the tail shows.
 */
export function hopLines(acks: readonly Ack[], host: NonNullable<HostProbe['hops']>): string[] {
  // $ACK_HOPS_FROM / $ACK_HOPS_TO (ms since the load started) choose another window, e.g. the warm-up: 0 and 3000.
  const from = Number(process.env['ACK_HOPS_FROM'] ?? 1000);
  const to = Number(process.env['ACK_HOPS_TO'] ?? Infinity);
  const paths = acks.filter((a) => a.dueMs >= from && a.dueMs < to).map((a) => pathOf(a, host)).filter((p) => p !== undefined);
  if (paths.length === 0) {
    const seen = HOPS.map((k) => `${k} ${Object.values(host).filter((h) => h[k] !== undefined).length}`).join(', ');
    return [`hops: no order traced through every hop (generator traced ${acks.filter((a) => a.trace).length}; host stamps: ${seen})`];
  }
  const total = (p: [string, number][]) => p[p.length - 1]![1] - p[0]![1];
  const cut = quantile(paths.map(total), 0.99);
  const tail = paths.filter((p) => total(p) >= cut);
  const lines = [`hops (due ${from}–${to} ms into the load): ${paths.length} orders traced through every hop; the tail is the ${tail.length} slowest (from ${f1(cut)} ms); gap from the previous stamp in ms:`];
  for (let i = 1; i < paths[0]!.length; i++) {
    const gaps = paths.map((p) => p[i]![1] - p[i - 1]![1]);
    const inTail = tail.map((p) => p[i]![1] - p[i - 1]![1]);
    const s = summary(gaps);
    lines.push(`  ${paths[0]![i]![0].padEnd(14)} p50 ${f1(s.p50).padStart(6)}  p99 ${f1(s.p99).padStart(6)}  max ${f1(s.max).padStart(6)}  tail mean ${f1(inTail.reduce((x, y) => x + y, 0) / inTail.length).padStart(6)}`);
  }
  return lines;
}

export async function ackProbe(opts: AckOptions): Promise<AckResult> {
  const folder = tempFolder('ack');
  const probeAt = hostProbe(folder.dir, opts);
  const load0 = loadavg()[0]!;
  const dataDir = join(folder.dir, 'data');
  if (opts.prepare) {
    mkdirSync(dataDir);
    opts.prepare(dataDir);
  }
  const host = await startHostProcess(dataDir, opts.hostArgs ?? [], probeAt.node);
  const atReady = sampleTree(host.pid);
  const readyMs = performance.now();
  const api = apiCaller(host, { trace: opts.hops === true });
  let stopped = false;
  try {
    const next = await orderFlow(api.call, 'ack');
    const atLoad = sampleTree(host.pid);
    const toLoadMs = performance.now() - readyMs;
    const tree = treeSampler(host.pid);
    const clientLoop = monitorEventLoopDelay({ resolution: 1 });
    clientLoop.enable();
    const cpu0 = process.cpuUsage();
    const startEpochMs = Date.now();
    const acks = await pacedOrders(api.call, next, opts.rate, opts.seconds);
    const cpu = process.cpuUsage(cpu0);
    const perSecond = tree.stop();
    clientLoop.disable();
    api.close();
    await host.stop();
    stopped = true;
    const probe = probeAt.read();
    const ok = acks.filter((a) => a.status === 200);
    const all = summary(ok.map((a) => a.ms));
    const warm = summary(ok.filter((a) => a.dueMs >= 1000).map((a) => a.ms));
    const worst: number[] = [];
    for (const a of ok) {
      const s = Math.floor(a.dueMs / 1000);
      worst[s] = Math.max(worst[s] ?? 0, a.ms);
    }
    // The host's worst loop delay in the same wall-clock seconds (its seconds are epoch seconds).
    const hostWorst = new Map(probe.loopPerSecond);
    const gcIn = (s: number) => probe.gc.filter(([, at]) => at >= startEpochMs + s * 1000 && at < startEpochMs + (s + 1) * 1000);
    const runGc = probe.gc.filter(([, at]) => at >= startEpochMs && at < startEpochMs + opts.seconds * 1000);
    const gcBy = (kind: string) => runGc.filter(([k]) => k === kind);
    const gcText = ['scavenge', 'mark-compact', 'incremental']
      .map((k) => gcBy(k))
      .filter((g) => g.length > 0)
      .map((g) => `${g.length} ${g[0]![0]} (max ${f1(Math.max(...g.map((x) => x[2])))} ms, total ${f1(g.reduce((t, x) => t + x[2], 0))} ms)`)
      .join(', ');
    const refused = new Map<string, number>();
    for (const a of acks) if (a.status !== 200) refused.set(`${a.status} ${a.code ?? ''}`, (refused.get(`${a.status} ${a.code ?? ''}`) ?? 0) + 1);
    opts.log(`ack: ${ok.length} of ${acks.length} orders answered 200 in ${opts.seconds} s at ${opts.rate}/s (host args: ${(opts.hostArgs ?? []).join(' ') || 'none'})${refused.size > 0 ? `; not 200: ${[...refused].map(([k, n]) => `${n} × ${k}`).join(', ')}` : ''}`);
    opts.log(`ack: all: p50 ${f1(all.p50)}, p99 ${f1(all.p99)}, p99.9 ${f1(all.p999)}, max ${f1(all.max)} ms; after the first second: p50 ${f1(warm.p50)}, p99 ${f1(warm.p99)}, p99.9 ${f1(warm.p999)}, max ${f1(warm.max)} ms`);
    opts.log(`ack: worst ack per second (ms): ${worst.map((w) => f1(w ?? 0)).join(' ')}`);
    opts.log(`ack: host loop delay worst per second (ms): ${worst.map((_, s) => f1(hostWorst.get(Math.floor(startEpochMs / 1000) + s) ?? NaN)).join(' ')}`);
    opts.log(`ack: host GC per second (pauses ms): ${worst.map((_, s) => gcIn(s).map((g) => f1(g[2])).join('+') || '-').join(' ')}`);
    opts.log(`ack: host tree from its ready line to the load (${toLoadMs.toFixed(0)} ms): host CPU ${atLoad.hostCpuMs - atReady.hostCpuMs} ms, ${atLoad.hostFaults - atReady.hostFaults} faults; its children (${atLoad.children}) CPU ${atLoad.childCpuMs - atReady.childCpuMs} ms, ${atLoad.childFaults - atReady.childFaults} faults`);
    opts.log(`ack: host CPU per second (ms): ${perSecond.map((s) => s.hostCpuMs).join(' ')}`);
    opts.log(`ack: host faults per second: ${perSecond.map((s) => s.hostFaults).join(' ')}`);
    opts.log(`ack: host's children CPU per second (ms): ${perSecond.map((s) => s.childCpuMs).join(' ')}`);
    opts.log(`ack: host loop delay over its life: p50 ${f1(probe.loop.p50)}, p99 ${f1(probe.loop.p99)}, p99.9 ${f1(probe.loop.p999)}, max ${f1(probe.loop.max)} ms; GC in the run: ${gcText || 'none'}; host CPU ${f1((probe.cpuMs.user + probe.cpuMs.system) / 1000)} s over its life`);
    if (probe.counts) opts.log(`ack: host calls over its life (per order answered): ${Object.entries(probe.counts).map(([k, n]) => `${k} ${n} (${(n / ok.length).toFixed(2)})`).join(', ')}`);
    for (const [name, t] of Object.entries(probe.trace ?? {})) opts.log(`ack: host ${name}: ${t.n} calls, ${f1(t.totalMs)} ms (process CPU ${f1(t.cpuMs)} ms), longest ${f1(t.maxMs)} ms`);
    if (probe.trace) for (const l of probeLines(probe, startEpochMs, startEpochMs + opts.seconds * 1000).slice(1)) opts.log(`ack: host ${l}`);
    opts.log(`ack: load generator (this process): CPU ${f1((cpu.user + cpu.system) / 1e6)} s in the run, its own loop delay p99 ${f1(clientLoop.percentile(99) / 1e6)}, max ${f1(clientLoop.max / 1e6)} ms; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
    if (opts.hops && probe.hops) for (const l of hopLines(ok, probe.hops)) opts.log(`ack: ${l}`);
    const note = `${opts.seconds} s, ${ok.length} orders; after the first second p99 ${f1(warm.p99)} ms, max ${f1(warm.max)} ms; load avg ${load0.toFixed(1)}`;
    const rows: BenchRow[] = [
      { key: 'ack_p50_ms', label: `order-ack p50 at ${opts.rate}/s over HTTP, fresh host`, value: all.p50, unit: 'ms', note },
      { key: 'ack_p99_ms', label: `order-ack p99 at ${opts.rate}/s over HTTP, fresh host`, value: all.p99, unit: 'ms', target: { op: '<=', value: 10 }, note },
      { key: 'ack_p999_ms', label: `order-ack p99.9 at ${opts.rate}/s over HTTP, fresh host`, value: all.p999, unit: 'ms', note },
      { key: 'ack_max_ms', label: `order-ack max at ${opts.rate}/s over HTTP, fresh host`, value: all.max, unit: 'ms', note },
    ];
    return { rows, acks, probe, startEpochMs };
  } finally {
    api.close();
    if (!stopped) await host.stop();
    folder.dispose();
  }
}
