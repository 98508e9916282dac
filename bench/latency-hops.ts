/**
 * Where the two-process latency's time goes, hop by hop (issue 15, round 15). Runs the two-process latency
 * scenario (10 k commands/s from each command's due time, bench/drive.ts, latency_method "due", the 'wake'
 * sender as the bench) with the sequencer in this process and the four components and their subscriber in a
 * child over ipc://, and stamps every measured command on CLOCK_MONOTONIC (one clock for both processes):
 *
 *   due (child)  → sent: the child's drive hands it to its DEALER (for a reaction: the event it answers was
 *                  received, so a reaction's due time is the previous command's answer)
 *   → arrived:   the sequencer's ROUTER loop takes the batch (this process): the hop in
 *   → flush:     the sequencer's turn starts (setImmediate after the arrival)
 *   → commit start / commit end: sequencing, then SQLite
 *   → published: the PUB socket's send of the frame
 *   → received:  the child's subscriber delivers the event to the drive: the hop out
 *
 * beside each process's GC pauses (PerformanceObserver 'gc'), its event loop's gaps (opt-in `--gaps`: a 1 ms
 * timer in each process, 1,000 wake-ups a second more each), the sequencer's turns, and every thread's
 * scheduler counts (/proc/<pid>/task/<tid>/schedstat: on core, runnable but waiting, times put on a core) over
 * the measured window. For the slowest 1 % and for the middle 1 % (p49.5–p50.5) it prints the mean of each
 * hop and the count by largest hop, and for the slow 1 % how much of each hop overlapped a GC pause or a loop
 * gap of either process or a sequencer turn.
 *
 *   node --expose-gc dist/bench/latency-hops.js [seconds] [rate] [--gaps] [--json FILE]
 *       [--child-nice N] [--child-node-flags "a b"] [--reactions frame|turn]
 *
 * The sequencer's process asks for the scheduler slice as `ordo host` does (ORDO_SCHED_SLICE_US, decision 283),
 * the child as `ordo component` does; the output's `setup` gives each process's node flags, new space and slice.
 * --child-nice N runs the child under `nice -n N`; --child-node-flags passes node/V8 flags to it (A/B levers
 * without a build); --reactions turn sends the components' reactions once a turn of the child's loop, not once a
 * delivered frame (drive.ts LatencyOptions.reactions). Bench tool: the sequencer is instrumented by wrapping its methods on the instance.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { LatencyTrace } from './drive.ts';
import { describeSlice, shortenSchedulerSlice, sliceFromEnv } from '../engine/host/sched-slice.ts';
import { clockOffsetMs, monoMs, processProbe, processSetup, readThreads, type ProcessTrace, type ThreadCounts } from './latency-process-probe.ts';
import { SENDER_ROLES } from './roles.ts';
import { sequencerLatency } from './sequencer.ts';
import { runMain } from './util.ts';
import { flushOfSeq, traceFlushes, type Flushes, type SeqInternals } from './sequencer-flush-trace.ts';

const HOPS = ['sender', 'hopIn', 'waitFlush', 'sequence', 'commit', 'publish', 'hopOut'] as const;
type Hop = (typeof HOPS)[number];

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}

/** Threads summed by name (libuv's pool threads share one), with the mean wait per time on a core. */
type ByName = Record<string, { n: number; runMs: number; waitMs: number; slices: number; preempted: number; waitPerSliceUs: number }>;
function byName(threads: readonly ThreadCounts[]): ByName {
  const out: ByName = {};
  for (const t of threads) {
    const x = (out[t.name] ??= { n: 0, runMs: 0, waitMs: 0, slices: 0, preempted: 0, waitPerSliceUs: 0 });
    x.n++;
    x.preempted += t.preempted;
    x.runMs += t.runMs;
    x.waitMs += t.waitMs;
    x.slices += t.slices;
  }
  for (const x of Object.values(out)) {
    x.waitPerSliceUs = x.slices > 0 ? Math.round((x.waitMs * 1000) / x.slices) : 0;
    x.runMs = Math.round(x.runMs);
    x.waitMs = Math.round(x.waitMs);
  }
  return out;
}

runMain(async () => {
  const args = process.argv.slice(2);
  const jsonFile = option(args, '--json');
  const childNice = option(args, '--child-nice');
  const childFlags = option(args, '--child-node-flags');
  const gapsOn = args.includes('--gaps');
  const reactions = option(args, '--reactions') === 'turn' ? 'turn' : 'frame';
  const pos = args.filter((a) => !a.startsWith('--'));
  const seconds = Number(pos[0] ?? 10);
  const rate = Number(pos[1] ?? 10_000);
  const now = monoMs;
  // The sequencer's process asks for the slice as `ordo host` does (decision 283); the child asks as `ordo component`.
  const slice = shortenSchedulerSlice(sliceFromEnv());
  process.stderr.write(`latency-hops: ${describeSlice(slice)} in the sequencer's process\n`);

  const capacity = Math.ceil((rate / SENDER_ROLES.length) * (seconds + 4)) + 16;
  const arrived = new Map<string, Float64Array>(SENDER_ROLES.map((r) => [`${r}-1`, new Float64Array(capacity)]));
  const f: Flushes = { start: [], commitStart: [], commitEnd: [], end: [], published: [], firstSeq: [], lastSeq: [] };
  let pubSends = 0;
  // This process's threads sampled every 100 ms (the child's measured window is known only at the end).
  const samples: { at: number; threads: Map<number, ThreadCounts> }[] = [];
  const sampler = setInterval(() => samples.push({ at: now(), threads: readThreads() }), 100);
  const probe = processProbe({ gaps: gapsOn });
  const load0 = loadavg()[0]!;

  const { result } = await sequencerLatency(
    'two-processes',
    { ratePerSec: rate, seconds, warmupSeconds: 1, send: 'wake', trace: true },
    (host) => {
      traceFlushes(host.sequencer as unknown as SeqInternals, f, now, arrived, capacity, () => pubSends++);
      samples.push({ at: now(), threads: readThreads() });
      probe.start();
    },
    {
      args: [gapsOn ? 'probe-gaps' : 'probe', reactions],
      ...(childNice !== undefined ? { prefix: ['nice', '-n', childNice] } : {}),
      ...(childFlags !== undefined ? { nodeArgs: childFlags.split(' ').filter((x) => x !== '') } : {}),
    },
  );
  clearInterval(sampler);
  const parent = probe.stop();
  const trace = result.trace as LatencyTrace;
  const child = trace.probe as ProcessTrace;
  const off = trace.clockOffsetMs!;
  const due = trace.due.map((x) => x + off);
  const sent = trace.sent.map((x) => x + off);
  const received = trace.received.map((x) => x + off);
  const childGc = trace.gc.map((g) => ({ ...g, start: g.start + off }));
  const w0 = child.startMs;
  const w1 = child.stopMs;

  // This process's threads over the child's measured window (the samples nearest inside it).
  const first = samples.find((x) => x.at >= w0) ?? samples[0]!;
  const last = [...samples].reverse().find((x) => x.at <= w1) ?? samples[samples.length - 1]!;
  const parentThreads: ThreadCounts[] = [];
  for (const [tid, b] of last.threads) {
    const a = first.threads.get(tid);
    parentThreads.push({ tid, name: b.name, runMs: b.runMs - (a?.runMs ?? 0), waitMs: b.waitMs - (a?.waitMs ?? 0), slices: b.slices - (a?.slices ?? 0), preempted: b.preempted - (a?.preempted ?? 0) });
  }
  const parentGc = parent.gc.filter((g) => g.start >= w0 && g.start <= w1);
  const inWindow = (xs: [number, number][] | undefined) => (xs ?? []).filter(([s]) => s >= w0 && s <= w1);
  const parentGaps = inWindow(parent.gaps);
  const childGaps = inWindow(child.gaps);

  const flushOf = (seq: number): number => flushOfSeq(f, seq);
  const n = due.length;
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) lat[i] = received[i]! - due[i]!;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => lat[a]! - lat[b]!);
  const pct = (p: number) => lat[order[Math.min(n - 1, Math.floor((p / 100) * n))]!]!;
  const slow = order.slice(Math.floor(0.99 * n));
  const middle = order.slice(Math.floor(0.495 * n), Math.floor(0.505 * n));

  /** Each hop's [start, end] on the monotonic clock. */
  const spans = (i: number): Record<Hop, [number, number]> => {
    const fi = flushOf(trace.seq[i]!);
    const a = arrived.get(`${SENDER_ROLES[trace.role[i]!]}-1`)![trace.cseq[i]!]!;
    const pub = f.published[fi]! || f.end[fi]!;
    return {
      sender: [due[i]!, sent[i]!],
      hopIn: [sent[i]!, a],
      waitFlush: [a, f.start[fi]!],
      sequence: [f.start[fi]!, f.commitStart[fi]!],
      commit: [f.commitStart[fi]!, f.commitEnd[fi]!],
      publish: [f.commitEnd[fi]!, pub],
      hopOut: [pub, received[i]!],
    };
  };
  const sortSpans = (xs: (readonly [number, number])[]) => [...xs].sort((a, b) => a[0] - b[0]);
  const overlapWith = (list: readonly (readonly [number, number])[]) => {
    // Sorted, non-overlapping enough: binary search the first that may overlap, sum forward.
    const starts = list.map((x) => x[0]);
    let maxLen = 0;
    for (const [s, e] of list) maxLen = Math.max(maxLen, e - s);
    return (t0: number, t1: number): number => {
      let lo = 0;
      let hi = starts.length;
      const from = t0 - maxLen;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid]! < from) lo = mid + 1;
        else hi = mid;
      }
      let sum = 0;
      for (let k = lo; k < list.length && list[k]![0] < t1; k++) {
        const [s, e] = list[k]!;
        sum += Math.max(0, Math.min(t1, e) - Math.max(t0, s));
      }
      return sum;
    };
  };
  const causes = {
    parentGc: overlapWith(sortSpans(parentGc.map((g) => [g.start, g.start + g.ms] as const))),
    childGc: overlapWith(sortSpans(childGc.map((g) => [g.start, g.start + g.ms] as const))),
    // The sequencer's turns (the flush: sequence, commit, publish queueing): its thread busy with other commands.
    seqTurn: overlapWith(f.start.map((s, k) => [s, f.end[k]!] as const)),
    parentGap: overlapWith(sortSpans(parentGaps.map(([s, d]) => [s, s + d] as const))),
    childGap: overlapWith(sortSpans(childGaps.map(([s, d]) => [s, s + d] as const))),
  };
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  // The slow 1 % as episodes: their [due, received] spans merged where they overlap (one stall delays many
  // commands), each put down to what overlaps it most: a GC pause of either process, a commit over 1 ms, a loop
  // gap of either process (with --gaps), else none of these (the threads' hand-offs and waits for a core).
  const slowSpans = sortSpans(slow.map((i) => [due[i]!, received[i]!] as const));
  const episodes: [number, number, number][] = [];
  for (const [s0, s1] of slowSpans) {
    const e = episodes[episodes.length - 1];
    if (e !== undefined && s0 <= e[1]) {
      e[1] = Math.max(e[1], s1);
      e[2]++;
    } else episodes.push([s0, s1, 1]);
  }
  const longCommit = overlapWith(f.commitStart.map((s, k) => [s, f.commitEnd[k]!] as const).filter(([s, e]) => s > 0 && e - s > 1));
  const episodeCauses: Record<string, { episodes: number; commands: number }> = {};
  for (const [e0, e1, k] of episodes) {
    const by: [string, number][] = [
      ['parentGc', causes.parentGc(e0, e1)],
      ['childGc', causes.childGc(e0, e1)],
      ['commitOver1ms', longCommit(e0, e1)],
      ['parentGap', causes.parentGap(e0, e1)],
      ['childGap', causes.childGap(e0, e1)],
    ];
    // A GC pause or a long commit is also a loop gap: they are looked at first, the gaps only when neither covers a fifth.
    const first = by.slice(0, 3).sort((a, b) => b[1] - a[1]);
    const gaps = by.slice(3).sort((a, b) => b[1] - a[1]);
    const cause = first[0]![1] > 0.2 * (e1 - e0) ? first[0]![0] : gaps[0]![1] > 0.2 * (e1 - e0) ? gaps[0]![0] : 'none of these';
    const x = (episodeCauses[cause] ??= { episodes: 0, commands: 0 });
    x.episodes++;
    x.commands += k;
  }
  const summarize = (set: readonly number[], withCauses: boolean) => {
    const mean: Record<string, number> = {};
    const largest: Record<string, number> = {};
    const within: Record<string, Record<string, number>> = {};
    for (const i of set) {
      const sp = spans(i);
      let top: Hop = 'sender';
      for (const k of HOPS) {
        const d = sp[k][1] - sp[k][0];
        mean[k] = (mean[k] ?? 0) + d / set.length;
        if (d > sp[top][1] - sp[top][0]) top = k;
        if (withCauses) {
          const w = (within[k] ??= {});
          for (const [c, fn] of Object.entries(causes)) w[c] = (w[c] ?? 0) + fn(sp[k][0], sp[k][1]) / set.length;
        }
      }
      largest[top] = (largest[top] ?? 0) + 1;
    }
    const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r3(v)]));
    return {
      count: set.length,
      latencyMs: { from: r3(lat[set[0]!]!), to: r3(lat[set[set.length - 1]!]!) },
      meanHopMs: round(mean),
      byLargestHop: largest,
      ...(withCauses ? { meanMsOverlapping: Object.fromEntries(Object.entries(within).map(([k, v]) => [k, round(v)])) } : {}),
    };
  };
  const gcSum = (gc: { ms: number; kind: number }[]) => {
    const out: Record<string, { count: number; totalMs: number; maxMs: number; over1ms: number }> = {};
    for (const g of gc) {
      const k = ({ 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak' } as Record<number, string>)[g.kind] ?? String(g.kind);
      const x = (out[k] ??= { count: 0, totalMs: 0, maxMs: 0, over1ms: 0 });
      x.count++;
      x.totalMs = r3(x.totalMs + g.ms);
      x.maxMs = r3(Math.max(x.maxMs, g.ms));
      if (g.ms > 1) x.over1ms++;
    }
    return out;
  };
  const gapSum = (gaps: [number, number][] | undefined) =>
    gaps === undefined ? 'not probed (--gaps)' : { over2ms: gaps.length, over5ms: gaps.filter(([, d]) => d > 5).length, maxMs: r3(Math.max(0, ...gaps.map(([, d]) => d))) };
  const windowMs = w1 - w0;
  const parentCpuMs = parentThreads.reduce((a, t) => a + t.runMs, 0);
  const out = {
    rate,
    seconds,
    loadAverage: [load0, loadavg()[0]],
    levers: { gaps: gapsOn, reactions, childNice: childNice ?? null, childNodeFlags: childFlags ?? null },
    // Each process's node flags (--max-semi-space-size), new space and scheduler slice as the kernel reports it.
    setup: { sequencerProcess: processSetup(), componentProcess: child.setup ?? null },
    clockOffsetCheckMs: r3(clockOffsetMs()),
    samples: n,
    latencyMs: { p50: r3(pct(50)), p99: r3(pct(99)), p999: r3(pct(99.9)), max: r3(lat[order[n - 1]!]!) },
    over1ms: order.filter((i) => lat[i]! > 1).length,
    over5ms: order.filter((i) => lat[i]! > 5).length,
    slowest1pct: summarize(slow, true),
    slowEpisodes: { count: episodes.length, longestMs: r3(Math.max(...episodes.map(([a, b]) => b - a))), byCause: episodeCauses },
    middle1pct: summarize(middle, false),
    allMeanHopMs: summarize(order, false).meanHopMs,
    flushes: f.start.length,
    pubSends,
    componentSends: trace.sends,
    commitsOver1ms: f.commitStart.filter((s, k) => s > 0 && f.commitEnd[k]! - s > 1).length,
    sequencerProcess: { cpuPerCommandUs: r3((parentCpuMs * 1000) / n), gc: gcSum(parentGc), loopGaps: gapSum(parent.gaps === undefined ? undefined : parentGaps), threads: byName(parentThreads) },
    componentProcess: { cpuPerCommandUs: r3((child.cpuMs * 1000) / n), gc: gcSum(childGc), loopGaps: gapSum(child.gaps === undefined ? undefined : childGaps), threads: byName(child.threads) },
    windowMs: Math.round(windowMs),
  };
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
  if (jsonFile !== undefined) {
    const t0 = due[order[0]!]! - lat[order[0]!]!;
    const rows = slow.map((i) => {
      const sp = spans(i);
      return { role: trace.role[i], seq: trace.seq[i], dueMs: r3(due[i]! - w0), lat: r3(lat[i]!), ...Object.fromEntries(HOPS.map((k) => [k, r3(sp[k][1] - sp[k][0])])) };
    });
    writeFileSync(jsonFile, JSON.stringify({ summary: out, slow: rows, t0, parentGc, childGc, parentGaps, childGaps }));
  }
});
