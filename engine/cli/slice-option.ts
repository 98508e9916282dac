import { shortenSchedulerSlice, sliceFromEnv } from '../host/sched-slice.ts';
import { UsageError } from './errors.ts';

/** ORDO_SCHED_SLICE_US for `ordo host` and `ordo component`, read before anything starts: a bad value is a usage error naming it. */
export function schedulerSlice(): number {
  try {
    return sliceFromEnv();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Gives this process's threads the slice (decision 283); where it cannot, one line on stderr says why. */
export function applySchedulerSlice(sliceUs: number): void {
  const slice = shortenSchedulerSlice(sliceUs);
  if (slice.reason !== undefined && sliceUs !== 0) console.error(`ordo: running with the kernel's default scheduler slice: ${slice.reason}`);
}
