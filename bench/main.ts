/**
 * `npm run bench`: Ordo's performance figures on the real code paths (real
 * ZeroMQ sockets, a real SQLite file in a temp folder). Prints a table; with
 * `--json` the last line is one JSON object of the figures; `--quick` is a
 * tiny smoke run; `--only a,b` runs some scenarios (sequencer, latency,
 * replay, orders, baseline, roll; --quick leaves out roll unless named).
 */
import { cpus } from 'node:os';
import { baselineAppend } from './baseline.ts';
import { orderLifecycles } from './orders.ts';
import { medianReplayInChild, writeBaselineLog, writeFrameLog } from './replay.ts';
import { rollUnderLoad } from './roll.ts';
import { sequencerLatency, sequencerThroughput } from './sequencer.ts';
import { collectGarbage, runMain } from './util.ts';

interface Sizes {
  seqEvents: number;
  seqWarmup: number;
  seqBatch: number;
  seqWindow: number;
  latencyRate: number;
  latencySeconds: number;
  latencyWarmup: number;
  replaySmall: number;
  replayLarge: number;
  /** Cold replays per figure (the median is reported). */
  replayRuns: number;
  baselineReplay: number;
  baselineAppend: number;
  baselineWindow: number;
  orders: number;
  ordersWarmup: number;
  ordersWindow: number;
}

const FULL: Sizes = {
  seqEvents: 1_000_000,
  seqWarmup: 200_000,
  seqBatch: 512,
  seqWindow: 16_384,
  latencyRate: 10_000,
  latencySeconds: 10,
  latencyWarmup: 1,
  replaySmall: 1_000_000,
  replayLarge: 5_000_000,
  replayRuns: 3,
  baselineReplay: 1_000_000,
  baselineAppend: 200_000,
  baselineWindow: 2_000,
  orders: 200_000,
  ordersWarmup: 10_000,
  ordersWindow: 4_000,
};

const QUICK: Sizes = {
  seqEvents: 20_000,
  seqWarmup: 2_000,
  seqBatch: 256,
  seqWindow: 4_096,
  latencyRate: 2_000,
  latencySeconds: 0.5,
  latencyWarmup: 0.1,
  replaySmall: 20_000,
  replayLarge: 50_000,
  replayRuns: 1,
  baselineReplay: 20_000,
  baselineAppend: 5_000,
  baselineWindow: 500,
  orders: 500,
  ordersWarmup: 100,
  ordersWindow: 200,
};

const SCENARIOS = ['sequencer', 'latency', 'replay', 'baseline', 'orders', 'roll'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Row {
  key: string;
  label: string;
  value: number;
  unit: string;
  target?: { op: '>=' | '<='; value: number };
  note?: string;
}

function parseArgs(argv: readonly string[]): { json: boolean; quick: boolean; only: Set<Scenario> } {
  let json = false;
  let quick = false;
  let only = new Set<Scenario>(SCENARIOS);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--quick') quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const list = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
      const picked = list.split(',').filter(Boolean);
      for (const p of picked) if (!(SCENARIOS as readonly string[]).includes(p)) throw new Error(`unknown scenario '${p}' (one of ${SCENARIOS.join(', ')})`);
      only = new Set(picked as Scenario[]);
    } else {
      throw new Error(`unknown option ${a} (--json, --quick, --only <scenarios>)`);
    }
  }
  // The roll starts a host process and runs for seconds: in the quick smoke run only when asked for by name.
  if (quick && !argv.some((a) => a.startsWith('--only'))) only.delete('roll');
  return { json, quick, only };
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(n >= 10 ? 1 : 2);
}

function printTable(rows: Row[], log: (s: string) => void): void {
  const lines = rows.map((r) => {
    const target = r.target ? `${r.target.op} ${fmt(r.target.value)}` : '';
    const met = r.target ? ((r.target.op === '>=' ? r.value >= r.target.value : r.value <= r.target.value) ? 'met' : 'MISSED') : '';
    return [r.label, fmt(r.value), r.unit, target, met, r.note ?? ''];
  });
  const head = ['figure', 'value', 'unit', 'target', '', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  log(line(head));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) log(line(l));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const size = args.quick ? QUICK : FULL;
  // With --json, progress goes to stderr so stdout ends with the JSON line.
  const log = args.json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => process.stdout.write(s + '\n');
  const rows: Row[] = [];
  const started = performance.now();
  log(`Ordo bench${args.quick ? ' (quick)' : ''}: ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);

  if (args.only.has('sequencer')) {
    const opts = { total: size.seqEvents, warmup: size.seqWarmup, batch: size.seqBatch, window: size.seqWindow };
    log(`sequencer: ${size.seqEvents.toLocaleString('en-US')} events from 4 components in another process…`);
    const two = await sequencerThroughput('two-processes', opts);
    collectGarbage();
    log(`sequencer: ${size.seqEvents.toLocaleString('en-US')} events from 4 components in the same process…`);
    const one = await sequencerThroughput('one-process', opts);
    const note = (r: typeof one) => `${(r.events / r.commits).toFixed(0)} events/commit, ${(r.events / r.frames).toFixed(0)} events/frame`;
    // Headline: the sequencer's capacity, with the load (components and subscriber) on the other core.
    rows.push({ key: 'sequencer_eps', label: 'sequencer, components in 2nd process', value: two.result.eps, unit: 'events/s', target: { op: '>=', value: 1_000_000 }, note: note(two) });
    rows.push({ key: 'sequencer_eps_one_process', label: 'sequencer, all in one process', value: one.result.eps, unit: 'events/s', note: note(one) });
    collectGarbage();
  }

  if (args.only.has('latency')) {
    const opts = { ratePerSec: size.latencyRate, seconds: size.latencySeconds, warmupSeconds: size.latencyWarmup };
    log(`latency: ${size.latencyRate.toLocaleString('en-US')} commands/s for ${size.latencySeconds} s, all in one process…`);
    const one = (await sequencerLatency('one-process', opts)).result;
    collectGarbage();
    log(`latency: ${size.latencyRate.toLocaleString('en-US')} commands/s for ${size.latencySeconds} s, components in another process…`);
    const two = (await sequencerLatency('two-processes', opts)).result;
    // Headline: the layout Ordo ships (startHost: everything in one process over inproc://).
    rows.push({ key: 'latency_p50_us', label: 'latency p50 (1 process)', value: one.p50us, unit: 'µs', note: `${one.samples.toLocaleString('en-US')} samples` });
    rows.push({ key: 'latency_p99_us', label: 'latency p99 (1 process)', value: one.p99us, unit: 'µs', target: { op: '<=', value: 1000 } });
    rows.push({ key: 'latency_p999_us', label: 'latency p99.9 (1 process)', value: one.p999us, unit: 'µs', note: `max ${fmt(one.maxUs)} µs` });
    rows.push({ key: 'latency_offered_per_s', label: 'latency offered load', value: one.offeredPerSec, unit: 'commands/s' });
    rows.push({ key: 'latency_achieved_per_s', label: 'latency achieved rate', value: one.achievedPerSec, unit: 'events/s' });
    rows.push({ key: 'latency_two_process_p50_us', label: 'latency p50 (2 processes)', value: two.p50us, unit: 'µs', note: `${two.samples.toLocaleString('en-US')} samples` });
    rows.push({ key: 'latency_two_process_p99_us', label: 'latency p99 (2 processes)', value: two.p99us, unit: 'µs' });
    rows.push({ key: 'latency_two_process_p999_us', label: 'latency p99.9 (2 processes)', value: two.p999us, unit: 'µs', note: `max ${fmt(two.maxUs)} µs` });
    collectGarbage();
  }

  let baselineReplayEps: number | undefined;
  let replayEps: number | undefined;
  if (args.only.has('replay')) {
    log(`replay: writing a session of ${size.replayLarge.toLocaleString('en-US')} order events…`);
    const stored = writeFrameLog(size.replayLarge);
    try {
      const small = await medianReplayInChild(size.replayRuns, 'frames', stored.db, size.replaySmall, true);
      const large = await medianReplayInChild(size.replayRuns, 'frames', stored.db, stored.events);
      replayEps = large.eps;
      rows.push({
        key: 'replay_eps',
        label: 'replay into OmsProjection',
        value: large.eps,
        unit: 'events/s',
        target: { op: '>=', value: 10_000_000 },
        note: `${large.events.toLocaleString('en-US')} events, ${large.orders.toLocaleString('en-US')} orders, cold process, median of ${size.replayRuns}`,
      });
      rows.push({ key: 'replay_eps_small', label: `replay, first ${fmt(small.events / 1e6)} M events`, value: small.eps, unit: 'events/s' });
      const stream = await medianReplayInChild(size.replayRuns, 'stream', stored.db, stored.events);
      if (stream.events !== large.events) throw new Error(`bench: the stream rewind delivered ${stream.events} of ${large.events} events`);
      rows.push({ key: 'rewind_stream_eps', label: 'rewind via replay service + EventStream', value: stream.eps, unit: 'events/s', note: `${fmt(stream.maxRssBytes / 2 ** 20)} MiB peak RSS` });
      rows.push({ key: 'replay_seconds_small', label: `replay time, ${fmt(small.events / 1e6)} M`, value: small.seconds, unit: 's' });
      rows.push({ key: 'replay_seconds_large', label: `replay time, ${fmt(large.events / 1e6)} M`, value: large.seconds, unit: 's', note: `×${(large.seconds / small.seconds).toFixed(2)} for ×${(large.events / small.events).toFixed(2)} events` });
      rows.push({ key: 'replay_peak_rss_mb', label: 'replaying process peak RSS', value: large.maxRssBytes / 2 ** 20, unit: 'MiB', note: `${fmt(small.maxRssBytes / 2 ** 20)} MiB at ${fmt(small.events / 1e6)} M` });
      rows.push({ key: 'log_bytes_per_event', label: 'log size per event', value: stored.bytes / stored.events, unit: 'bytes', target: { op: '<=', value: 64 }, note: `${fmt(stored.bytes / 2 ** 20)} MiB file` });
      if (args.only.has('baseline')) {
        log(`baseline replay: ${size.baselineReplay.toLocaleString('en-US')} events, one JSON row each…`);
        const naive = writeBaselineLog(size.baselineReplay);
        try {
          const b = await medianReplayInChild(size.replayRuns, 'baseline', naive.db, size.baselineReplay, true);
          baselineReplayEps = b.eps;
          if (b.hash !== small.hash || b.events !== small.events) throw new Error('bench: the naive replay and the frame replay disagree on the state');
          rows.push({ key: 'baseline_log_bytes_per_event', label: 'baseline log size per event', value: naive.bytes / naive.events, unit: 'bytes' });
        } finally {
          naive.dispose();
        }
      }
    } finally {
      stored.dispose();
    }
    collectGarbage();
  }

  if (args.only.has('baseline')) {
    log(`baseline append: ${size.baselineAppend.toLocaleString('en-US')} events, one message and one row each…`);
    const r = await baselineAppend({ total: size.baselineAppend, warmup: Math.round(size.baselineAppend / 10), window: size.baselineWindow });
    // The naive pipeline runs in one process: compare it with Ordo in the same layout.
    const seq = rows.find((x) => x.key === 'sequencer_eps_one_process');
    rows.push({ key: 'baseline_append_eps', label: 'baseline append (naive, 1 process)', value: r.eps, unit: 'events/s', ...(seq ? { note: `Ordo in 1 process ×${(seq.value / r.eps).toFixed(1)}` } : {}) });
    if (baselineReplayEps !== undefined) {
      rows.push({ key: 'baseline_replay_eps', label: 'baseline replay (naive)', value: baselineReplayEps, unit: 'events/s' });
      if (replayEps !== undefined) rows.push({ key: 'replay_ratio', label: 'replay / baseline replay', value: replayEps / baselineReplayEps, unit: '×', target: { op: '>=', value: 10 } });
    }
    collectGarbage();
  }

  if (args.only.has('orders')) {
    log(`orders: ${size.orders.toLocaleString('en-US')} order lifecycles through the host and the venue…`);
    const r = await orderLifecycles({ orders: size.orders, warmup: size.ordersWarmup, window: size.ordersWindow, venueTickMs: 10 });
    rows.push({
      key: 'orders_per_s',
      label: 'order lifecycles (new → filled)',
      value: r.ordersPerSec,
      unit: 'orders/s',
      target: { op: '>=', value: 100_000 },
      note: `${r.filled.toLocaleString('en-US')} filled of ${r.submitted.toLocaleString('en-US')}, ${fmt(r.eventsPerSec)} events/s`,
    });
  }

  if (args.only.has('roll')) rows.push(...(await rollUnderLoad(args.quick ? { rate: 200, seconds: 2 } : { rate: 1000, seconds: 8 })));

  log('');
  printTable(rows, log);
  log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (args.json) {
    const out: Record<string, number> = {};
    for (const r of rows) out[r.key] = r.value;
    out.cpus = cpus().length;
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}

runMain(main);
