/**
 * What the latency tail is made of: runs the latency scenario (10 k commands/s
 * from due time, bench/drive.ts) and records, over the measured run, every
 * garbage collection of this process (kind, pause) and the event loop's delay
 * (perf_hooks, 1 ms resolution), so a p99 can be set against the pauses that
 * fall in it. Prints one JSON line.
 *
 *   node --expose-gc dist/bench/latency-probe.js [one-process|one-process-inproc|two-processes] [seconds] [rate] [tick|due|wake]
 *
 * tick|due|wake: how the drive sends new orders (bench/drive.ts LatencyOptions.send).
 *
 * In `two-processes` the GC and loop figures are the sequencer's process only.
 */
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { sequencerLatency, type Topology } from './sequencer.ts';
import { runMain } from './util.ts';

/** V8's GC kinds as perf_hooks numbers them. */
const KINDS: Record<number, string> = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak-callbacks' };

runMain(async () => {
  const arg = process.argv[2];
  const topology: Topology = arg === 'two-processes' || arg === 'one-process-inproc' ? arg : 'one-process';
  const seconds = Number(process.argv[3] ?? 10);
  const rate = Number(process.argv[4] ?? 10_000);
  const send = process.argv[5] === 'due' || process.argv[5] === 'wake' ? process.argv[5] : 'tick';
  const warmupSeconds = 1;
  const pauses: { kind: string; ms: number }[] = [];
  let recording = false;
  const observer = new PerformanceObserver((list) => {
    if (!recording) return;
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) pauses.push({ kind: KINDS[e.detail?.kind ?? 0] ?? String(e.detail?.kind), ms: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  // The drive warms up for warmupSeconds and then settles: start recording a little after, inside the measured run.
  const startTimer = setTimeout(() => {
    recording = true;
    loop.enable();
  }, (warmupSeconds + 0.5) * 1000);
  const load0 = (await import('node:os')).loadavg()[0]!;
  const r = (await sequencerLatency(topology, { ratePerSec: rate, seconds, warmupSeconds, send })).result;
  clearTimeout(startTimer);
  loop.disable();
  observer.disconnect();
  const byKind: Record<string, { count: number; totalMs: number; maxMs: number; over1ms: number }> = {};
  for (const p of pauses) {
    const k = (byKind[p.kind] ??= { count: 0, totalMs: 0, maxMs: 0, over1ms: 0 });
    k.count++;
    k.totalMs += p.ms;
    k.maxMs = Math.max(k.maxMs, p.ms);
    if (p.ms > 1) k.over1ms++;
  }
  const ms = (ns: number) => ns / 1e6;
  process.stdout.write(
    JSON.stringify({
      topology,
      rate,
      send,
      seconds,
      loadAverage: [load0, (await import('node:os')).loadavg()[0]],
      latencyUs: { p50: r.p50us, p99: r.p99us, p999: r.p999us, max: r.maxUs, samples: r.samples },
      gc: byKind,
      eventLoopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), p999: ms(loop.percentile(99.9)), max: ms(loop.max) },
    }) + '\n',
  );
});
