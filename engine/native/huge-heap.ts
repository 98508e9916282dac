import { intFromEnv } from '../cli/args.ts';
import { loadAddon } from './addon.ts';

/**
 * The malloc heap a process that folds a session's state starts with (decision 290), in MiB: so much of the
 * main arena is made at once and advised for 2 MiB transparent huge pages, and blocks up to 32 MiB come from it
 * (not from mmaps of their own) and stay in it once freed. On the VMs Ordo is measured on a fresh 4 KiB page
 * costs ~15-20 µs to fault in and a 2 MiB one about as much as 4 of them: `ordo state --at` a 1 M-event session
 * took 28.8 k faults, 8.2 k with this. Address space only: a page costs memory once it is written.
 */
export const DEFAULT_HUGE_HEAP_MIB = 1024;

/**
 * The heap asked for by ORDO_HUGE_HEAP_MIB: unset is DEFAULT_HUGE_HEAP_MIB, `0` or `off` keeps glibc's defaults,
 * otherwise a whole number of MiB in 8-1024. A bad value is a usage error naming it (intFromEnv).
 */
export function hugeHeapFromEnv(value = process.env['ORDO_HUGE_HEAP_MIB']): number {
  return intFromEnv('ORDO_HUGE_HEAP_MIB', 8, 1024, { off: true, unit: 'MiB' }, { ORDO_HUGE_HEAP_MIB: value }) ?? DEFAULT_HUGE_HEAP_MIB;
}

/** What the heap was given: bytes advised for huge pages (0: none), or why none, in a few words. */
export interface HugeHeap {
  readonly advisedBytes: number;
  readonly reason?: string;
}

let done: HugeHeap | undefined;

/**
 * Makes `mib` MiB of this process's malloc heap at once, advised for huge pages (decision 290); once per
 * process (a later call returns the first one's result). Never throws: where this is not Linux, the addon is
 * absent or older, or the kernel refuses, the heap stays as glibc makes it and `reason` says why. Ordo's state
 * is the same either way (it is where the bytes live, not what they are).
 */
export function reserveHugeHeap(mib = DEFAULT_HUGE_HEAP_MIB): HugeHeap {
  if (done !== undefined) return done;
  if (mib === 0) return (done = { advisedBytes: 0, reason: 'turned off (ORDO_HUGE_HEAP_MIB=0)' });
  if (process.platform !== 'linux') return (done = { advisedBytes: 0, reason: 'not Linux' });
  const addon = loadAddon();
  if (typeof addon === 'string') return (done = { advisedBytes: 0, reason: addon });
  if (addon.reserveHeap === undefined) return (done = { advisedBytes: 0, reason: 'the addon is older than this build (npm run build:native)' });
  const r = addon.reserveHeap(mib * 2 ** 20);
  if (r === -38 /* ENOSYS: built without glibc's mallopt or THP advice */) return (done = { advisedBytes: 0, reason: 'not glibc on Linux' });
  if (r < 0) return (done = { advisedBytes: 0, reason: `the kernel refused (errno ${-r})` });
  return (done = r === 0 ? { advisedBytes: 0, reason: 'the heap could not grow' } : { advisedBytes: r });
}

/**
 * Whether this process's array buffers come from a heap given huge pages: reserveHugeHeap advised some, and this
 * is not Electron's Node (ELECTRON_RUN_AS_NODE: its V8 sandbox allocates array buffers apart from malloc's heap).
 * A long replay then makes its column memory on its own thread: a fault per 2 MiB costs less than a worker
 * touching 4 KiB pages ahead of it (decision 290, which measured both; chunk-prefault.ts).
 */
export function hugeHeapInForce(): boolean {
  return done !== undefined && done.advisedBytes > 0 && process.versions['electron'] === undefined;
}
