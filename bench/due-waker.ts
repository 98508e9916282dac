/**
 * A timer thread for the latency drive's 'wake' sender (bench/drive.ts): it
 * sleeps until each new order's due time and then wakes the drive's thread
 * with a message, so an order goes out at its due time plus one wake-up
 * (~0.1 ms on a quiet machine), instead of at the next 1 ms timer tick, and
 * without the drive's thread spinning (the 'due' sender costs a core and
 * allocates an Immediate per turn of the event loop).
 *
 * Each run is one message { run, start, perMs, end }: absolute times in ms
 * (performance.timeOrigin + performance.now(), the same clock in every
 * thread); order k (k = 1, 2, ...) falls due at start + k / perMs. It posts
 * `run` (a number: the cheapest message to pass) per due order (the drive counts what is due from its own clock,
 * so a late or merged message loses nothing), then `-run` once past `end`.
 * One thread serves every run of a drive: started before the warm-up, so
 * that no measured order waits for a thread to start.
 */
import { parentPort } from 'node:worker_threads';

const cell = new Int32Array(new SharedArrayBuffer(4));
const now = (): number => performance.timeOrigin + performance.now();
// Woken this much after the due time: the drive's floor(elapsed * rate) then surely counts the order.
const AFTER_MS = 0.05;

parentPort!.on('message', ({ run, start, perMs, end }: { run: number; start: number; perMs: number; end: number }) => {
  for (let k = 1; ; k++) {
    const due = start + k / perMs;
    if (due > end) break;
    const wait = due + AFTER_MS - now();
    // Atomics.wait sleeps in the kernel with sub-millisecond resolution; nothing ever notifies `cell`.
    if (wait > 0) Atomics.wait(cell, 0, 0, wait);
    parentPort!.postMessage(run);
  }
  parentPort!.postMessage(-run);
});
parentPort!.postMessage('ready');
