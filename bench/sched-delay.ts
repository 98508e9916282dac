/**
 * Who had the core while the host's main thread waited for one: the kernel's scheduler events (`perf sched record
 * -a`, all CPUs) over a window, read back with `perf script`. For every time the host's main thread became runnable
 * (woken, or preempted while running) until it next ran, the tasks that ran on the CPU it then ran on are summed by
 * owner: the host's other threads (by thread name), the component, the load generator (this process), other
 * processes. Counts kernel time, not wall clocks stretched by load: on a shared machine it says how much of the host's
 * wait was ours (the component, the host's own threads) and how much was the machine's.
 *
 * Used by bench/catch-up.ts with $CATCHUP_PERF_SCHED=1 (Linux, perf installed, permission to trace all CPUs).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface SchedDelay {
  /** Times the host's main thread became runnable and then ran, within the window. */
  readonly waits: number;
  /** Their total, 99th percentile and longest (ms), and the total of those of 1 ms or more. */
  readonly totalMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly overOneMs: number;
  /** ms of other tasks on the host main thread's CPU while it waited, by owner. */
  readonly by: Record<string, number>;
}

/** Starts recording scheduler events on all CPUs into `file`; the returned function stops it and resolves when written. */
export function recordSched(file: string): { stop: () => Promise<boolean> } {
  let proc: ChildProcess | undefined;
  try {
    proc = spawn('perf', ['sched', 'record', '-a', '-o', file], { stdio: 'ignore' });
  } catch {
    return { stop: () => Promise.resolve(false) };
  }
  const done = new Promise<boolean>((resolve) => {
    proc!.once('error', () => resolve(false));
    proc!.once('exit', (code, signal) => resolve(code === 0 || signal === 'SIGINT'));
  });
  return {
    stop: () => {
      proc!.kill('SIGINT');
      return done;
    },
  };
}

/** Reads a `perf sched record` file: the host main thread's waits for a core and who ran meanwhile. */
export function schedDelay(file: string, who: Who): SchedDelay | undefined {
  const r = spawnSync('perf', ['script', '-i', file, '-F', PERF_FIELDS], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) return undefined;
  return schedDelayOf(r.stdout, who);
}

/** The `perf script -F` fields schedDelayOf reads: `TGID/TID [CPU] SECONDS: sched:EVENT: FIELDS`. */
export const PERF_FIELDS = 'pid,tid,cpu,time,event,trace';

/** The processes named in a SchedDelay: the host (its pid is its main thread's tid), the component, the load generator. */
export interface Who {
  readonly host: number;
  readonly component?: number;
  readonly generator: number;
}

/** schedDelay over `perf script -F PERF_FIELDS` text. */
export function schedDelayOf(text: string, who: Who): SchedDelay {
  // Per CPU: the task running since [start ms, tid, tgid, comm]; a sched_switch is recorded in its prev task's context,
  // so the event's own pid/tid name the task that ran until then.
  const running = new Map<number, [number, number]>();
  const spans = new Map<number, [number, number, string][]>();
  const owner = (tgid: number, tid: number, comm: string): string => {
    if (tid === 0) return 'idle';
    if (tgid === who.host) return tid === who.host ? 'host main' : `host thread ${comm}`;
    if (who.component !== undefined && tgid === who.component) return 'component';
    if (tgid === who.generator) return 'load generator';
    return 'other processes';
  };
  let runnableSince: number | undefined;
  const waits: [number, number, number][] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(sched_switch|sched_waking):\s+(.*)$/.exec(line);
    if (!m) continue;
    const [tgid, tid, cpu, ms, ev, rest] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]) * 1000, m[5]!, m[6]!];
    if (ev === 'sched_waking') {
      if (Number(/ pid=(\d+)/.exec(rest)?.[1]) === who.host) runnableSince ??= ms;
      continue;
    }
    const sw = /prev_comm=(.*) prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=.* next_pid=(\d+)/.exec(rest);
    if (!sw) continue;
    const since = running.get(cpu);
    if (since !== undefined) {
      const list = spans.get(cpu) ?? [];
      list.push([since[0], ms, owner(tgid, tid, sw[1]!)]);
      spans.set(cpu, list);
    }
    running.set(cpu, [ms, Number(sw[4])]);
    if (Number(sw[2]) === who.host && sw[3]!.startsWith('R')) runnableSince = ms;
    if (Number(sw[4]) === who.host && runnableSince !== undefined) {
      waits.push([runnableSince, ms, cpu]);
      runnableSince = undefined;
    }
  }
  const by: Record<string, number> = {};
  for (const [from, to, cpu] of waits) {
    for (const [a, b, name] of spans.get(cpu) ?? []) {
      const o = Math.min(b, to) - Math.max(a, from);
      if (o > 0) by[name] = (by[name] ?? 0) + o;
    }
  }
  const ds = waits.map(([a, b]) => b - a).sort((x, y) => x - y);
  return {
    waits: ds.length,
    totalMs: ds.reduce((t, d) => t + d, 0),
    p99Ms: ds.length ? ds[Math.floor(0.99 * (ds.length - 1))]! : NaN,
    maxMs: ds.length ? ds[ds.length - 1]! : NaN,
    overOneMs: ds.filter((d) => d >= 1).reduce((t, d) => t + d, 0),
    by,
  };
}

/** One log line of a SchedDelay. */
export function schedDelayLine(d: SchedDelay): string {
  const by = Object.entries(d.by)
    .filter(([k]) => k !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');
  return `host main thread waited for a core ${d.waits} times, ${d.totalMs.toFixed(1)} ms in all (p99 ${d.p99Ms.toFixed(2)}, max ${d.maxMs.toFixed(2)} ms; waits of 1 ms or more ${d.overOneMs.toFixed(1)} ms); on its core meanwhile (ms): ${by}`;
}
