import { performance } from 'node:perf_hooks';

/**
 * When the time machine's spare process may start (decision 300): asked every `everyMs`, the spare starts at the
 * first ask that says yes. Host wall time, never an event handler's.
 */
export interface SpareGate {
  readonly everyMs: number;
  quiet(): boolean;
  /** Called as a wait starts (the first, and again after each idle end): the next `quiet` reads from here. */
  begin?(): void;
}

/** No wait: the spare starts at once (tests, and any caller that knows the host is idle). */
export const AT_ONCE: SpareGate = { everyMs: 0, quiet: () => true };

/** The share of its time the host's loop may have been busy over the last `everyMs` for the spare to start. */
export const QUIET_LOOP_SHARE = 0.05;
/** How often a waiting spare looks at the host's loop (ms). */
export const QUIET_LOOP_EVERY_MS = 1000;

/**
 * Quiet when the host's event loop was busy for less than `share` of the time since the last ask, or since `begin`
 * (its event loop utilisation: orders from any door, FIX, the replay service, the venue's ticks all count). A host
 * taking orders is busy far above 5 % (1,000 orders/s keep it ~25 % busy warm and saturated cold); an idle one
 * starts its spare at the first ask. The spare's start (~0.3 s of CPU and ~5 k faults on a 2-core machine) then
 * waits until the orders stop, rather than landing on a fresh host's first orders.
 */
export function quietLoop(share = QUIET_LOOP_SHARE, everyMs = QUIET_LOOP_EVERY_MS): SpareGate {
  let last = performance.eventLoopUtilization();
  return {
    everyMs,
    // A wait after an idle end reads the loop from its own start, not from the last ask minutes before.
    begin: () => void (last = performance.eventLoopUtilization()),
    quiet: () => {
      const now = performance.eventLoopUtilization();
      const busy = performance.eventLoopUtilization(now, last).utilization;
      last = now;
      return busy < share;
    },
  };
}
