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
  args?: { data?: { frame?: string } };
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8'];

/** Starts tracing the page (one trace per browser at a time). */
export async function startTrace(browser: Browser, page: Page): Promise<void> {
  await browser.startTracing(page, { categories: CATEGORIES });
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

/** Stops the trace; breaks every main-thread task longer than `overMs` (wall) down by kind, and sums all tasks' CPU. */
export async function stopTrace(browser: Browser, overMs = 50): Promise<{ longTasks: LongTaskBreakdown[]; cpu: CpuSummary }> {
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
  return longTasksOf(trace.traceEvents, overMs);
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
  const events = all.filter((e) => e.ph === 'X' && e.dur !== undefined);
  // The renderer's main thread: the thread that ran the most script and paint.
  const busy = new Map<string, number>();
  for (const e of events) if (e.name === 'FunctionCall' || e.name === 'Paint') busy.set(`${e.pid}:${e.tid}`, (busy.get(`${e.pid}:${e.tid}`) ?? 0) + e.dur!);
  const mainTid = [...busy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const main = events.filter((e) => `${e.pid}:${e.tid}` === mainTid).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const tasks = main.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
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
