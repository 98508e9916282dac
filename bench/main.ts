/**
 * `npm run bench`: Ordo's performance figures on the real code paths (real
 * ZeroMQ sockets, a real SQLite file in a temp folder). Prints a table; with
 * `--json` the last line is one JSON object of the figures; `--quick` is a
 * tiny smoke run; `--only a,b` runs some scenarios (sequencer, latency,
 * replay, baseline, orders, state, rss, fix, recovery, roll, stalled, catchup, ack, loop, growth; --quick leaves out roll, stalled, catchup, ack, loop and growth unless named). The method (sync mode, frame sizes,
 * latency from due time, runs per figure, machine load) is printed first.
 */
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { liveFrames } from './live.ts';
import { baselineAppend } from './baseline.ts';
import { storageAppend } from './append-storage.ts';
import { orderLifecycles } from './orders.ts';
import { tuneHostHeap } from '../engine/host/heap-tuning.ts';
import { describeSlice, shortenSchedulerSlice, sliceFromEnv } from '../engine/host/sched-slice.ts';
import { checkpointInChild, longestTailSeq, statePageInChild } from './state-at-scale.ts';
import { resumedHostRss, type ResumedHost } from './host-resumed.ts';
import { compactStoredLog, medianReplayInChild, stateAtInChild, writeBaselineLog, writeFrameLog, type ChildReplay } from './replay.ts';
import { growthRows } from './growth.ts';
import { recoveryRows } from './recovery.ts';
import { rollUnderLoad } from './roll.ts';
import { sequencerLatency, sequencerThroughput } from './sequencer.ts';
import { type BenchRow, collectGarbage, runMain } from './util.ts';

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
  /** Orders through the HTTP API. */
  apiOrders: number;
  /** Orders submitted to a live host at each of LIVE_RATES (its frames sized the live-written logs). */
  liveOrders: readonly number[];
  /** Events the host sequences before its RSS is taken. */
  rssEvents: number;
  /** Newest events left as written by compaction (the host's FrameCompactor default is 16,384). */
  compactionLag: number;
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
  apiOrders: 50_000,
  liveOrders: [5_000, 50_000, 200_000],
  rssEvents: 5_000_000,
  compactionLag: 16_384,
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
  apiOrders: 300,
  liveOrders: [200, 1_000, 2_000],
  rssEvents: 20_000,
  compactionLag: 1_024,
};

/** Offered order rates of the live hosts whose frames the live-written logs reproduce. */
const LIVE_RATES = [1_000, 10_000, 100_000] as const;

const SCENARIOS = ['sequencer', 'latency', 'replay', 'baseline', 'orders', 'state', 'rss', 'fix', 'recovery', 'roll', 'stalled', 'catchup', 'ack', 'loop', 'growth'] as const;
type Scenario = (typeof SCENARIOS)[number];

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
  if (quick && !argv.some((a) => a.startsWith('--only'))) for (const s of ['roll', 'stalled', 'catchup', 'ack', 'loop', 'growth'] as const) only.delete(s);
  return { json, quick, only };
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(n >= 10 ? 1 : 2);
}

function printTable(rows: BenchRow[], log: (s: string) => void): void {
  const lines = rows.map((r) => {
    const target = r.target ? `${r.target.op} ${fmt(r.target.value)}` : '';
    // A negative value marks a figure whose run failed (its note says why).
    const met = r.value < 0 ? 'FAILED' : r.target ? ((r.target.op === '>=' ? r.value >= r.target.value : r.value <= r.target.value) ? 'met' : 'MISSED') : '';
    return [r.label, fmt(r.value), r.unit, target, met, r.note ?? ''];
  });
  const head = ['figure', 'value', 'unit', 'target', '', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  log(line(head));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) log(line(l));
}

/** The replaying thread's CPU per event of a child replay, for a row's note ('' where /proc gave none). */
function cpuNote(r: ChildReplay): string {
  if (r.mainCpuNs === undefined || r.mainCpuNs <= 0) return '';
  // The whole process's CPU beside it: the column prefault worker (decision 261) moves page faults off the replaying thread, not away.
  const all = r.processCpuNs !== undefined && r.processCpuNs > 0 ? `, ${fmt(r.processCpuNs / r.events)} all threads` : '';
  return `, ${fmt(r.mainCpuNs / r.events)} ns/event CPU (replaying thread${all})`;
}

/** Mean, median, 90th percentile and max of frame sizes, for the method lines. */
function describeFrames(sizes: readonly number[]): string {
  if (sizes.length === 0) return 'no frames';
  const sorted = [...sizes].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return `${sorted.length.toLocaleString('en-US')} frames, events/frame mean ${mean.toFixed(1)}, p50 ${at(0.5)}, p90 ${at(0.9)}, max ${sorted[sorted.length - 1]}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const size = args.quick ? QUICK : FULL;
  // With --json, progress goes to stderr so stdout ends with the JSON line.
  const log = args.json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => process.stdout.write(s + '\n');
  const rows: BenchRow[] = [];
  // A host resumed on the replay scenario's log (taken in the state scenario while its checkpoints exist), reported by rss.
  let resumed: { events: number; host: ResumedHost } | undefined;
  const started = performance.now();
  // One scenario's failure is reported and the others still run: a bench that dies on its last
  // scenario would throw away every figure taken before it.
  const failed: string[] = [];
  const attempt = async (name: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      failed.push(name);
      log(`${name}: FAILED: ${(err as Error).message.split('\n')[0]}`);
    }
  };
  // The bench process is the host of its in-process scenarios: its threads run with the slice `ordo host` gives
  // its own (decision 283); ORDO_SCHED_SLICE_US=0 runs the kernel's default, for comparison.
  const slice = shortenSchedulerSlice(sliceFromEnv());
  const [load1, load5] = loadavg();
  log(`Ordo bench${args.quick ? ' (quick)' : ''}: ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
  log(`machine load average at start: ${load1!.toFixed(2)} (1 min), ${load5!.toFixed(2)} (5 min): figures taken above ~0.5 are from a shared, loaded machine`);
  log(`${describeSlice(slice)} in the bench process and the two-process scenarios' component process, as \`ordo host\` and \`ordo component\` run`);
  log('method:');
  log('  - every log is a real SQLite file (WAL) in a temp folder; the sequencer runs synchronous=NORMAL unless a figure says --sync full');
  log(`  - latency: ${size.latencyRate.toLocaleString('en-US')} commands/s offered open-loop; each command's latency runs from its DUE time (start + i/rate), not from when it was sent (no coordinated omission); new orders are sent at their due times (a timer thread wakes the sender, decision 192), and again on a 1 ms timer tick (rounds 3-5) for comparison`);
  log(`  - cold replays run in fresh processes; each figure is the median of ${size.replayRuns} run(s)`);
  log(`  - live-written logs: a real host takes orders paced at ${LIVE_RATES.map((r) => r.toLocaleString('en-US')).join(', ')} orders/s; the sizes of the frames its sequencer commits are read back from its log and the replay session is stored in frames of exactly those sizes, in that order`);
  log('  - cold replays of 250 k events or more (Ordo and the naive log alike: the same OmsProjection) have their column memory prefaulted on a worker thread (decision 261)');
  log('  - naive baselines: storage-only (one JSON row per event in better-sqlite3, 10k-row transactions; replay reads rows with .raw() and JSON.parse) and messaging (one ZeroMQ message + one JSON per command and event); ratios at equal event counts');

  if (args.only.has('sequencer')) {
    await attempt('sequencer', async () => {
      const opts = { total: size.seqEvents, warmup: size.seqWarmup, batch: size.seqBatch, window: size.seqWindow };
      log(`sequencer: ${size.seqEvents.toLocaleString('en-US')} events from 4 components in another process…`);
      const two = await sequencerThroughput('two-processes', opts);
      collectGarbage();
      log(`sequencer: ${size.seqEvents.toLocaleString('en-US')} events from 4 components in the same process…`);
      // Over inproc:// sockets, as in every round before: this row's method is unchanged (the latency rows below
      // take the shipped in-process layout).
      const one = await sequencerThroughput('one-process-inproc', opts);
      collectGarbage();
      log(`sequencer: ${size.seqEvents.toLocaleString('en-US')} events from 4 components in another process, --sync full…`);
      const full = await sequencerThroughput('two-processes', opts, 'full');
      const note = (r: typeof one) => `${(r.events / r.commits).toFixed(0)} events/commit, ${(r.events / r.frames).toFixed(0)} events/frame`;
      // Headline: the sequencer's capacity, with the load (components and subscriber) on the other core.
      rows.push({ key: 'sequencer_eps', label: 'sequencer, components in 2nd process', value: two.result.eps, unit: 'events/s', target: { op: '>=', value: 1_000_000 }, note: `--sync normal, ${note(two)}` });
      rows.push({ key: 'sequencer_eps_full', label: 'sequencer, 2nd process, --sync full', value: full.result.eps, unit: 'events/s', target: { op: '>=', value: 500_000 }, note: `power-loss durable, ${note(full)}` });
      rows.push({ key: 'sequencer_eps_one_process', label: 'sequencer, all in one process', value: one.result.eps, unit: 'events/s', note: `--sync normal, ${note(one)}` });
      collectGarbage();
    });
  }

  if (args.only.has('latency')) {
    await attempt('latency', async () => {
      // Headline: new orders sent at their due times (a timer thread wakes the sender, decision 192); beside it the
      // 1 ms timer tick of rounds 3-5, whose own wait puts a ~1.1 ms floor under the p99 (docs/performance.md, round 4).
      const opts = { ratePerSec: size.latencyRate, seconds: size.latencySeconds, warmupSeconds: size.latencyWarmup, send: 'wake' as const };
      const tickOpts = { ...opts, send: 'tick' as const };
      const each = `${size.latencyRate.toLocaleString('en-US')} commands/s for ${size.latencySeconds} s`;
      log(`latency: ${each}, all in one process as \`ordo host\` wires it (localPort, onStoredFrames), orders sent at their due times…`);
      const one = (await sequencerLatency('one-process', opts)).result;
      collectGarbage();
      log(`latency: ${each}, all in one process over inproc:// sockets, orders sent at their due times…`);
      const oneInproc = (await sequencerLatency('one-process-inproc', opts)).result;
      collectGarbage();
      log(`latency: ${each}, components in another process, orders sent at their due times…`);
      const two = (await sequencerLatency('two-processes', opts)).result;
      collectGarbage();
      log(`latency: ${each}, all in one process, orders sent on a 1 ms tick…`);
      const oneTick = (await sequencerLatency('one-process', tickOpts)).result;
      collectGarbage();
      log(`latency: ${each}, components in another process, orders sent on a 1 ms tick…`);
      const twoTick = (await sequencerLatency('two-processes', tickOpts)).result;
      const sender = 'orders sent at their due times (timer thread)';
      // Headline: the layout Ordo ships (startHost: components in the sequencer's process over localPort and
      // onStoredFrames, no sockets; decisions 183, 210, 265).
      rows.push({ key: 'latency_p50_us', label: 'latency p50 (1 process)', value: one.p50us, unit: 'µs', note: `from due time, ${one.samples.toLocaleString('en-US')} samples; ${sender}; as \`ordo host\` wires it (localPort, onStoredFrames)` });
      rows.push({ key: 'latency_p99_us', label: 'latency p99 (1 process)', value: one.p99us, unit: 'µs', target: { op: '<=', value: 1000 } });
      rows.push({ key: 'latency_p999_us', label: 'latency p99.9 (1 process)', value: one.p999us, unit: 'µs', target: { op: '<=', value: 5000 }, note: `max ${fmt(one.maxUs)} µs` });
      rows.push({ key: 'latency_inproc_p99_us', label: 'latency p99 (1 process, inproc:// sockets)', value: oneInproc.p99us, unit: 'µs', note: `the bench's one-process layout before round 12; p50 ${fmt(oneInproc.p50us)} µs` });
      rows.push({ key: 'latency_inproc_p999_us', label: 'latency p99.9 (1 process, inproc:// sockets)', value: oneInproc.p999us, unit: 'µs', note: `max ${fmt(oneInproc.maxUs)} µs` });
      rows.push({ key: 'latency_offered_per_s', label: 'latency offered load', value: one.offeredPerSec, unit: 'commands/s' });
      rows.push({ key: 'latency_achieved_per_s', label: 'latency achieved rate', value: one.achievedPerSec, unit: 'events/s' });
      rows.push({ key: 'latency_two_process_p50_us', label: 'latency p50 (2 processes)', value: two.p50us, unit: 'µs', note: `from due time, ${two.samples.toLocaleString('en-US')} samples; ${sender}` });
      rows.push({ key: 'latency_two_process_p99_us', label: 'latency p99 (2 processes)', value: two.p99us, unit: 'µs', target: { op: '<=', value: 1000 } });
      rows.push({ key: 'latency_two_process_p999_us', label: 'latency p99.9 (2 processes)', value: two.p999us, unit: 'µs', target: { op: '<=', value: 5000 }, note: `max ${fmt(two.maxUs)} µs` });
      const tickNote = 'new orders sent every 1 ms timer tick (rounds 3-5 method)';
      rows.push({ key: 'latency_tick_p99_us', label: 'latency p99 (1 process), 1 ms tick sender', value: oneTick.p99us, unit: 'µs', note: `${tickNote}; p50 ${fmt(oneTick.p50us)} µs` });
      rows.push({ key: 'latency_tick_p999_us', label: 'latency p99.9 (1 process), 1 ms tick sender', value: oneTick.p999us, unit: 'µs', note: `max ${fmt(oneTick.maxUs)} µs` });
      rows.push({ key: 'latency_tick_two_process_p99_us', label: 'latency p99 (2 processes), 1 ms tick sender', value: twoTick.p99us, unit: 'µs', note: `${tickNote}; p50 ${fmt(twoTick.p50us)} µs` });
      rows.push({ key: 'latency_tick_two_process_p999_us', label: 'latency p99.9 (2 processes), 1 ms tick sender', value: twoTick.p999us, unit: 'µs', note: `max ${fmt(twoTick.maxUs)} µs` });
      collectGarbage();
    });
  }

  // Naive replay rates by event count, for ratios at equal sizes.
  const naiveReplay = new Map<number, { eps: number; hash?: string }>();
  const naiveAt = async (events: number): Promise<{ eps: number; hash?: string; bytesPerEvent: number; appendEps: number }> => {
    log(`baseline replay: ${events.toLocaleString('en-US')} events, one JSON row each…`);
    const naive = writeBaselineLog(events);
    try {
      const b = await medianReplayInChild(size.replayRuns, 'baseline', naive.db, events, true);
      naiveReplay.set(events, b);
      return { eps: b.eps, ...(b.hash !== undefined ? { hash: b.hash } : {}), bytesPerEvent: naive.bytes / naive.events, appendEps: naive.events / naive.writeSeconds };
    } finally {
      naive.dispose();
    }
  };

  if (args.only.has('replay')) {
    // The 4,096-event frames' first 1 M events: the live-written logs' size, shown beside their headline.
    let equalSize: { events: number; eps: number } | undefined;
    await attempt('replay', async () => {
      log(`replay: writing a session of ${size.replayLarge.toLocaleString('en-US')} order events in 4,096-event frames…`);
      const stored = writeFrameLog(size.replayLarge);
      try {
        const small = await medianReplayInChild(size.replayRuns, 'frames', stored.db, size.replaySmall, true);
        const large = await medianReplayInChild(size.replayRuns, 'frames', stored.db, stored.events);
        rows.push({
          key: 'replay_eps',
          label: 'replay, 4,096-event frames',
          value: large.eps,
          unit: 'events/s',
          target: { op: '>=', value: 10_000_000 },
          note: `${large.events.toLocaleString('en-US')} events, ${large.orders.toLocaleString('en-US')} orders, cold process, median of ${size.replayRuns}${cpuNote(large)}`,
        });
        rows.push({ key: 'replay_eps_small', label: `replay, 4,096-event frames, first ${fmt(small.events / 1e6)} M`, value: small.eps, unit: 'events/s', ...(cpuNote(small) ? { note: cpuNote(small).slice(2) } : {}) });
        equalSize = { events: small.events, eps: small.eps };
        const stream = await medianReplayInChild(size.replayRuns, 'stream', stored.db, stored.events);
        if (stream.events !== large.events) throw new Error(`bench: the stream rewind delivered ${stream.events} of ${large.events} events`);
        rows.push({ key: 'rewind_stream_eps', label: 'rewind via replay service + EventStream', value: stream.eps, unit: 'events/s', note: `${fmt(stream.maxRssBytes / 2 ** 20)} MiB peak RSS` });
        rows.push({ key: 'replay_seconds_small', label: `replay time, ${fmt(small.events / 1e6)} M`, value: small.seconds, unit: 's' });
        rows.push({ key: 'replay_seconds_large', label: `replay time, ${fmt(large.events / 1e6)} M`, value: large.seconds, unit: 's', note: `×${(large.seconds / small.seconds).toFixed(2)} for ×${(large.events / small.events).toFixed(2)} events` });
        rows.push({ key: 'replay_peak_rss_mb', label: 'replaying process peak RSS', value: large.maxRssBytes / 2 ** 20, unit: 'MiB', note: `${fmt(small.maxRssBytes / 2 ** 20)} MiB at ${fmt(small.events / 1e6)} M` });
        rows.push({ key: 'log_bytes_per_event', label: 'log size per event, 4,096-event frames', value: stored.bytes / stored.events, unit: 'bytes', note: `${fmt(stored.bytes / 2 ** 20)} MiB file` });

        if (args.only.has('state')) {
          log(`state: ordo state --at ${stored.events.toLocaleString('en-US')} (the last seq) of the ${fmt(stored.events / 1e6)} M-event session…`);
          const st = await stateAtInChild(dirname(stored.db), stored.events);
          const mid = await stateAtInChild(dirname(stored.db), Math.floor(stored.events / 2));
          if (st.code !== 0) log(`state: FAILED at the last seq: ${st.error ?? ''}`);
          const pageBefore = await statePageInChild(dirname(stored.db), stored.events);
          rows.push({
            key: 'state_at_no_checkpoint_ms',
            label: `ordo state --at last seq, no checkpoint (${fmt(stored.events / 1e6)} M)`,
            value: st.code === 0 ? st.ms : -1,
            unit: 'ms',
            note: `replay from seq 1; API first page ${pageBefore ? fmt(pageBefore.ms) : 'FAILED'} ms`,
          });
          // A live host keeps in-session checkpoints (decision 085): the same log with them, as it would have.
          log('state: ordo checkpoint over the session, then the same again…');
          const ckptSeconds = await checkpointInChild(dirname(stored.db));
          const stC = await stateAtInChild(dirname(stored.db), stored.events);
          // `ordo state --at` writes a summary and the first page (decision 186); --all streams every order and fill.
          const stAll = await stateAtInChild(dirname(stored.db), stored.events, ['--all']);
          const midC = await stateAtInChild(dirname(stored.db), Math.floor(stored.events / 2));
          const pageC = await statePageInChild(dirname(stored.db), stored.events);
          // The seq with the longest tail after a kept checkpoint (the sparse grid's gap, decision 209).
          const tailSeq = longestTailSeq(dirname(stored.db)).seq;
          const pageTail = await statePageInChild(dirname(stored.db), tailSeq);
          const stTail = await stateAtInChild(dirname(stored.db), tailSeq);
          rows.push({
            key: 'state_at_page_ms',
            label: `GET /api/state?at= first page, checkpoints (${fmt(stored.events / 1e6)} M)`,
            value: pageC ? pageC.ms : -1,
            unit: 'ms',
            target: { op: '<=', value: 1000 },
            note: pageC && pageTail ? `from checkpoint ${pageC.fromCheckpoint}; ${fmt(pageC.maxRssMiB)} MiB peak RSS; longest tail (from ${pageTail.fromCheckpoint}) ${fmt(pageTail.ms)} ms; first checkpoint round ${fmt(ckptSeconds)} s` : 'FAILED',
          });
          rows.push({
            key: 'state_at_ms',
            label: `ordo state --at last seq, checkpoints (${fmt(stored.events / 1e6)} M)`,
            value: stC.code === 0 ? stC.ms : -1,
            unit: 'ms',
            target: { op: '<=', value: 1000 },
            note: stC.code === 0 ? `the whole command, start to exit (inside its process ${fmt(stC.innerMs ?? 0)} ms); with checkpoints, summary + first page; ${fmt(stC.maxRssBytes / 2 ** 20)} MiB peak RSS; at the middle seq ${fmt(midC.ms)} ms (no checkpoint: ${fmt(mid.ms)} ms); longest tail (seq ${tailSeq}) ${stTail.code === 0 ? fmt(stTail.ms) : 'FAILED'} ms` : `FAILED: ${stC.error ?? ''}`.slice(0, 100),
          });
          rows.push({
            key: 'state_at_all_ms',
            label: `ordo state --at last seq --all, checkpoints (${fmt(stored.events / 1e6)} M)`,
            value: stAll.code === 0 ? stAll.ms : -1,
            unit: 'ms',
            note: stAll.code === 0 ? `every order and fill streamed; ${fmt(stAll.maxRssBytes / 2 ** 20)} MiB peak RSS` : `FAILED: ${stAll.error ?? ''}`.slice(0, 100),
          });
          // The last use of this log: the host appends to it (decision 294's figure, with the checkpoints just made).
          if (args.only.has('rss')) {
            log(`rss: ordo host resumed on the ${fmt(stored.events / 1e6)} M-event session from its checkpoint…`);
            // Its failure costs this figure only (the rss scenario then makes a log of its own), not the rows after.
            resumed = await resumedHostRss(dirname(stored.db)).then(
              (host) => ({ events: stored.events, host }),
              (err: Error) => void log(`rss: the resumed host FAILED here: ${err.message}`),
            );
          }
        }

        if (args.only.has('baseline')) {
          const b1 = await naiveAt(small.events);
          if (b1.hash !== small.hash) throw new Error('bench: the naive replay and the frame replay disagree on the state');
          const b5 = size.replayLarge === size.replaySmall ? b1 : await naiveAt(stored.events);
          rows.push({ key: 'baseline_log_bytes_per_event', label: 'baseline log size per event', value: b1.bytesPerEvent, unit: 'bytes' });
          rows.push({ key: 'baseline_storage_append_eps', label: 'baseline storage-only append (JSON rows)', value: b1.appendEps, unit: 'events/s', note: `${fmt(small.events / 1e6)} M events` });
          rows.push({ key: 'baseline_storage_replay_eps', label: `baseline storage-only replay, ${fmt(stored.events / 1e6)} M`, value: b5.eps, unit: 'events/s', note: `.raw() rows + JSON.parse into OmsProjection; ${fmt(b1.eps)} at ${fmt(small.events / 1e6)} M` });
          rows.push({ key: 'baseline_replay_eps', label: `baseline replay, ${fmt(small.events / 1e6)} M`, value: b1.eps, unit: 'events/s' });
          rows.push({ key: 'replay_ratio', label: `replay / baseline, equal size ${fmt(stored.events / 1e6)} M`, value: large.eps / b5.eps, unit: '×', target: { op: '>=', value: 10 } });
          rows.push({ key: 'replay_ratio_small', label: `replay / baseline, equal size ${fmt(small.events / 1e6)} M`, value: small.eps / b1.eps, unit: '×', target: { op: '>=', value: 10 } });
        }
      } finally {
        stored.dispose();
      }
      collectGarbage();

      // Logs as a live host writes them.
      let slowest: number | undefined;
      let largest: number | undefined;
      let slowestRaw: number | undefined;
      let largestRaw: number | undefined;
      let compactEps: number | undefined;
      for (let i = 0; i < LIVE_RATES.length; i++) {
        const rate = LIVE_RATES[i]!;
        log(`replay: a live host taking ${rate.toLocaleString('en-US')} orders/s (${size.liveOrders[i]!.toLocaleString('en-US')} orders), reading back its frame sizes…`);
        const live = await liveFrames(rate, size.liveOrders[i]!, 10);
        log(`  achieved ${fmt(live.orders.ordersPerSec)} orders/s filled; ${describeFrames(live.frameSizes)}; ${fmt(live.bodyBytesPerEvent)} frame bytes/event in its own log`);
        const stored = writeFrameLog(size.replaySmall, live.frameSizes);
        try {
          const naive = naiveReplay.get(size.replaySmall);
          const vsNaive = (eps: number) => (naive ? `, ×${(eps / naive.eps).toFixed(1)} baseline` : '');
          const k = `${rate / 1000}k`;
          const raw = await medianReplayInChild(size.replayRuns, 'frames', stored.db, stored.events, true);
          const rawBytes = stored.bytes / stored.events;
          slowestRaw = Math.min(slowestRaw ?? Infinity, raw.eps);
          largestRaw = Math.max(largestRaw ?? 0, rawBytes);
          rows.push({ key: `replay_live_${k}_as_written_eps`, label: `replay, live frames @ ${k} orders/s, as written`, value: raw.eps, unit: 'events/s', target: { op: '>=', value: 10_000_000 }, note: `${fmt(raw.events / 1e6)} M events, ${fmt(rawBytes)} B/event${vsNaive(raw.eps)}${cpuNote(raw)}` });
          const c = compactStoredLog(stored, size.compactionLag);
          const r = await medianReplayInChild(size.replayRuns, 'frames', stored.db, stored.events, true);
          if (r.events !== raw.events || r.lastSeq !== raw.lastSeq || r.hash !== raw.hash) throw new Error('bench: the compacted log replays different events');
          const bytes = c.usedBytes / stored.events;
          slowest = Math.min(slowest ?? Infinity, r.eps);
          largest = Math.max(largest ?? 0, bytes);
          if (c.events > 0) compactEps = Math.min(compactEps ?? Infinity, c.events / c.seconds);
          rows.push({
            key: `replay_live_${k}_eps`,
            label: `replay, live frames @ ${k} orders/s, compacted`,
            value: r.eps,
            unit: 'events/s',
            target: { op: '>=', value: 10_000_000 },
            note: `${fmt(bytes)} B/event; ${c.framesBefore.toLocaleString('en-US')} → ${c.framesAfter.toLocaleString('en-US')} frames in ${fmt(c.seconds)} s${vsNaive(r.eps)}${cpuNote(r)}`,
          });
        } finally {
          stored.dispose();
        }
        collectGarbage();
      }
      if (slowest !== undefined && largest !== undefined) {
        rows.push({ key: 'replay_live_eps', label: 'replay, live-written, compacted (slowest)', value: slowest, unit: 'events/s', target: { op: '>=', value: 10_000_000 }, note: `the host's compactor caught up: all but the newest ${size.compactionLag.toLocaleString('en-US')} events merged${equalSize ? `; 4,096-event frames at the same size (${fmt(equalSize.events / 1e6)} M): ${fmt(equalSize.eps)}` : ''}` });
        rows.push({ key: 'bytes_per_event_live', label: 'log bytes per event, live-written, compacted (largest)', value: largest, unit: 'bytes', target: { op: '<=', value: 32 }, note: 'pages in use (freed pages are reused by new frames)' });
        rows.push({ key: 'replay_live_as_written_eps', label: 'replay, live-written, as written (slowest)', value: slowestRaw!, unit: 'events/s', target: { op: '>=', value: 10_000_000 }, note: 'no compaction' });
        rows.push({ key: 'bytes_per_event_live_as_written', label: 'log bytes per event, live-written, as written (largest)', value: largestRaw!, unit: 'bytes', target: { op: '<=', value: 32 } });
        if (compactEps !== undefined) rows.push({ key: 'compaction_eps', label: 'compaction rate (slowest case)', value: compactEps, unit: 'events/s', note: 'one thread; the host runs it in ≤10 ms rounds every 100 ms' });
      }
    });
  }

  if (args.only.has('baseline')) {
    await attempt('baseline', async () => {
      if (!naiveReplay.has(size.replaySmall)) {
        const b = await naiveAt(size.replaySmall);
        rows.push({ key: 'baseline_storage_append_eps', label: 'baseline storage-only append (JSON rows)', value: b.appendEps, unit: 'events/s' });
        rows.push({ key: 'baseline_storage_replay_eps', label: 'baseline storage-only replay', value: b.eps, unit: 'events/s' });
        rows.push({ key: 'baseline_replay_eps', label: 'baseline replay', value: b.eps, unit: 'events/s' });
      }
      log(`baseline append: ${size.baselineAppend.toLocaleString('en-US')} events, one message and one row each…`);
      const r = await baselineAppend({ total: size.baselineAppend, warmup: Math.round(size.baselineAppend / 10), window: size.baselineWindow });
      // The naive pipeline runs in one process: compare it with Ordo in the same layout.
      const seq = rows.find((x) => x.key === 'sequencer_eps_one_process');
      rows.push({ key: 'baseline_append_eps', label: 'baseline messaging append (naive, 1 process)', value: r.eps, unit: 'events/s', ...(seq ? { note: `Ordo in 1 process ×${(seq.value / r.eps).toFixed(1)}` } : {}) });
      const storage = rows.find((x) => x.key === 'baseline_storage_append_eps');
      const two = rows.find((x) => x.key === 'sequencer_eps');
      if (storage && two) rows.push({ key: 'append_ratio_sequencer_storage', label: 'sequencer (2 processes) / storage-only naive append', value: two.value / storage.value, unit: '×', note: 'the whole path against storage alone' });
      for (const sync of ['normal', 'full'] as const) {
        log(`storage-only append, --sync ${sync}: ${size.replaySmall.toLocaleString('en-US')} events written by Ordo's log and the naive way, ${size.replayRuns} runs each…`);
        const a = storageAppend(size.replaySmall, size.replayRuns, sync);
        const runs = (xs: readonly number[]) => xs.map((x) => fmt(x / 1e6)).join(', ');
        const sfx = sync === 'normal' ? '' : '_full';
        rows.push({ key: `append_storage_ordo_eps${sfx}`, label: `Ordo log append, storage only, --sync ${sync}`, value: a.ordoEps, unit: 'events/s', note: `frames of ≤ 4,096 events, 10,000 events a transaction; ${fmt(a.events / 1e6)} M events, runs ${runs(a.ordoRuns)} M/s` });
        rows.push({ key: `append_storage_naive_eps${sfx}`, label: `naive append, storage only, --sync ${sync}`, value: a.naiveEps, unit: 'events/s', note: `JSON rows, 10,000 a transaction; runs ${runs(a.naiveRuns)} M/s` });
        rows.push({ key: `append_ratio_storage${sfx}`, label: `Ordo / naive append, storage only, equal size, --sync ${sync}`, value: a.ordoEps / a.naiveEps, unit: '×', target: { op: '>=', value: 10 }, note: 'same events, same 10,000 events a transaction (the same commits and fsyncs)' });
      }
      if (seq) rows.push({ key: 'append_ratio', label: 'sequencer (1 process) / messaging naive', value: seq.value / r.eps, unit: '×' });
      collectGarbage();
    });
  }

  if (args.only.has('orders')) {
    await attempt('orders', async () => {
      log(`orders: ${size.orders.toLocaleString('en-US')} order lifecycles through the host and the venue (in-process API)…`);
      const r = await orderLifecycles({ orders: size.orders, warmup: size.ordersWarmup, window: size.ordersWindow, venueTickMs: 10 });
      rows.push({
        key: 'orders_per_s',
        label: 'order lifecycles (new → filled), in-process',
        value: r.ordersPerSec,
        unit: 'orders/s',
        target: { op: '>=', value: 100_000 },
        note: `${r.filled.toLocaleString('en-US')} filled of ${r.submitted.toLocaleString('en-US')} (${r.riskRejected} rejected by risk), ${fmt(r.eventsPerSec)} events/s, ${fmt(r.eventsPerSec / r.ordersPerSec)} events/order`,
      });
      rows.push({ key: 'orders_cpu_us', label: 'CPU per order lifecycle, in-process', value: r.cpuMicrosPerOrder, unit: 'µs', note: 'user + system of the host process and the simulated venue\'s process (decision 279) over the measured run, per filled order' });
      if (r.hostThreadCpuMicrosPerOrder !== undefined) rows.push({ key: 'orders_host_thread_cpu_us', label: "CPU per order lifecycle, in-process, the host's thread alone", value: r.hostThreadCpuMicrosPerOrder, unit: 'µs', note: "the event loop's own run time (sequencer, components, venue, API); the rest of the process figure is V8's helper threads (GC, compiler) and the host's other threads" });
      collectGarbage();
      log(`orders: ${size.apiOrders.toLocaleString('en-US')} order lifecycles submitted over HTTP (POST /api/orders, keep-alive)…`);
      const api = await orderLifecycles({ orders: size.apiOrders, warmup: Math.min(size.ordersWarmup, size.apiOrders), window: size.ordersWindow, venueTickMs: 10, via: 'http' });
      rows.push({ key: 'orders_per_s_api', label: 'order lifecycles, via HTTP API', value: api.ordersPerSec, unit: 'orders/s', target: { op: '>=', value: 100_000 }, note: `${api.filled.toLocaleString('en-US')} filled of ${api.submitted.toLocaleString('en-US')} (${api.riskRejected} rejected by risk), the client on a thread of its own` });
      rows.push({ key: 'orders_cpu_us_api', label: 'CPU per order lifecycle, via HTTP API', value: api.cpuMicrosPerOrder, unit: 'µs', note: `the whole process, the HTTP client's thread included${api.hostThreadCpuMicrosPerOrder !== undefined ? `; host thread ${fmt(api.hostThreadCpuMicrosPerOrder)} µs, client thread ${fmt(api.clientThreadCpuMicrosPerOrder ?? 0)} µs` : ''}` });
      collectGarbage();
      log(`orders: ${size.apiOrders.toLocaleString('en-US')} order lifecycles submitted over the API WebSocket (one connection)…`);
      const ws = await orderLifecycles({ orders: size.apiOrders, warmup: Math.min(size.ordersWarmup, size.apiOrders), window: size.ordersWindow, venueTickMs: 10, via: 'ws' });
      rows.push({ key: 'orders_per_s_ws', label: 'order lifecycles, via API WebSocket', value: ws.ordersPerSec, unit: 'orders/s', target: { op: '>=', value: 100_000 }, note: `${ws.filled.toLocaleString('en-US')} filled of ${ws.submitted.toLocaleString('en-US')} (${ws.riskRejected} rejected by risk), the client on a thread of its own` });
      rows.push({ key: 'orders_cpu_us_ws', label: 'CPU per order lifecycle, via API WebSocket', value: ws.cpuMicrosPerOrder, unit: 'µs', note: `the whole process, the WebSocket client's thread included${ws.hostThreadCpuMicrosPerOrder !== undefined ? `; host thread ${fmt(ws.hostThreadCpuMicrosPerOrder)} µs, client thread ${fmt(ws.clientThreadCpuMicrosPerOrder ?? 0)} µs` : ''}` });
      collectGarbage();
    });
  }

  if (args.only.has('rss')) {
    await attempt('rss', async () => {
      // ~4.3 events per lifecycle: enough orders to pass rssEvents.
      const orders = Math.ceil(size.rssEvents / 4);
      log(`rss: ${orders.toLocaleString('en-US')} order lifecycles (≥ ${size.rssEvents.toLocaleString('en-US')} events) through one host, then its RSS…`);
      // The host's heap growth as `ordo host` sets it (decision 170), back to V8's own for the scenarios after.
      tuneHostHeap();
      const r = await orderLifecycles({ orders, warmup: 0, window: size.ordersWindow, venueTickMs: 10 }).finally(() => tuneHostHeap(0));
      rows.push({ key: 'host_rss_mib_5m', label: `host RSS after ${fmt(r.lastSeq / 1e6)} M events`, value: r.rssBytes / 2 ** 20, unit: 'MiB', target: { op: '<=', value: 1024 }, note: `${fmt(r.ordersPerSec)} orders/s over the run` });
    });
    await attempt('rss-resumed', async () => {
      // Without the replay and state scenarios (--only rss): the replay scenario's log and its checkpoints, made here.
      if (resumed === undefined) {
        log(`rss: writing a session of ${size.replayLarge.toLocaleString('en-US')} order events and its checkpoints for a resumed host…`);
        const stored = writeFrameLog(size.replayLarge);
        try {
          await checkpointInChild(dirname(stored.db));
          resumed = { events: stored.events, host: await resumedHostRss(dirname(stored.db)) };
        } finally {
          stored.dispose();
        }
      }
      const { events, host } = resumed;
      rows.push({
        key: 'host_rss_mib_5m_resumed',
        label: `ordo host resumed on ${fmt(events / 1e6)} M events, RSS 1 s after ready`,
        value: host.rssBytes / 2 ** 20,
        unit: 'MiB',
        target: { op: '<=', value: 1024 },
        note: `${host.fromCheckpoint > 0 ? `from its checkpoint at seq ${host.fromCheckpoint}` : 'no checkpoint: replayed from seq 1'}; ready ${fmt(host.readySeconds)} s, ${fmt(host.minorFaults / 1000)} k minor faults; VmHWM ${fmt(host.hwmBytes / 2 ** 20)} MiB`,
      });
    });
  }

  if (args.only.has('recovery')) await attempt('recovery', async () => void rows.push(...(await recoveryRows(args.quick, log))));
  // Recovery and state at 1 M events beside their 5 M rows: how each cost grows (docs/performance.md).
  if (args.only.has('growth')) await attempt('growth', async () => void rows.push(...(await growthRows(args.quick ? 20_000 : 1_000_000, log))));
  if (args.only.has('roll')) await attempt('roll', async () => void rows.push(...(await rollUnderLoad(args.quick ? { rate: 200, seconds: 2 } : { rate: 1000, seconds: 8 }))));
  // Issue 11's backpressure and catch-up figures (bench/stalled.ts, bench/catch-up.ts): hosts in their own processes.
  if (args.only.has('stalled')) {
    await attempt('stalled', async () => {
      const { stalledSubscribers } = await import('./stalled.ts');
      rows.push(...(await stalledSubscribers({ ...(args.quick ? { subscribers: 5, rate: 200, seconds: 3, settleS: 1 } : { subscribers: 50, rate: 1000, seconds: 60, settleS: 10 }), log })));
    });
  }
  if (args.only.has('catchup')) {
    await attempt('catchup', async () => {
      const { catchUpUnderLoad } = await import('./catch-up.ts');
      const size = args.quick ? { events: 20_000, rate: 200, seconds: 20 } : { events: 1_000_000, rate: 1000, seconds: 60 };
      // On the host's machine (the log file itself, decision 259), then as from another machine (the replay service).
      rows.push(...(await catchUpUnderLoad({ ...size, log, via: 'file' })));
      rows.push(...(await catchUpUnderLoad({ ...size, log, via: 'service' })));
    });
  }

  // Issue 11's latency goal on a fresh host (bench/ack.ts): order-ack over HTTP at 1,000 orders/s, the load
  // generator in a process of its own (not this one, which ran every scenario before it).
  if (args.only.has('ack')) {
    await attempt('ack', async () => {
      const { ackProbeInChild } = await import('./ack.ts');
      rows.push(...(await ackProbeInChild({ ...(args.quick ? { rate: 200, seconds: 3 } : { rate: 1000, seconds: 30 }), log })));
    });
  }

  // Issue 11's 50 ms: every API method's worst host loop gap at ~1 M orders (bench/loop-at-scale.ts, decision 186).
  if (args.only.has('loop')) {
    await attempt('loop', async () => {
      const { loopAtScale, loopRows } = await import('./loop-at-scale.ts');
      const { writeLiveLikeLog } = await import('./recovery.ts');
      const { tempFolder } = await import('./util.ts');
      const events = args.quick ? 200_000 : 5_000_000;
      const folder = tempFolder('loop-scale');
      try {
        log(`loop: writing a session of ${events.toLocaleString('en-US')} events (8-event frames), then a host on it…`);
        writeLiveLikeLog(folder.dir, events, 8);
        const r = await loopAtScale(folder.dir, args.quick ? 1 : 2, 100, log);
        rows.push(...loopRows(r, `${fmt(r.orders / 1e6)} M orders, ${fmt(r.fills / 1e6)} M fills`));
      } finally {
        folder.dispose();
      }
    });
  }

  log('');
  if (args.only.has('fix')) await attempt('fix', async () => void rows.push(...(await (await import('./fix.ts')).fixFigures(args.quick ? { orders: 100, samples: 20 } : { orders: 2000, samples: 300 }, log))));
  printTable(rows, log);
  log(`(${((performance.now() - started) / 1000).toFixed(1)} s; load average now ${loadavg()[0]!.toFixed(2)})`);
  if (args.json) {
    const out: Record<string, number | string> = {};
    for (const r of rows) out[r.key] = r.value;
    out.cpus = cpus().length;
    out.load_avg_start = load1!;
    out.latency_method = 'due';
    out.sched_slice_us = slice.sliceUs;
    out.latency_sender = 'wake';
    process.stdout.write(JSON.stringify(out) + '\n');
  }
  if (failed.length > 0) {
    log(`failed scenarios: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

runMain(main);
