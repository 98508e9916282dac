import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full GC left
 * alive before it collects again, in percent (decision 170). V8's own factor
 * is 1.1–4× by how fast it collects: on a host that folds millions of events
 * it settled near 2.4× (heap total ~730–960 MiB for ~310 MiB live at 1 M
 * orders), which alone breaks issue 11's 1 GB bound. 30 % keeps the heap
 * within ~1.3× live, at the price of more frequent (mostly concurrent) full
 * collections.
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Sets the host process's V8 heap growth (HEAP_GROWING_PERCENT). Called once
 * by `ordo host` (the app's host process included) before the host starts;
 * V8 reads the flag at each full GC, so setting it at run time takes effect
 * from the next one. Not called by library users of startHost (tests,
 * benchmarks that run several scenarios in one process) unless they want the
 * host's settings.
 */
export function tuneHostHeap(percent = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

