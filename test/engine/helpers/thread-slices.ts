import { readdirSync, readFileSync } from 'node:fs';

/** One thread of a process as /proc/<pid>/task/<tid>/sched shows it. */
export interface ThreadSlice {
  tid: number;
  /** Scheduling policy: 0 SCHED_OTHER, 3 SCHED_BATCH, 5 SCHED_IDLE. */
  policy: number;
  /** The thread's slice in ns (`se.slice`). */
  slice: number;
}

/** Every thread of `pid` with its policy and slice; threads that end while read are left out. */
export function threadSlices(pid: number): ThreadSlice[] {
  const out: ThreadSlice[] = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const sched = readFileSync(`/proc/${pid}/task/${t}/sched`, 'utf8');
      const field = (name: string) => Number(new RegExp(`^${name.replace('.', '\\.')}\\s*:\\s*(\\d+)`, 'm').exec(sched)?.[1]);
      out.push({ tid: Number(t), policy: field('policy'), slice: field('se.slice') });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** Whether this kernel takes a per-thread slice (Linux ≥ 6.12, EEVDF's sched_attr.sched_runtime). */
export function kernelTakesSlice(): boolean {
  const m = /^(\d+)\.(\d+)/.exec(readFileSync('/proc/sys/kernel/osrelease', 'utf8'));
  return m !== null && (Number(m[1]) > 6 || (Number(m[1]) === 6 && Number(m[2]) >= 12));
}
