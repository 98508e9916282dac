import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadAddon } from './addon.ts';

/** What giveBackStartupMemory did: RSS before and after (bytes), its time, and whether malloc's arenas were trimmed (else why not). */
export interface StartupTrim {
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly ms: number;
  readonly trimmed: boolean;
  readonly reason?: string;
}

/**
 * Gives back what a process's start-up folded and dropped (decision 294): one full garbage collection, so the
 * array buffers of the copies start-up decoded and let go (a resumed host's second decode of its checkpoint,
 * ~370 MiB of array buffers at 5 M events) are freed now rather than at some later collection, then malloc_trim(0)
 * from the native addon, so the freed bytes leave the process instead of staying in the huge-page heap, which
 * keeps what is freed (decision 290). Call once, when the folding is done: a page given back costs a fault when
 * next written. Never throws: without the addon (or an older one) only the collection runs and `reason` says why.
 */
export function giveBackStartupMemory(): StartupTrim {
  const t0 = performance.now();
  const rssBefore = process.memoryUsage.rss();
  fullCollection();
  const addon = loadAddon();
  let reason: string | undefined;
  if (typeof addon === 'string') reason = addon;
  else if (addon.trimHeap === undefined) reason = 'the addon is older than this build (npm run build:native)';
  else {
    const r = addon.trimHeap();
    if (r < 0) reason = 'not glibc';
  }
  return { rssBefore, rssAfter: process.memoryUsage.rss(), ms: performance.now() - t0, trimmed: reason === undefined, ...(reason !== undefined ? { reason } : {}) };
}

/**
 * A full (mark-compact) collection, from V8's own `gc` exposed for this call only (Jest's --logHeapUsage does the
 * same): array buffers in the old generation are freed only by one, and a host with a small live heap may not run
 * one for minutes. A process started with --expose-gc has `gc` already: it is called as it is and the flag left
 * alone (turning it off after the call would take `gc` from every context made later, a worker's among them).
 */
export function fullCollection(): 'own' | 'exposed' {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') {
    (own as () => void)();
    return 'own';
  }
  setFlagsFromString('--expose-gc');
  try {
    (runInNewContext('gc') as () => void)();
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return 'exposed';
}
