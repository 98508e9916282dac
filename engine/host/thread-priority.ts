import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The nice value background threads take: they get what the live path leaves (about a tenth of a busy core). */
export const BACKGROUND_NICE = 10;

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
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (!Number.isSafeInteger(tid) || tid <= 0) return undefined;
    // Never raise it (a host started with `nice` keeps that for its threads too).
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return tid;
  } catch {
    return undefined;
  }
}
