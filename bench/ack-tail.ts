/**
 * What makes the slowest 1 % of order acks (issue 11, fresh host): runs the `ack` scenario (bench/ack.ts) with
 * the host's loop gaps ($ORDO_HOST_GAPS) and named main-thread spans ($ORDO_HOST_SPANS, bench/host-probe.ts) on,
 * times the load generator's own loop gaps, and lays each slow ack's time (due → answered) beside them:
 *
 *   node dist/bench/ack-tail.js [seconds] [rate] [--json FILE] [-- host args...]
 *
 * Every order is traced through its hops (bench/hops.ts). Each ack of the slowest 1 % is split into the time
 * spent in the load generator, waiting for the host to read it and in the host, and the host's part (from the
 * order's write to its answer) is put down to ONE cause, the one that covers most of it, if 1 ms or more:
 *   gc KIND: the host's GC pauses;
 *   span NAME: one named main-thread call of 1 ms or more (e.g. a compaction step, a venue tick, a flush);
 *   not scheduled: the host's loop gaps of 2 ms or more, the part in which its main thread waited for a core;
 * otherwise 'unnamed host turn' (a loop gap of 2 ms or more that nothing named explains: JIT, unnamed work) or
 * 'short turns (queue)' (no gap: the order waited behind many short turns, other orders').
 * Also: the host's loop gaps with 5 ms or more on-core, each with what ran in it. Epoch clocks of the two
 * processes are compared (same machine). With --json the raw acks, gaps and spans are written out.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ackProbe } from './ack.ts';
import { quantile } from './host-load.ts';
import { runMain } from './util.ts';

type Gap = [number, number, number, number, number];

const f1 = (x: number) => x.toFixed(1);

/** Overlap in ms of [a0, a1) and [b0, b1). */
function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

runMain(async () => {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const hostArgs = dash >= 0 ? argv.slice(dash + 1) : [];
  const jsonAt = own.indexOf('--json');
  const jsonOut = jsonAt >= 0 ? own.splice(jsonAt, 2)[1] : undefined;
  const seconds = Number(own[0] ?? 30);
  const rate = Number(own[1] ?? 1000);
  // The generator's own loop gaps (2 ms or more), epoch ms.
  const genGaps: [number, number][] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last >= 2) genGaps.push([performance.timeOrigin + last, now - last]);
    last = now;
  }, 1);
  const env = { ORDO_HOST_GAPS: '2', ORDO_HOST_SPANS: '1', ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('ORDO_HOST_')) as [string, string][]) };
  const r = await ackProbe({ seconds, rate, hostArgs, env, hops: true, log: (s) => console.log(s) });
  clearInterval(timer);
  const gaps = (r.probe.gaps ?? []) as Gap[];
  const spans = r.probe.spans ?? { long: [], totals: {} };
  const gc = r.probe.gc;
  const hops = r.probe.hops ?? {};
  // The host's epoch minus CLOCK_MONOTONIC (each gap has both), to set the hop stamps (monotonic) beside spans and GC (epoch).
  const offset = gaps.length > 0 ? gaps[0]![0] - gaps[0]![4] : NaN;
  const ok = r.acks.filter((a) => a.status === 200);
  const inRun = (at: number) => at >= r.startEpochMs && at < r.startEpochMs + seconds * 1000 + 2000;
  // What the host's main thread did while [a0, a1) (host epoch ms) passed: each cause's ms of overlap; the largest
  // names it if it is 1 ms or more. Named spans overlap each other (a commit inside a flush): the longest counts.
  const classify = (a0: number, a1: number): string => {
    const share = new Map<string, number>();
    const add = (k: string, ms: number) => share.set(k, (share.get(k) ?? 0) + ms);
    for (const [k, at, ms] of gc) add(`gc ${k}`, overlap(a0, a1, at, at + ms));
    for (const [at, ms, name] of spans.long) share.set(`span ${name}`, Math.max(share.get(`span ${name}`) ?? 0, overlap(a0, a1, at, at + ms)));
    for (const [at, wall, , wait] of gaps) add('not scheduled', (wait / wall) * overlap(a0, a1, at, at + wall));
    const [top] = [...share].sort((x, y) => y[1] - x[1]);
    if (top && top[1] >= 1) return top[0];
    return gaps.some(([at, wall]) => wall >= 2 && overlap(a0, a1, at, at + wall) > 0) ? 'unnamed host turn' : 'short turns (queue)';
  };
  const report = (label: string, acks: typeof ok) => {
    const traced = acks.filter((a) => a.trace && hops[a.trace.coid]?.arrive !== undefined && hops[a.trace.coid]?.end !== undefined);
    if (traced.length === 0) return;
    const cut = quantile(traced.map((a) => a.ms), 0.99);
    const slow = traced.filter((a) => a.ms >= cut);
    // Each slow ack's time in three parts: the generator's (due → written, host answered → generator's end), the wait
    // for the host to read it (written → the host's request event), the host's own (request → answer written).
    let gen = 0;
    let wait = 0;
    let host = 0;
    const by = new Map<string, number>();
    for (const a of slow) {
      const t = a.trace!;
      const h = hops[t.coid]!;
      gen += t.times.written - t.due + (t.times.end - h.end!);
      wait += h.arrive! - t.times.written;
      host += h.end! - h.arrive!;
      // The host's part and the wait before it, from the order's write to its answer, on the host's epoch clock.
      const c = classify(t.times.written + offset, h.end! + offset);
      by.set(c, (by.get(c) ?? 0) + 1);
    }
    const n = slow.length;
    console.log(`tail: ${label}: ${traced.length} acks, p99 ${f1(cut)} ms; the ${n} at or above it: mean ms in the generator ${f1(gen / n)}, waiting for the host to read ${f1(wait / n)}, in the host ${f1(host / n)}; what held the host's main thread then: ${[...by].sort((x, y) => y[1] - x[1]).map(([k, m]) => `${k} ${m}`).join(', ')}`);
  };
  report('whole run', ok);
  report('first second', ok.filter((a) => a.dueMs < 1000));
  report('after the first second', ok.filter((a) => a.dueMs >= 1000));
  const runGaps = gaps.filter(([at]) => inRun(at));
  const long = runGaps.filter(([, , run]) => run >= 5);
  console.log(`tail: host loop gaps in the run: ${runGaps.length} of 2 ms or more, ${runGaps.filter(([, w]) => w >= 5).length} of 5 ms or more wall, ${long.length} with 5 ms or more on-core (longest on-core ${f1(Math.max(0, ...runGaps.map((g) => g[2])))} ms); generator gaps of 2 ms or more: ${genGaps.filter(([at]) => inRun(at)).length} (longest ${f1(Math.max(0, ...genGaps.map((g) => g[1])))} ms)`);
  for (const [at, wall, run, wait] of long.sort((x, y) => y[2] - x[2]).slice(0, 25)) {
    const inside = spans.long.filter(([s, ms]) => overlap(at, at + wall, s, s + ms) > 0).map(([, ms, n]) => `${n} ${f1(ms)}`);
    const g = gc.filter(([, s, ms]) => overlap(at, at + wall, s, s + ms) > 0).map(([k, , ms]) => `${k} ${f1(ms)}`);
    console.log(`tail:   at ${f1((at - r.startEpochMs) / 1000)} s: wall ${f1(wall)}, on-core ${f1(run)}, waiting ${f1(wait)} ms; ${[...g, ...inside].join(', ') || 'nothing named'}`);
  }
  const runSpans = spans.long.filter(([at]) => inRun(at));
  const names = [...new Set(runSpans.map((s) => s[2]))];
  console.log(`tail: named spans of 1 ms or more in the run: ${names.map((n) => { const x = runSpans.filter((s) => s[2] === n); return `${n} ${x.length} (max ${f1(Math.max(...x.map((s) => s[1])))})`; }).join('; ')}`);
  console.log(`tail: span totals over the host's life (calls, ms): ${Object.entries(spans.totals).sort((x, y) => y[1].ms - x[1].ms).map(([n, t]) => `${n} ${t.n} ${f1(t.ms)}`).join('; ')}`);
  const bg = runSpans.filter((x) => x.length === 4 && x[3] >= 2) as [number, number, string, number][];
  const bgNames = [...new Set(bg.map((x) => x[2]))];
  console.log(`tail: background calls with 2 ms or more on-core in the run: ${bgNames.map((n) => { const x = bg.filter((s) => s[2] === n); return `${n} ${x.length} (max on-core ${f1(Math.max(...x.map((s) => s[3])))})`; }).join('; ') || 'none'}`);
  console.log(`tail: background on-core over the host's life (calls, on-core ms): ${Object.entries(spans.totals).filter(([, t]) => t.onCoreMs !== undefined).sort((x, y) => y[1].onCoreMs! - x[1].onCoreMs!).map(([n, t]) => `${n} ${t.n} ${f1(t.onCoreMs!)}`).join('; ')}`);
  const runGc = gc.filter(([, at]) => inRun(at));
  console.log(`tail: GC in the run: ${runGc.length} (of 2 ms or more: ${runGc.filter((g) => g[2] >= 2).length}, longest ${f1(Math.max(0, ...runGc.map((g) => g[2])))} ms)`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ startEpochMs: r.startEpochMs, offset, acks: ok.map((a) => [a.dueMs, a.ms, a.trace ?? null]), hops, gaps, spans, gc, genGaps }));
});
