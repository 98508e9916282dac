import { readdirSync } from 'node:fs';
import { loadAddon } from '../native/addon.ts';

/**
 * The scheduler slice Ordo's live processes ask for (decision 283), in microseconds. On Linux ≥ 6.12 (EEVDF) a
 * SCHED_OTHER thread keeps a core for its slice (1.4 ms by default here) before a woken thread of equal weight may
 * take it, so a message woken onto a busy two-core machine waits up to that long a hop: the two-process latency
 * tail (decision 281). A thread with a shorter slice gets an earlier deadline and its turn sooner; the kernel
 * clamps the request to 0.1–100 ms.
 */
export const DEFAULT_SLICE_US = 100;

/** What a process's threads were given. */
export interface SliceResult {
  /** The slice requested, in µs; 0 when the kernel's default stays (turned off, or not possible here). */
  readonly sliceUs: number;
  /** Threads that took it (those started later inherit it from the thread that starts them). */
  readonly threads: number;
  /** Why the default stays, in a few words; absent when the slice is in force. */
  readonly reason?: string;
}

/**
 * The slice asked for by ORDO_SCHED_SLICE_US: unset is DEFAULT_SLICE_US, `0` or `off` keeps the kernel's, otherwise
 * a whole number of µs in 100–100000. A bad value is an Error naming it.
 */
export function sliceFromEnv(value = process.env['ORDO_SCHED_SLICE_US']): number {
  if (value === undefined || value === '') return DEFAULT_SLICE_US;
  if (value === '0' || value === 'off') return 0;
  const us = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(us >= 100 && us <= 100_000)) {
    throw new Error(`ORDO_SCHED_SLICE_US must be 0, off or a whole number of microseconds in 100-100000, got '${value}'`);
  }
  return us;
}

/**
 * Asks for `sliceUs` on every thread of this process, the calling thread first: threads started afterwards (ZeroMQ's
 * I/O threads, workers) inherit it. Leaves a thread that is not SCHED_OTHER (a SCHED_IDLE rewind) as it is. Never
 * throws: where this is not Linux, the addon is absent or the kernel refuses, the default slice stays and `reason`
 * says why.
 */
export function shortenSchedulerSlice(sliceUs = DEFAULT_SLICE_US): SliceResult {
  if (sliceUs === 0) return { sliceUs: 0, threads: 0, reason: 'turned off (ORDO_SCHED_SLICE_US=0)' };
  if (process.platform !== 'linux') return { sliceUs: 0, threads: 0, reason: 'not Linux' };
  const addon = loadAddon();
  if (typeof addon === 'string') return { sliceUs: 0, threads: 0, reason: addon };
  const ns = sliceUs * 1000;
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task').map(Number).sort((a, b) => (a === process.pid ? -1 : b === process.pid ? 1 : a - b));
  } catch {
    return { sliceUs: 0, threads: 0, reason: '/proc/self/task is unreadable' };
  }
  let threads = 0;
  let refused = 0;
  for (const tid of tids) {
    const err = addon.setSlice(tid, ns);
    if (err === 0) threads++;
    else if (err !== 3 /* ESRCH: the thread ended */) refused = err;
  }
  // Before 6.12 the kernel takes the call and ignores the runtime of a SCHED_OTHER thread: read it back.
  if (threads === 0 || addon.getSlice(process.pid) !== ns) {
    return { sliceUs: 0, threads: 0, reason: refused ? `the kernel refused (errno ${refused})` : 'this kernel has no per-thread slice (Linux < 6.12)' };
  }
  return { sliceUs, threads };
}

/** One line for a process's start log: what slice its threads run with. */
export function describeSlice(r: SliceResult): string {
  return r.reason === undefined ? `scheduler slice ${r.sliceUs} µs on ${r.threads} threads` : `kernel's default scheduler slice (${r.reason})`;
}
