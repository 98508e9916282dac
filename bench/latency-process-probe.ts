/**
 * One process's side of the two-process latency trace (bench/latency-hops.ts): its threads' scheduler counts,
 * its GC pauses and its event loop's gaps over the measured run, every time on CLOCK_MONOTONIC in ms
 * (process.hrtime: one clock for every process of the machine, unlike performance.timeOrigin + now()).
 *
 * - threads: /proc/self/task/<tid>/schedstat at start and stop, by thread name (comm): time on a core, time
 *   runnable but waiting for one, and the number of times it was put on a core (so wait / slices is the mean
 *   wait per wake-up or preemption).
 * - gc: PerformanceObserver 'gc' (start, pause, kind).
 * - gaps (opt-in, `gaps: true`): a 1 ms interval timer; a tick that comes more than 2 ms after the one before is a
 *   gap (the loop did not turn: busy, or the thread off its core). It adds 1,000 wake-ups a second to the
 *   process, so runs with and without it are told apart in the report.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

/** CLOCK_MONOTONIC in ms. */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** What to add to a performance.timeOrigin + performance.now() time to put it on monoMs()'s clock. */
export function clockOffsetMs(): number {
  // Both clocks read back to back, the smaller of a few differences (a preemption between the reads only adds).
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const a = performance.timeOrigin + performance.now();
    const m = monoMs();
    best = Math.min(best, m - a);
  }
  return best;
}

export interface ThreadCounts {
  readonly tid: number;
  readonly name: string;
  readonly runMs: number;
  readonly waitMs: number;
  readonly slices: number;
  /** Times it was taken off its core while it could run (preempted: nonvoluntary_ctxt_switches). */
  readonly preempted: number;
}

/** What the young generation and the scheduler were for a process: its node flags, new space, slice. */
export interface ProcessSetup {
  /** process.execArgv (e.g. --max-semi-space-size=N). */
  readonly flags: readonly string[];
  /** V8's new space (both semi-spaces' current capacity and what it may grow to) at the probe's stop, KiB. */
  readonly newSpaceKiB: number;
  /** The main thread's scheduler slice as the kernel reports it (se.slice, µs); undefined where unreadable. */
  readonly sliceUs: number | undefined;
}

/** This process's setup (see ProcessSetup). */
export function processSetup(): ProcessSetup {
  const space = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  let sliceUs: number | undefined;
  try {
    const m = /^se\.slice\s*:\s*(\d+)/m.exec(readFileSync(`/proc/self/task/${process.pid}/sched`, 'utf8'));
    if (m) sliceUs = Number(m[1]) / 1000;
  } catch {
    // Not Linux, or no such field.
  }
  return { flags: process.execArgv, newSpaceKiB: Math.round((space?.space_size ?? 0) / 1024), sliceUs };
}

export interface ProcessTrace {
  readonly setup?: ProcessSetup;
  readonly pid: number;
  readonly startMs: number;
  readonly stopMs: number;
  readonly cpuMs: number;
  /** Threads alive at stop; counts over [start, stop] (a thread born after start: since it was born). */
  readonly threads: ThreadCounts[];
  readonly gc: { start: number; ms: number; kind: number }[];
  /** Loop gaps over 2 ms between 1 ms ticks: [start, length ms]; undefined when not probed. */
  readonly gaps?: [number, number][];
}

/** Every thread of this process now, by tid (empty where this is not Linux). */
export function readThreads(): Map<number, ThreadCounts> {
  const out = new Map<number, ThreadCounts>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out; // not Linux
  }
  for (const t of tids) {
    try {
      const [run, wait, slices] = readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').trim().split(' ').map(Number);
      // The main thread as 'main' (Node's other threads are also 'node': V8's workers, libuv's pool, workers).
      const name = Number(t) === process.pid ? 'main' : readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim();
      const preempted = Number(/nonvoluntary_ctxt_switches:\s*(\d+)/.exec(readFileSync(`/proc/self/task/${t}/status`, 'utf8'))?.[1] ?? 0);
      out.set(Number(t), { tid: Number(t), name, runMs: run! / 1e6, waitMs: wait! / 1e6, slices: slices!, preempted });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

export interface ProcessProbe {
  start(): void;
  stop(): ProcessTrace;
}

export function processProbe(opts: { gaps: boolean }): ProcessProbe {
  const offset = clockOffsetMs();
  const gc: { start: number; ms: number; kind: number }[] = [];
  const gaps: [number, number][] = [];
  let recording = false;
  const observer = new PerformanceObserver((list) => {
    if (!recording) return;
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      gc.push({ start: performance.timeOrigin + e.startTime + offset, ms: e.duration, kind: e.detail?.kind ?? 0 });
    }
  });
  let timer: NodeJS.Timeout | undefined;
  let before = new Map<number, ThreadCounts>();
  let startMs = 0;
  let cpu0 = process.cpuUsage();
  return {
    start() {
      observer.observe({ entryTypes: ['gc'] });
      recording = true;
      before = readThreads();
      cpu0 = process.cpuUsage();
      startMs = monoMs();
      if (opts.gaps) {
        let last = monoMs();
        timer = setInterval(() => {
          const now = monoMs();
          if (now - last > 2) gaps.push([last, now - last]);
          last = now;
        }, 1);
      }
    },
    stop() {
      const stopMs = monoMs();
      recording = false;
      if (timer !== undefined) clearInterval(timer);
      observer.disconnect();
      const cpu = process.cpuUsage(cpu0);
      const threads: ThreadCounts[] = [];
      for (const [tid, now] of readThreads()) {
        const b = before.get(tid);
        threads.push({ tid, name: now.name, runMs: now.runMs - (b?.runMs ?? 0), waitMs: now.waitMs - (b?.waitMs ?? 0), slices: now.slices - (b?.slices ?? 0), preempted: now.preempted - (b?.preempted ?? 0) });
      }
      return { setup: processSetup(), pid: process.pid, startMs, stopMs, cpuMs: (cpu.user + cpu.system) / 1000, threads, gc, ...(opts.gaps ? { gaps } : {}) };
    },
  };
}
