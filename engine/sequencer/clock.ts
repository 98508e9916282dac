/** Microseconds since the Unix epoch. Only the sequencer reads the clock. */
export type Clock = () => number;

/** Wall-clock microseconds, never going back within the process. */
export function systemClock(): Clock {
  let last = 0;
  return () => {
    const now = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    last = now > last ? now : last;
    return last;
  };
}
