/**
 * Who had the cores while a thread waited: samples the kernel's schedstat (time on a core, time runnable but
 * waiting for one; ns) of every thread of a few processes and of their children every `everyMs`, so a span
 * (a host loop gap) can be charged to the threads that ran during it. Linux only; a bench tool (it costs the
 * machine a few hundred file reads a second while it runs), never in a shipped process.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface Track {
  readonly name: string;
  /** [epochMs, onCoreMs, waitingMs] samples. */
  readonly samples: [number, number, number][];
}

/** One thread's share of a span: ms on a core and ms waiting for one. */
export interface ThreadShare {
  readonly thread: string;
  readonly onCoreMs: number;
  readonly waitingMs: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** The child processes of `pid` (every thread's children), from /proc; none once it has ended. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const text = read(`/proc/${pid}/task/${t}/children`)?.trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // Gone.
  }
  return out;
}

/** A child process by its script's name (`venue-child`, `checkpoint-process`). */
function childName(pid: number): string {
  const args = read(`/proc/${pid}/cmdline`)?.split('\0') ?? [];
  const script = args.find((a) => a.endsWith('.js')) ?? `child${pid}`;
  return script.slice(script.lastIndexOf('/') + 1).replace(/\.js$/, '');
}

/** The machine's busy time so far (ms over all cores: user, nice, system, irq, softirq, steal of /proc/stat's cpu line). */
function machineBusyMs(): number | undefined {
  const f = read('/proc/stat')?.split('\n', 1)[0]?.trim().split(/\s+/).slice(1).map(Number);
  if (!f) return undefined;
  // user nice system idle iowait irq softirq steal, in USER_HZ (100 a second on Linux).
  return ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0)) * 10;
}

export class SchedSampler {
  private readonly tracks = new Map<string, Track>();
  /** [epochMs, machine busy ms] samples (10 ms resolution). */
  private readonly machine: [number, number][] = [];
  private readonly timer: NodeJS.Timeout;
  private paths: { key: string; path: string; name: string }[] = [];
  private lastList = 0;

  /** `labels`: the processes to follow (their children are followed too, named by their script). */
  constructor(
    private readonly labels: ReadonlyMap<number, string>,
    everyMs = 2,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private list(): void {
    const paths: { key: string; path: string; name: string }[] = [];
    for (const [pid, label] of this.labels) {
      const procs: [number, string][] = [[pid, label], ...childrenOf(pid).map((c): [number, string] => [c, childName(c)])];
      for (const [p, l] of procs) {
        let tids: string[] = [];
        try {
          tids = readdirSync(`/proc/${p}/task`);
        } catch {
          continue;
        }
        for (const tid of tids) {
          const comm = read(`/proc/${p}/task/${tid}/comm`)?.trim() ?? '?';
          paths.push({ key: `${p}/${tid}`, path: `/proc/${p}/task/${tid}/schedstat`, name: `${l}:${tid === String(p) ? 'main' : comm}` });
        }
      }
    }
    this.paths = paths;
  }

  private sample(): void {
    const now = Date.now();
    if (now - this.lastList > 250) {
      this.list();
      this.lastList = now;
    }
    const busy = machineBusyMs();
    if (busy !== undefined) this.machine.push([now, busy]);
    for (const { key, path, name } of this.paths) {
      const f = read(path)?.split(' ');
      if (!f) continue;
      let t = this.tracks.get(key);
      if (!t) this.tracks.set(key, (t = { name, samples: [] }));
      t.samples.push([now, Number(f[0]) / 1e6, Number(f[1]) / 1e6]);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The whole machine's busy time within [fromMs, toMs] (all cores, every process; ~10 ms resolution). */
  machineBusy(fromMs: number, toMs: number): number | undefined {
    let a: [number, number] | undefined;
    let b: [number, number] | undefined;
    for (const x of this.machine) {
      if (x[0] <= fromMs) a = x;
      if (x[0] >= toMs) {
        b = x;
        break;
      }
    }
    return a && b ? b[1] - a[1] : undefined;
  }

  /** Every thread's on-core and waiting time within [fromMs, toMs] (epoch; the samples at or around its ends), busiest first. */
  shares(fromMs: number, toMs: number, minMs = 0.5): ThreadShare[] {
    const out: ThreadShare[] = [];
    for (const t of this.tracks.values()) {
      const s = t.samples;
      // The last sample at or before the start and the first at or after the end.
      let a: [number, number, number] | undefined;
      let b: [number, number, number] | undefined;
      for (const x of s) {
        if (x[0] <= fromMs) a = x;
        if (x[0] >= toMs) {
          b = x;
          break;
        }
      }
      if (!a || !b) continue;
      const share = { thread: t.name, onCoreMs: b[1] - a[1], waitingMs: b[2] - a[2] };
      if (share.onCoreMs >= minMs || share.waitingMs >= minMs) out.push(share);
    }
    return out.sort((x, y) => y.onCoreMs - x.onCoreMs);
  }
}
