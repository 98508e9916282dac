import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The nice value background threads take: they get what the live path leaves (about a tenth of a busy core). */
export const BACKGROUND_NICE = 10;

/** The calling thread's id (its task under /proc/self/task) on Linux; undefined elsewhere or when unreadable. */
export function currentThreadId(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** The calling thread's own nice value (not the process's); 0 where threads have none of their own (not Linux). */
export function currentThreadNice(): number {
  const tid = currentThreadId();
  return tid === undefined ? 0 : getPriority(tid);
}

/**
 * Lowers the CPU priority of the calling thread only (not the process) to
 * `nice`, for background work that must not compete with the event loop
 * that answers orders: on Linux each thread is a task with its own nice
 * value, and /proc/thread-self names the caller's. Lowering one's own
 * priority needs no privilege; it is never raised back (the thread ends with
 * its work). Returns the thread id, or undefined where this is not Linux or
 * the OS refused (the work then runs at normal priority, as before).
 */
export function lowerThreadPriority(nice = BACKGROUND_NICE): number | undefined {
  const tid = currentThreadId();
  if (tid === undefined) return undefined;
  try {
    // Never raise it (a host started with `nice` keeps that for its threads too).
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return tid;
  } catch {
    return undefined;
  }
}

/** Linux's scheduling policies as a thread's stat gives them (field 41). */
export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

/** The scheduling policy of this process's thread `tid` (field 41 of /proc/self/task/<tid>/stat); undefined if unreadable. */
export function threadPolicy(tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The fields after the command's closing parenthesis start at field 3 (the command may hold spaces).
    const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3]);
    return Number.isInteger(policy) ? policy : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Puts every thread of this process under SCHED_IDLE ('idle': it runs only when no normal thread of the machine
 * wants the core, and a normal thread that wakes takes the core from it at once) or back under SCHED_OTHER
 * ('other'), through util-linux's `chrt` (Node has no call for sched_setscheduler). A nice value alone does not do
 * this: a thread the kernel picked keeps the core for its slice (~3 ms) whatever its nice value, and a host thread
 * woken by an order waits that long (issue 11, decision 267). Leaving SCHED_IDLE needs what raising the nice value
 * back needs (canRestorePriority). Returns whether it was done; false where this is not Linux, `chrt` is missing
 * or the OS refused (the nice values alone then apply).
 */
export function setProcessPolicy(policy: 'idle' | 'other', pid = process.pid): boolean {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('chrt', [policy === 'idle' ? '--idle' : '--other', '--all-tasks', '--pid', '0', String(pid)], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** CAP_SYS_NICE's bit in /proc/self/status's CapEff. */
const CAP_SYS_NICE = 23n;

/**
 * Whether this thread could set its nice value back to `nice` after lowering
 * it: with CAP_SYS_NICE, or when RLIMIT_NICE allows nice values down to it
 * (ceiling 20 - limit). `status` and `limits` are /proc/self/status and
 * /proc/self/limits (read when not given).
 */
export function canRestorePriority(nice: number, status?: string, limits?: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const st = status ?? readFileSync('/proc/self/status', 'utf8');
    const cap = /^CapEff:\s*([0-9a-f]+)$/m.exec(st)?.[1];
    if (cap !== undefined && (BigInt(`0x${cap}`) >> CAP_SYS_NICE) & 1n) return true;
    const lim = /^Max nice priority\s+(\d+|unlimited)\s/m.exec(limits ?? readFileSync('/proc/self/limits', 'utf8'))?.[1];
    if (lim === undefined) return false;
    if (lim === 'unlimited') return true;
    return 20 - Number(lim) <= nice;
  } catch {
    return false;
  }
}

/**
 * Lowers the calling thread's CPU priority to BACKGROUND_NICE for work that
 * must give way to a live path on the same machine (a component process
 * rewinding a long session beside the host that answers orders), and returns
 * the function that puts it back. Only when it can be put back (see
 * canRestorePriority): otherwise nothing changes and undefined is returned,
 * so a component never stays at low priority after it caught up. Putting it
 * back also puts back the process's threads started meanwhile (they took the
 * lowered value); meant for a process where nothing else runs at
 * BACKGROUND_NICE on purpose (`ordo component`). With `wholeProcess` the
 * process's other threads are lowered as well and put back to their own values.
 */
export function lowerUntilRestored(opts: { wholeProcess?: boolean; idle?: boolean } = {}): (() => void) | undefined {
  if (process.platform !== 'linux') return undefined;
  const before = getPriority(0);
  if (before >= BACKGROUND_NICE || !canRestorePriority(before)) return undefined;
  const tid = lowerThreadPriority();
  if (tid === undefined) return undefined;
  // `idle` (with `wholeProcess`): every thread under SCHED_IDLE as well (unless started under another policy on
  // purpose), put back to SCHED_OTHER first on restore (decision 267).
  const idled = opts.idle === true && opts.wholeProcess === true && threadPolicy(tid) === SCHED_OTHER && setProcessPolicy('idle');
  // `wholeProcess`: the threads already running are lowered too, each put back to its own value. In a component
  // rewinding beside the host they were a quarter of its CPU at normal priority: V8's platform threads
  // (concurrent marking, scavenge helpers, compilation) and ZeroMQ's I/O thread, which receives the pages.
  const others = new Map<number, number>();
  if (opts.wholeProcess) {
    try {
      for (const t of readdirSync('/proc/self/task').map(Number)) {
        if (t === tid) continue;
        try {
          const nice = getPriority(t);
          if (nice < BACKGROUND_NICE) {
            setPriority(t, BACKGROUND_NICE);
            others.set(t, nice);
          }
        } catch {
          // The thread ended meanwhile, or the OS refused: it keeps its value.
        }
      }
    } catch {
      // No task list: the calling thread alone is lowered.
    }
  }
  return () => {
    // Out of SCHED_IDLE before the nice values: every thread, those started meanwhile too (they took the policy).
    if (idled) setProcessPolicy('other');
    // The thread, and any thread it started meanwhile (a new thread takes its creator's nice value: libuv's
    // pool starts lazily) that is still at the lowered value.
    const tids = new Set([tid]);
    try {
      for (const t of readdirSync('/proc/self/task')) if (getPriority(Number(t)) === BACKGROUND_NICE) tids.add(Number(t));
    } catch {
      // No task list: the thread itself is put back below.
    }
    for (const t of tids) {
      try {
        setPriority(t, before);
      } catch {
        // Checked above; should the OS refuse after all, the work goes on at the lower priority.
      }
    }
    for (const [t, nice] of others) {
      try {
        setPriority(t, nice);
      } catch {
        // The thread ended meanwhile.
      }
    }
  };
}
