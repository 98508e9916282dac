/**
 * What the slowest 1 % of the latency scenario (10 k commands/s from due time, bench/drive.ts) are made of.
 * Runs the scenario with every measured command traced through its hops:
 *
 *   due → sent (the sender's own lateness) → arrived (the sequencer's enqueue: the bus hop in)
 *   → flush start (waiting for the sequencer's turn) → commit start (sequencing) → commit end (SQLite)
 *   → publish (the PUB socket's send of its frame) → received (the bus hop out and the subscriber)
 *
 * beside every GC pause of both processes (perf_hooks, absolute times) and every commit. Each of the
 * slowest 1 % is put down to (a) its largest hop and (b) the cause overlapping most of its time: a GC pause
 * (either process), a commit (any batch's, its own or one it queued behind), else "other". Also prints the
 * sequencer thread's on-core and runnable-but-waiting time (schedstat) and its process CPU over the run.
 *
 *   node --expose-gc dist/bench/latency-tail.js [one-process|one-process-inproc|two-processes] [seconds] [rate] [--json FILE] [--no-compactor] [--compactor-inline]
 *
 * 'one-process' is the layout `ordo host` ships (localPort and onStoredFrames, no sockets: the frame reaches the
 * subscriber inside the flush that stored it, so its publish hop is 0 and hopOut is the delivery);
 * 'one-process-inproc' the same process over inproc:// ZeroMQ (the bench's one-process layout before round 12).
 *
 * --compactor-inline: the compactor on the sequencer's thread in turns (FrameCompactor, as before decision 274), not on its own.
 *
 * Bench tool: instruments the sequencer by wrapping its methods on the instance (no engine change).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { LatencyTrace } from './drive.ts';
import { FrameCompactor } from '../engine/store/compaction.ts';
import { CompactorThread } from '../engine/store/compaction-thread.ts';
import { localLayout, type SequencerHost } from './backbone.ts';
import { SENDER_ROLES } from './roles.ts';
import { flushOfSeq, traceFlushes, type Flushes, type SeqInternals } from './sequencer-flush-trace.ts';
import { sequencerLatency, type Topology } from './sequencer.ts';
import { runMain } from './util.ts';

const HOPS = ['sender', 'hopIn', 'waitFlush', 'sequence', 'commit', 'publish', 'hopOut'] as const;
type Hop = (typeof HOPS)[number];
const KINDS: Record<number, string> = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak-callbacks' };

function schedstat(): { runNs: number; waitNs: number } {
  const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
  return { runNs: run!, waitNs: wait! };
}

runMain(async () => {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
  const noCompactor = args.includes('--no-compactor');
  if (noCompactor) localLayout.compactor = false;
  if (args.includes('--compactor-inline')) localLayout.compactorThread = false;
  const pos = (jsonAt >= 0 ? [...args.slice(0, jsonAt), ...args.slice(jsonAt + 2)] : args).filter((a) => a !== '--no-compactor' && a !== '--compactor-inline');
  const topology: Topology = pos[0] === 'two-processes' || pos[0] === 'one-process-inproc' ? pos[0] : 'one-process';
  const seconds = Number(pos[1] ?? 10);
  const rate = Number(pos[2] ?? 10_000);
  const origin = performance.timeOrigin;
  const now = () => origin + performance.now();

  const capacity = Math.ceil((rate / SENDER_ROLES.length) * (seconds + 4)) + 16;
  const arrived = new Map<string, Float64Array>(SENDER_ROLES.map((r) => [`${r}-1`, new Float64Array(capacity)]));
  const f: Flushes = { start: [], commitStart: [], commitEnd: [], end: [], published: [], firstSeq: [], lastSeq: [] };
  const inlines: [number, number][] = [];
  let inlinesReached = 0;
  let host0: SequencerHost | undefined;
  // The shipped layout's FrameCompactor steps (on the sequencer's thread, between commits): start and duration.
  const compactions: [number, number][] = [];
  // Of them, those that wrote (a transaction: a piece or a merged frame) and the span of each write.
  const writeSteps: boolean[] = [];
  const compactorWrites: number[] = [];
  let inStep = false;
  let stepWrote = false;
  const step = FrameCompactor.prototype.step;
  FrameCompactor.prototype.step = function (this: FrameCompactor) {
    const t = now();
    inStep = true;
    stepWrote = false;
    const more = step.call(this);
    inStep = false;
    compactions.push([t, now() - t]);
    writeSteps.push(stepWrote);
    return more;
  };
  // On its own thread (decision 274) the compactor's turns on this thread are its writes.
  const applyWrite = CompactorThread.prototype.applyWrite;
  CompactorThread.prototype.applyWrite = function (this: CompactorThread, session, w) {
    const t = now();
    inStep = true;
    stepWrote = false;
    const wrote = applyWrite.call(this, session, w);
    inStep = false;
    compactions.push([t, now() - t]);
    writeSteps.push(stepWrote);
    return wrote;
  };
  const seqGc: { start: number; ms: number; kind: number }[] = [];
  let recording = false;
  const observer = new PerformanceObserver((list) => {
    if (!recording) return;
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) seqGc.push({ start: origin + e.startTime, ms: e.duration, kind: e.detail?.kind ?? 0 });
  });
  if (topology === 'two-processes') observer.observe({ entryTypes: ['gc'] });
  setTimeout(() => (recording = true), 500); // the drive's GC list starts at its measured run; ours a bit earlier
  let sched0 = schedstat();
  let cpu0 = process.cpuUsage();
  const load0 = loadavg()[0]!;

  const { result } = await sequencerLatency(topology, { ratePerSec: rate, seconds, warmupSeconds: 1, send: 'wake', trace: true }, (host) => {
    host0 = host;
    traceFlushes(host.sequencer as unknown as SeqInternals, f, now, arrived, capacity);
    const transaction = host.log.transaction.bind(host.log);
    host.log.transaction = <T>(fn: () => T): T => {
      if (!inStep) return transaction(fn);
      const t = now();
      const r = transaction(fn);
      compactorWrites.push(now() - t);
      stepWrote = true;
      return r;
    };
    // The writer's inline WAL checkpoints (two fsyncs on this thread) and the WAL's growth.
    const cp = (host.log as unknown as { checkpointer?: { inline(): boolean } }).checkpointer;
    if (cp) {
      const inline = cp.inline.bind(cp);
      // Returns what it returns: the checkpointer retries at every commit when it says it did not reach the end.
      cp.inline = () => {
        const t = now();
        const reached = inline();
        inlines.push([t, now() - t]);
        if (reached) inlinesReached++;
        return reached;
      };
    }
    sched0 = schedstat();
    cpu0 = process.cpuUsage();
  });
  const sched1 = schedstat();
  const cpu = process.cpuUsage(cpu0);
  observer.disconnect();
  const trace = result.trace as LatencyTrace;
  const gc = [...trace.gc.map((g) => ({ ...g, where: topology === 'two-processes' ? 'drive' : 'sequencer+drive' })), ...seqGc.map((g) => ({ ...g, where: 'sequencer' }))].sort((a, b) => a.start - b.start);

  // Per command: its flush by seq (flushes store increasing seq ranges).
  const flushOf = (seq: number): number => flushOfSeq(f, seq);
  const n = trace.due.length;
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) lat[i] = trace.received[i]! - trace.due[i]!;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => lat[a]! - lat[b]!);
  const pct = (p: number) => lat[order[Math.min(n - 1, Math.floor((p / 100) * n))]!]!;
  const slow = order.slice(Math.floor(0.99 * n));

  const hopsOf = (i: number): Record<Hop, number> => {
    const fi = flushOf(trace.seq[i]!);
    const a = arrived.get(`${SENDER_ROLES[trace.role[i]!]}-1`)![trace.cseq[i]!]!;
    // Shipped layout: delivered in the flush, right after the commit (the PUB send, to no one, comes later).
    const pubAt = topology === 'one-process' ? f.commitEnd[fi]! : f.published[fi]! || f.end[fi]!;
    return {
      sender: trace.sent[i]! - trace.due[i]!,
      hopIn: a - trace.sent[i]!,
      waitFlush: f.start[fi]! - a,
      sequence: f.commitStart[fi]! - f.start[fi]!,
      commit: f.commitEnd[fi]! - f.commitStart[fi]!,
      publish: pubAt - f.commitEnd[fi]!,
      hopOut: trace.received[i]! - pubAt,
    };
  };
  const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  // Commits as intervals, sorted by start; GC likewise: sum the overlap of [t0, t1] with each list.
  const commits = f.commitStart.map((s, i) => [s, f.commitEnd[i]!] as const).filter(([s]) => s > 0);
  const sumOverlap = (list: readonly (readonly [number, number])[], t0: number, t1: number): number => {
    let sum = 0;
    for (const [s, e] of list) if (e > t0 && s < t1) sum += overlap(t0, t1, s, e);
    return sum;
  };
  const gcSpans = gc.map((g) => [g.start, g.start + g.ms] as const);
  const byHop: Record<string, number> = {};
  const byCause: Record<string, number> = {};
  const hopSums: Record<string, number> = {};
  const allHopSums: Record<string, number> = {};
  for (const i of order) {
    const h = hopsOf(i);
    for (const k of HOPS) allHopSums[k] = (allHopSums[k] ?? 0) + h[k] / n;
  }
  let roleCount = [0, 0, 0, 0];
  for (const i of slow) {
    const h = hopsOf(i);
    let top: Hop = 'sender';
    for (const k of HOPS) {
      hopSums[k] = (hopSums[k] ?? 0) + h[k] / slow.length;
      if (h[k] > h[top]) top = k;
    }
    byHop[top] = (byHop[top] ?? 0) + 1;
    roleCount[trace.role[i]!]!++;
    const t0 = trace.due[i]!;
    const t1 = trace.received[i]!;
    const inGc = sumOverlap(gcSpans, t0, t1);
    const inCommit = sumOverlap(commits, t0, t1);
    const late = h.sender;
    const total = t1 - t0;
    const cause = inGc >= inCommit && inGc >= late && inGc > 0.2 * total ? 'gc' : inCommit >= late && inCommit > 0.2 * total ? 'commit' : late > 0.2 * total ? 'sender-late' : 'other';
    byCause[cause] = (byCause[cause] ?? 0) + 1;
    // GC kinds among the slow ones' overlapping pauses.
    for (const g of gc) if (g.start < t1 && g.start + g.ms > t0) byCause[`gc:${g.where}:${KINDS[g.kind] ?? g.kind}`] = (byCause[`gc:${g.where}:${KINDS[g.kind] ?? g.kind}`] ?? 0) + 1;
  }
  roleCount = roleCount.map((x) => x);
  const commitMs = commits.map(([s, e]) => e - s).sort((a, b) => a - b);
  const cq = (p: number) => commitMs[Math.min(commitMs.length - 1, Math.floor((p / 100) * commitMs.length))] ?? 0;
  const gcSummary: Record<string, { count: number; totalMs: number; maxMs: number }> = {};
  for (const g of gc) {
    const k = `${g.where}:${KINDS[g.kind] ?? g.kind}`;
    const x = (gcSummary[k] ??= { count: 0, totalMs: 0, maxMs: 0 });
    x.count++;
    x.totalMs += g.ms;
    x.maxMs = Math.max(x.maxMs, g.ms);
  }
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const out = {
    topology,
    rate,
    seconds,
    loadAverage: [load0, loadavg()[0]],
    samples: n,
    latencyMs: { p50: r3(pct(50)), p99: r3(pct(99)), p999: r3(pct(99.9)), max: r3(lat[order[n - 1]!]!) },
    slowCount: slow.length,
    slowByRole: Object.fromEntries(SENDER_ROLES.map((r, i) => [r, roleCount[i]])),
    slowByLargestHop: byHop,
    slowByCause: byCause,
    slowMeanHopsMs: Object.fromEntries(HOPS.map((k) => [k, r3(hopSums[k] ?? 0)])),
    allMeanHopsMs: Object.fromEntries(HOPS.map((k) => [k, r3(allHopSums[k] ?? 0)])),
    flushes: f.start.length,
    commitMs: { p50: r3(cq(50)), p99: r3(cq(99)), p999: r3(cq(99.9)), max: r3(commitMs[commitMs.length - 1] ?? 0), over1ms: commitMs.filter((x) => x > 1).length },
    gc: gcSummary,
    inlineCheckpoints: { count: inlines.length, walRestarts: (host0?.log as { walRestarts?: unknown } | undefined)?.walRestarts, reachedEnd: inlinesReached, deferred: (host0?.log as { writerCheckpoints?: { deferred: number } } | undefined)?.writerCheckpoints?.deferred, over1ms: inlines.filter(([, d]) => d > 1).length, ms: inlines.map(([, d]) => r3(d)), slowInOne: slow.filter((i) => inlines.some(([t, d]) => t < trace.received[i]! && t + d > trace.due[i]!)).length },
    compactor: noCompactor ? 'off' : { steps: compactions.length, over1ms: compactions.filter(([, d]) => d > 1).length, over1msWriting: compactions.filter(([, d], i) => d > 1 && writeSteps[i]).length, over1msInGc: compactions.filter(([t, d]) => d > 1 && gcSpans.some(([a, b]) => a < t + d && b > t)).length, writes: compactorWrites.length, writesOver1ms: compactorWrites.filter((d) => d > 1).length, writeMsP50: r3([...compactorWrites].sort((a, b) => a - b)[compactorWrites.length >> 1] ?? 0), maxMs: r3(Math.max(0, ...compactions.map(([, d]) => d))), slowInOne: slow.filter((i) => compactions.some(([t, d]) => t < trace.received[i]! && t + d > trace.due[i]!)).length },
    sequencerThread: { onCoreMs: Math.round((sched1.runNs - sched0.runNs) / 1e6), runnableWaitingMs: Math.round((sched1.waitNs - sched0.waitNs) / 1e6) },
    sequencerProcessCpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  if (jsonFile) {
    // Per slow command: when it fell due (ms from the first measured one), its hops, and how much of its time
    // overlapped a GC pause, a commit and an inline WAL checkpoint.
    const t0 = Math.min(...trace.due.slice(0, 1000));
    const rows = slow.map((i) => ({
      role: trace.role[i],
      seq: trace.seq[i],
      dueMs: r3(trace.due[i]! - t0),
      lat: r3(lat[i]!),
      ...Object.fromEntries(Object.entries(hopsOf(i)).map(([k, v]) => [k, r3(v)])),
      inGc: r3(sumOverlap(gcSpans, trace.due[i]!, trace.received[i]!)),
      inCommit: r3(sumOverlap(commits, trace.due[i]!, trace.received[i]!)),
      inInline: r3(sumOverlap(inlines.map(([s, d]) => [s, s + d] as const), trace.due[i]!, trace.received[i]!)),
    }));
    writeFileSync(jsonFile, JSON.stringify({ summary: out, slow: rows, gc: gc.map((g) => ({ ...g, start: r3(g.start - t0) })), inline: inlines.map(([s, d]) => [r3(s - t0), r3(d)]) }));
  }
});
