import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

/**
 * What each long task of the page's main thread was made of, from a Chrome
 * trace (CDP Tracing with the devtools.timeline categories): figures to
 * report, never to assert on (issue 14, decision 189).
 */
export interface LongTaskBreakdown {
  /** Wall time of the task, ms. */
  ms: number;
  /** Thread (CPU) time of the task, ms: what waiting for a core on a loaded machine does not inflate. */
  cpuMs: number;
  /** Start, ms after the trace's first task. */
  atMs: number;
  /** Wall self time by kind of work, ms (script, style, layout, paint, gc, other). */
  kinds: Record<TaskKind, number>;
}

export type TaskKind = 'script' | 'style' | 'layout' | 'paint' | 'gc' | 'other';

/** One event of a Chrome trace (the fields the measurements read). */
export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of the event: what a loaded machine's waits for a core do not inflate. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { data?: { frame?: string; message?: string } };
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8'];

/** Starts tracing the page (one trace per browser at a time). */
export async function startTrace(browser: Browser, page: Page): Promise<void> {
  // With ORDO_TRACE_RAW the JS sampling profiler too (its samples are for a script to read, not the report).
  // With ORDO_TRACE_INVALIDATIONS=1 also blink's own events and which DOM change invalidated style and layout.
  const more = process.env.ORDO_TRACE_INVALIDATIONS === '1' ? ['blink', 'disabled-by-default-devtools.timeline.invalidationTracking', 'disabled-by-default-devtools.timeline.frame'] : [];
  await browser.startTracing(page, { categories: [...CATEGORIES, ...more, ...(process.env.ORDO_TRACE_RAW ? ['disabled-by-default-v8.cpu_profiler'] : [])] });
}

/**
 * The page's main-thread tasks by thread (CPU) time: what the page itself asked of a core, whatever the
 * machine's load made of it in wall time. A task of more than 50 ms of CPU is long on any machine.
 */
export interface CpuSummary {
  tasks: number;
  cpuMaxMs: number;
  /** Tasks over 16.7 ms of CPU: frames that cannot make 60 fps even with a core to themselves. */
  over16MsCpu: number;
  over33MsCpu: number;
  over50MsCpu: number;
}

/**
 * The CPU of the tasks that carry one label (a `console.timeStamp` the renderer leaves in the task: the
 * store's two flush frames, decision 203), or of the unlabelled tasks over 4 ms of CPU. Thread time only:
 * what the page asked of a core, the same on a quiet machine and a loaded one.
 */
export interface FrameCpu {
  n: number;
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
  meanMs: number;
  over8MsCpu: number;
  over16MsCpu: number;
  /** Mean self CPU per task by kind of work, ms. */
  meanKinds: Record<TaskKind, number>;
}

/** Stops the trace; breaks every main-thread task longer than `overMs` (wall) down by kind, and sums all tasks' CPU. */
export async function stopTrace(browser: Browser, overMs = 50): Promise<{ longTasks: LongTaskBreakdown[]; cpu: CpuSummary; frames: Record<string, FrameCpu>; firstSecond: FirstSecond }> {
  const raw = await browser.stopTracing();
  // ORDO_TRACE_RAW=DIR keeps the whole trace (tens of MB) for a closer look in DevTools or a script.
  if (process.env.ORDO_TRACE_RAW) writeFileSync(`${process.env.ORDO_TRACE_RAW}/trace-${Date.now()}.json`, raw);
  const trace = JSON.parse(raw.toString('utf8')) as { traceEvents: TraceEvent[] };
  return { ...longTasksOf(trace.traceEvents, overMs), frames: framesOf(trace.traceEvents), firstSecond: firstSecondOf(trace.traceEvents) };
}

/**
 * The main thread's tasks in the stream's first second (from the first `ordo:` frame stamp), by CPU: the
 * frames that fill an empty screen, the ones that were long on a quiet machine (issue 14). On-core
 * time, what load does not bend much.
 */
export interface FirstSecond {
  tasks: number;
  cpuSumMs: number;
  cpuMaxMs: number;
  over16MsCpu: number;
  over25MsCpu: number;
  /** The five tasks with the most CPU: [CPU ms, wall ms, start in ms after the first stamp]. */
  top: [number, number, number][];
  /** The CPU (ms) of the first five tasks over 4 ms of CPU, in order: the frames that fill the empty screen. */
  firstFrames: number[];
}

export function firstSecondOf(all: readonly TraceEvent[]): FirstSecond {
  const { tasks, stamps } = mainThreadOf(all);
  const first = stamps.find((s) => s.args?.data?.message?.startsWith('ordo:'));
  const from = first?.ts ?? tasks[0]?.ts ?? 0;
  // The task holding the first stamp starts before it: take tasks that end after it.
  const inside = tasks.filter((t) => t.ts + t.dur! >= from && t.ts < from + 1_000_000);
  const r1 = (x: number): number => Math.round(x * 10) / 10;
  const cpu = inside.map((t) => (t.tdur ?? 0) / 1000);
  return {
    tasks: inside.length,
    cpuSumMs: r1(cpu.reduce((a, b) => a + b, 0)),
    cpuMaxMs: r1(Math.max(0, ...cpu)),
    over16MsCpu: cpu.filter((c) => c > 1000 / 60).length,
    over25MsCpu: cpu.filter((c) => c > 25).length,
    top: inside
      .map((t): [number, number, number] => [r1((t.tdur ?? 0) / 1000), r1(t.dur! / 1000), Math.round((t.ts - from) / 1000)])
      .sort((a, b) => b[0] - a[0])
      .slice(0, 5),
    firstFrames: cpu.filter((c) => c > 4).slice(0, 5).map(r1),
  };
}

/** The main thread's complete events, sorted by start (longest first at a tie), and its tasks. */
function mainThreadOf(all: readonly TraceEvent[]): { main: TraceEvent[]; tasks: TraceEvent[]; stamps: TraceEvent[] } {
  const events = all.filter((e) => e.ph === 'X' && e.dur !== undefined);
  const busy = new Map<string, number>();
  for (const e of events) if (e.name === 'FunctionCall' || e.name === 'Paint') busy.set(`${e.pid}:${e.tid}`, (busy.get(`${e.pid}:${e.tid}`) ?? 0) + e.dur!);
  const mainTid = [...busy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const main = events.filter((e) => `${e.pid}:${e.tid}` === mainTid).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const stamps = all.filter((e) => e.name === 'TimeStamp' && `${e.pid}:${e.tid}` === mainTid).sort((a, b) => a.ts - b.ts);
  return { main, tasks: main.filter((e) => e.name === 'ThreadControllerImpl::RunTask'), stamps };
}

/** Per label (and 'unlabelled' for other tasks over 4 ms of CPU): the distribution of task CPU and its mean self CPU by kind. */
export function framesOf(all: readonly TraceEvent[]): Record<string, FrameCpu> {
  const { main, tasks, stamps } = mainThreadOf(all);
  const groups = new Map<string, { cpu: number[]; kinds: Record<TaskKind, number> }>();
  let from = 0;
  let stampAt = 0;
  for (const t of tasks) {
    const end = t.ts + t.dur!;
    while (stampAt < stamps.length && stamps[stampAt]!.ts < t.ts) stampAt++;
    const labels = new Set<string>();
    for (let i = stampAt; i < stamps.length && stamps[i]!.ts <= end; i++) {
      const m = stamps[i]!.args?.data?.message;
      if (m?.startsWith('ordo:')) labels.add(m);
    }
    const cpu = (t.tdur ?? 0) / 1000;
    const label = labels.size > 0 ? [...labels].sort().join('+') : cpu > 4 ? 'unlabelled' : undefined;
    if (label === undefined) continue;
    while (from < main.length && main[from]!.ts < t.ts) from++;
    const kinds: Record<TaskKind, number> = { script: 0, style: 0, layout: 0, paint: 0, gc: 0, other: 0 };
    // Self CPU: an event's thread time minus its direct children's, credited to its kind.
    const stack: { e: TraceEvent; child: number }[] = [];
    let direct = 0;
    const close = (until: number): void => {
      while (stack.length > 0 && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= until) {
        const top = stack.pop()!;
        const own = top.e.tdur ?? 0;
        kinds[kindOf(top.e.name)] += Math.max(0, own - top.child);
        if (stack.length > 0) stack[stack.length - 1]!.child += own;
        else direct += own;
      }
    };
    for (let i = from; i < main.length && main[i]!.ts < end; i++) {
      const e = main[i]!;
      if (e === t || e.ts + e.dur! > end) continue;
      close(e.ts);
      stack.push({ e, child: 0 });
    }
    close(Number.POSITIVE_INFINITY);
    kinds.other += Math.max(0, (t.tdur ?? 0) - direct);
    const g = groups.get(label) ?? { cpu: [], kinds: { script: 0, style: 0, layout: 0, paint: 0, gc: 0, other: 0 } };
    g.cpu.push(cpu);
    for (const k of Object.keys(kinds) as TaskKind[]) g.kinds[k] += kinds[k] / 1000;
    groups.set(label, g);
  }
  const out: Record<string, FrameCpu> = {};
  const r1 = (x: number): number => Math.round(x * 10) / 10;
  for (const [label, g] of groups) {
    const c = [...g.cpu].sort((a, b) => a - b);
    const at = (q: number): number => c[Math.min(c.length - 1, Math.floor(c.length * q))]!;
    const meanKinds = { ...g.kinds };
    for (const k of Object.keys(meanKinds) as TaskKind[]) meanKinds[k] = r1(meanKinds[k] / c.length);
    out[label] = {
      n: c.length,
      p50Ms: r1(at(0.5)),
      p90Ms: r1(at(0.9)),
      maxMs: r1(c[c.length - 1]!),
      meanMs: r1(c.reduce((a, b) => a + b, 0) / c.length),
      over8MsCpu: c.filter((x) => x > 8).length,
      over16MsCpu: c.filter((x) => x > 1000 / 60).length,
      meanKinds,
    };
  }
  return out;
}

/** The kind of work a trace event's self time is (by the names Chrome's timeline gives them). */
export function kindOf(name: string): TaskKind {
  if (name.startsWith('V8.GC') || name === 'MajorGC' || name === 'MinorGC' || name.startsWith('BlinkGC') || name === 'CppGC') return 'gc';
  if (name === 'FunctionCall' || name === 'EvaluateScript' || name === 'v8.compile' || name === 'v8.run' || name.startsWith('V8.') || name === 'TimerFire' || name === 'FireAnimationFrame' || name === 'EventDispatch' || name === 'RunMicrotasks') return 'script';
  if (name === 'UpdateLayoutTree' || name === 'RecalculateStyles' || name === 'ParseAuthorStyleSheet') return 'style';
  if (name === 'Layout' || name === 'UpdateLayerTree' || name === 'IntersectionObserverController::computeIntersections') return 'layout';
  if (name === 'Paint' || name === 'PrePaint' || name === 'Layerize' || name === 'Commit' || name === 'UpdateLayer' || name === 'CompositeLayers' || name === 'PaintImage' || name === 'RasterTask') return 'paint';
  return 'other';
}

function longTasksOf(all: readonly TraceEvent[], overMs: number): { longTasks: LongTaskBreakdown[]; cpu: CpuSummary } {
  // The renderer's main thread: the thread that ran the most script and paint.
  const { main, tasks } = mainThreadOf(all);
  const t0 = tasks[0]?.ts ?? 0;
  const out: LongTaskBreakdown[] = [];
  let from = 0;
  for (const t of tasks) {
    if (t.dur! <= overMs * 1000) continue;
    // The events inside the task (main is sorted by start; skip those before it).
    while (from < main.length && main[from]!.ts < t.ts) from++;
    const inside: TraceEvent[] = [];
    for (let i = from; i < main.length && main[i]!.ts < t.ts + t.dur!; i++) if (main[i] !== t && main[i]!.ts + main[i]!.dur! <= t.ts + t.dur!) inside.push(main[i]!);
    const kinds: Record<TaskKind, number> = { script: 0, style: 0, layout: 0, paint: 0, gc: 0, other: 0 };
    // Self time: an event's duration minus its direct children's, credited to its kind.
    const stack: { e: TraceEvent; child: number }[] = [];
    const close = (until: number): void => {
      while (stack.length > 0 && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= until) {
        const top = stack.pop()!;
        kinds[kindOf(top.e.name)] += top.e.dur! - top.child;
        if (stack.length > 0) stack[stack.length - 1]!.child += top.e.dur!;
      }
    };
    let direct = 0;
    for (const e of inside) {
      close(e.ts);
      if (stack.length === 0) direct += e.dur!;
      stack.push({ e, child: 0 });
    }
    close(Number.POSITIVE_INFINITY);
    // What the task did outside any traced event (scheduling, IPC, waiting for a core).
    kinds.other += Math.max(0, t.dur! - direct);
    for (const k of Object.keys(kinds) as TaskKind[]) kinds[k] = Math.round(kinds[k] / 100) / 10;
    out.push({ ms: Math.round(t.dur! / 1000), cpuMs: Math.round((t.tdur ?? 0) / 1000), atMs: Math.round((t.ts - t0) / 1000), kinds });
  }
  const cpus = tasks.map((t) => (t.tdur ?? 0) / 1000);
  const cpu: CpuSummary = {
    tasks: tasks.length,
    cpuMaxMs: Math.round(Math.max(0, ...cpus)),
    over16MsCpu: cpus.filter((c) => c > 1000 / 60).length,
    over33MsCpu: cpus.filter((c) => c > 100 / 3).length,
    over50MsCpu: cpus.filter((c) => c > 50).length,
  };
  return { longTasks: out, cpu };
}
