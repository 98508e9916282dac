/**
 * The names of an order's hops, shared by the host-side tracer (bench/host-probe.ts, preloaded into the host)
 * and the load generator (bench/ack.ts), which must not load the tracer itself.
 */

/**
 * The hops of one order inside the host, in the order it passes them (bench/ack.ts prints the gaps):
 * arrive: the HTTP request's head parsed ('request' event); submit: the body read and the proxy sends the
 * command (runtime.send); outbox: the runtime hands its batch to the DEALER's queue (setImmediate);
 * enqueue: the sequencer took the batch off its ROUTER; flush: the sequencer's flush starts (setImmediate);
 * stored: the batch is committed (the log's transaction returned); received: the in-process stream hands
 * its frame to the fan-out (over PUB → SUB, or in the flush itself with decision 183);
 * end: the HTTP answer is written (res.end).
 */
export const HOPS = ['arrive', 'submit', 'outbox', 'enqueue', 'flush', 'stored', 'received', 'end'] as const;
export type Hop = (typeof HOPS)[number];

/** The header the load generator names each traced order by (its clientOrderId). */
export const TRACE_HEADER = 'x-ordo-trace';

/** CLOCK_MONOTONIC in ms: the same clock in every process of the machine (unlike performance.now()). */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
