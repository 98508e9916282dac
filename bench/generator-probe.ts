/**
 * The load generator's own view of a window (bench/catch-up.ts): the bench process sends the orders, so a stall in it
 * shows as ack latency from due time just as a stalled host does. Records, in this process, every event-loop gap of
 * `minGapMs` or more (a 1 ms timer, with the main thread's time on a core and waiting for one from the kernel's
 * schedstat, as bench/host-probe.ts does in the host), every GC pause (kind, start, ms), and every 100 ms the kernel's
 * Dirty and Writeback page counts (/proc/meminfo: the writeback of what earlier scenarios wrote). Times are epoch ms.
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { mainThreadSchedstat } from './main-thread-schedstat.ts';

const KINDS: Record<number, string> = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak-callbacks' };

export interface GeneratorProbe {
  /** [start epoch ms, wall ms, main thread on a core ms, waiting for a core ms]. */
  readonly gaps: [number, number, number, number][];
  /** [kind, start epoch ms, pause ms]. */
  readonly gc: [string, number, number][];
  /** [epoch ms, Dirty kB, Writeback kB]. */
  readonly dirty: [number, number, number][];
}

/** /proc/meminfo's Dirty and Writeback (kB), or undefined off Linux. */
export function dirtyKb(): [number, number] | undefined {
  try {
    const t = readFileSync('/proc/meminfo', 'latin1');
    return [Number(/^Dirty:\s+(\d+)/m.exec(t)?.[1] ?? NaN), Number(/^Writeback:\s+(\d+)/m.exec(t)?.[1] ?? NaN)];
  } catch {
    return undefined;
  }
}

/** Starts recording; `stop` ends it and returns what was recorded. */
export function probeGenerator(minGapMs: number): { stop: () => GeneratorProbe } {
  const p: GeneratorProbe = { gaps: [], gc: [], dirty: [] };
  const schedstat = mainThreadSchedstat();
  const sched = schedstat.read;
  let last = performance.now();
  let [run0, wait0] = sched();
  const gapTimer = setInterval(() => {
    const now = performance.now();
    const [run, wait] = sched();
    if (now - last >= minGapMs) p.gaps.push([performance.timeOrigin + last, now - last, run - run0, wait - wait0]);
    last = now;
    run0 = run;
    wait0 = wait;
  }, 1).unref();
  const dirtyTimer = setInterval(() => {
    const d = dirtyKb();
    if (d) p.dirty.push([Date.now(), d[0], d[1]]);
  }, 100).unref();
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      p.gc.push([KINDS[e.detail?.kind ?? 0] ?? String(e.detail?.kind), performance.timeOrigin + e.startTime, e.duration]);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      clearInterval(gapTimer);
      clearInterval(dirtyTimer);
      observer.disconnect();
      schedstat.close();
      return p;
    },
  };
}

/** One line per phase: the generator's gaps and GC pauses between two epoch times, and the Dirty/Writeback range. */
export function generatorLine(p: GeneratorProbe, from: number, to: number): string {
  const gaps = p.gaps.filter(([at]) => at >= from && at < to);
  const gcs = p.gc.filter(([, at]) => at >= from && at < to);
  const sum = (i: 1 | 2 | 3) => gaps.reduce((t, g) => t + g[i], 0);
  const maxGap = gaps.reduce((m, g) => Math.max(m, g[1]), 0);
  const byKind = new Map<string, [number, number, number]>();
  for (const [kind, , ms] of gcs) {
    const k = byKind.get(kind) ?? [0, 0, 0];
    byKind.set(kind, [k[0] + 1, k[1] + ms, Math.max(k[2], ms)]);
  }
  const gcText = [...byKind].map(([k, [n, t, m]]) => `${n} ${k} (max ${m.toFixed(1)}, total ${t.toFixed(1)} ms)`).join(', ') || 'none';
  const d = p.dirty.filter(([at]) => at >= from && at < to);
  const dText = d.length === 0 ? 'no samples' : `Dirty max ${Math.max(...d.map((x) => x[1])).toLocaleString('en-US')} kB, Writeback max ${Math.max(...d.map((x) => x[2])).toLocaleString('en-US')} kB`;
  return `loop gaps ${gaps.length}, max ${maxGap.toFixed(1)} ms, ${sum(1).toFixed(1)} ms wall: ${sum(2).toFixed(1)} on a core, ${sum(3).toFixed(1)} waiting for a core; GC ${gcText}; ${dText}`;
}
