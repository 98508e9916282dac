import * as hdr from 'hdr-histogram-js';
import type { CommandPort } from '../engine/bus/command-client.ts';
import type { CommandBody, Sequenced } from '../engine/protocol/events.ts';
import { OrderPipeline } from './pipeline.ts';
import { Worker } from 'node:worker_threads';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { collectGarbage, until } from './util.ts';
import { clockOffsetMs, type ProcessProbe, type ProcessTrace } from './latency-process-probe.ts';

/** The 'wake' sender's timer thread (compiled beside this file), and what it posts. */
const WAKER = new URL('./due-waker.js', import.meta.url);
/** The run a wake-up is for: `run` when an order falls due, `-run` when the run's time is up. */
type Wake = number;

/** Four components' command clients and what their subscriber has received. */
export interface Senders {
  readonly clients: readonly (CommandPort & { readonly src: string })[];
  /** Events delivered to the subscriber. */
  readonly seen: { events: number };
  /** Set to observe every delivered event. */
  onEvent: ((session: number, e: Sequenced) => void) | undefined;
  /** Set to be told after each delivered frame. */
  onDelivered: (() => void) | undefined;
}

/** The subscriber's listener that counts deliveries into `s` and forwards them. */
export function sendersListener(s: Senders): { onEvents(session: number, events: readonly Sequenced[]): void } {
  return {
    onEvents(session, events) {
      s.seen.events += events.length;
      const on = s.onEvent;
      if (on !== undefined) for (const e of events) on(session, e);
      s.onDelivered?.();
    },
  };
}

export interface ThroughputResult {
  readonly events: number;
  readonly seconds: number;
  readonly eps: number;
}

/**
 * Sustained throughput: the proxy keeps up to `window` commands in flight
 * (sent, not yet seen by the subscriber) by entering new orders, `batch` per
 * message; the other three components react to each delivered frame with one
 * message each (see OrderPipeline). Timed from the first send until the
 * subscriber has received `total` events (rounded up to whole orders of four
 * events). Runs `warmup` events first, untimed.
 */
export async function driveThroughput(s: Senders, opts: { total: number; warmup: number; batch: number; window: number }): Promise<ThroughputResult> {
  const pipe = new OrderPipeline(s.clients.length);
  s.onEvent = (_session, e) => pipe.react(e.event);
  const send = (role: number, ids: readonly number[]): void => {
    for (let i = 0; i < ids.length; i += opts.batch) {
      s.clients[role]!.send(ids.slice(i, i + opts.batch).map((id) => pipe.command(role, id)));
    }
  };
  const run = async (total: number): Promise<{ events: number; seconds: number }> => {
    const orders = Math.ceil(total / 4);
    const events = orders * 4;
    const base = s.seen.events;
    let entered = 0;
    let sent = 0;
    const refill = () => {
      for (let role = 1; role < s.clients.length; role++) {
        const { ids } = pipe.take(role);
        if (ids.length > 0) send(role, ids);
        sent += ids.length;
      }
      while (entered < orders && sent - (s.seen.events - base) + opts.batch <= opts.window) {
        const n = Math.min(opts.batch, orders - entered);
        const ids = new Array<number>(n);
        for (let i = 0; i < n; i++) ids[i] = pipe.newOrder();
        send(0, ids);
        entered += n;
        sent += n;
      }
    };
    const t0 = performance.now();
    s.onDelivered = refill;
    refill();
    await until(() => s.seen.events - base >= events, () => `sequenced events (${s.seen.events - base} of ${events})`, 120_000);
    s.onDelivered = undefined;
    return { events, seconds: (performance.now() - t0) / 1000 };
  };
  try {
    await run(opts.warmup);
    collectGarbage();
    const { events, seconds } = await run(opts.total);
    return { events, seconds, eps: events / seconds };
  } finally {
    s.onEvent = undefined;
  }
}

export interface LatencyResult {
  readonly offeredPerSec: number;
  readonly achievedPerSec: number;
  readonly samples: number;
  readonly p50us: number;
  readonly p99us: number;
  readonly p999us: number;
  readonly maxUs: number;
  /** Always 'due': latency runs from each command's due time (see driveLatency). */
  readonly method: 'due';
  /** With LatencyOptions.trace: every measured command's hops (bench/latency-tail.ts). */
  readonly trace?: LatencyTrace;
}

/**
 * Per measured command, side by side (index i is one command): its role, cseq, the seq of its event, and
 * absolute times in ms (performance.timeOrigin + performance.now(): comparable across processes) when it fell
 * due, was handed to its CommandClient, and its event reached the subscriber. Plus this process's GC pauses
 * during the measured run (start, duration, kind as perf_hooks numbers it).
 */
export interface LatencyTrace {
  readonly role: number[];
  readonly cseq: number[];
  readonly seq: number[];
  readonly due: number[];
  readonly sent: number[];
  readonly received: number[];
  readonly gc: { start: number; ms: number; kind: number }[];
  /** Messages sent (CommandPort.send calls) over the measured run. */
  readonly sends?: number;
  /** What to add to the times above to put them on CLOCK_MONOTONIC (bench/latency-process-probe.ts monoMs). */
  readonly clockOffsetMs?: number;
  /** With LatencyOptions.probe: this process's threads, GC and loop gaps over the measured run (monotonic ms). */
  readonly probe?: ProcessTrace;
}

export interface LatencyOptions {
  readonly ratePerSec: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /**
   * How new orders go out. 'tick' (default): those due so far, every 1 ms
   * timer. An order due just after a tick waits for the next one, which puts
   * the p99 of all commands at ~1.1 ms above the product's own latency (new
   * orders are a quarter of them; docs/performance.md, round 4). 'due': the
   * loop yields with setImmediate instead, so each order goes out at the
   * first turn of the event loop after it falls due; it keeps this thread
   * busy (a core) while it runs. 'wake': a timer thread (bench/due-waker.ts)
   * sleeps until each order's due time and wakes this thread with a message:
   * orders go out at their due time plus one wake-up, with this thread idle
   * in between (round 6, decision 192).
   */
  readonly send?: 'tick' | 'due' | 'wake';
  /** Keep every measured command's times (LatencyResult.trace). Costs a few stores per command. */
  readonly trace?: boolean;
  /**
   * When the components' reactions go out: 'frame' (default, the bench's method) one message per component after
   * each delivered frame; 'turn' after the turn of the event loop that delivered them (bench/latency-hops.ts --reactions turn).
   */
  readonly reactions?: 'frame' | 'turn';
  /** Started when the measured run starts and stopped when its last event is in; its result goes in the trace. */
  readonly probe?: ProcessProbe;
}

/**
 * Latency at a steady offered load, free of coordinated omission. New orders
 * are DUE on a schedule: order j of a run at start + j / (rate / 4), so that
 * with the three reactions (see OrderPipeline) the components offer `rate`
 * commands/s in all. A reaction is due when the event it reacts to reached
 * the subscriber. The proxy sends the orders due by then, in one message, at
 * each wake-up of its sender (`opts.send`: every 1 ms timer tick, every loop
 * turn, or at each due time from a timer thread); reactions go out after
 * each delivered frame, one message per component. A command's latency runs from its due time (not from
 * when a late timer got round to sending it) to its event reaching the
 * subscriber, so a stall anywhere (timer, GC, the sequencer) counts against
 * every command that fell due during it. Commands due during the warm-up are
 * not recorded.
 */
export async function driveLatency(s: Senders, opts: LatencyOptions): Promise<LatencyResult> {
  const roles = s.clients.length;
  const pipe = new OrderPipeline(roles);
  const orderRate = opts.ratePerSec / roles;
  const capacity = Math.ceil(orderRate * (opts.seconds + opts.warmupSeconds + 2)) + 16;
  const dueAt: Float64Array[] = s.clients.map(() => new Float64Array(capacity));
  const tracing = opts.trace === true;
  const sentAt: Float64Array[] = s.clients.map(() => new Float64Array(tracing ? capacity : 0));
  const receivedAt: Float64Array[] = s.clients.map(() => new Float64Array(tracing ? capacity : 0));
  const seqOf: Float64Array[] = s.clients.map(() => new Float64Array(tracing ? capacity : 0));
  const gcPauses: { start: number; ms: number; kind: number }[] = [];
  const gcObserver = tracing
    ? new PerformanceObserver((list) => {
        if (!recording) return;
        for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
          gcPauses.push({ start: performance.timeOrigin + e.startTime, ms: e.duration, kind: e.detail?.kind ?? 0 });
        }
      })
    : undefined;
  gcObserver?.observe({ entryTypes: ['gc'] });
  const srcIndex = new Map(s.clients.map((c, i) => [c.src, i]));
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let recording = false;
  let sends = 0;
  let delivered = 0;
  let sent = 0;
  let lastReceived = 0;
  s.onEvent = (_session, e) => {
    const i = srcIndex.get(e.src);
    if (i === undefined) return;
    delivered++;
    const now = performance.now();
    pipe.react(e.event, now);
    const t = dueAt[i]![e.cseq]!;
    if (t === 0) return; // fell due during the warm-up
    lastReceived = now;
    if (tracing) {
      receivedAt[i]![e.cseq] = now;
      seqOf[i]![e.cseq] = e.seq;
    }
    histogram.recordValue(Math.max(1, Math.round((now - t) * 1000)));
  };
  const sendReactions = () => {
    const now = tracing ? performance.now() : 0;
    for (let role = 1; role < roles; role++) {
      const { ids, due } = pipe.take(role);
      if (ids.length === 0) continue;
      const batch = ids.map((id, j) => {
        const c = pipe.command(role, id);
        if (recording) {
          dueAt[role]![c.cseq] = due[j]!;
          if (tracing) sentAt[role]![c.cseq] = now;
        }
        return c;
      });
      s.clients[role]!.send(batch);
      if (recording) sends++;
      sent += batch.length;
    }
  };
  // 'turn': the reactions to every frame delivered in one turn of the event loop go out together after it (as the
  // component runtime batches a turn's commands), one message per component a turn instead of one a frame.
  let reactionsScheduled = false;
  const sendReactionsAfterTurn = (): void => {
    reactionsScheduled = false;
    sendReactions();
  };
  s.onDelivered =
    opts.reactions === 'turn'
      ? () => {
          if (reactionsScheduled) return;
          reactionsScheduled = true;
          setImmediate(sendReactionsAfterTurn);
        }
      : sendReactions;
  let entered = 0;
  // The 'wake' sender's timer thread (made below, before the warm-up) and the current run's handler of its wake-ups.
  let wakerRun = 0;
  let onWake: ((m: Wake) => void) | undefined;
  // New orders due so far, in one message. Allocates only the batch: the 'due' loop runs it on every turn.
  const sendDue = (start: number, startEntered: number, now: number): void => {
    const due = Math.floor(((now - start) / 1000) * orderRate) - (entered - startEntered);
    if (due <= 0) return;
    const index0 = entered - startEntered;
    const batch = new Array<{ cseq: number; body: CommandBody }>(due);
    for (let n = 0; n < due; n++) {
      batch[n] = pipe.command(0, pipe.newOrder());
      // Order number index0 + n of this run fell due at start + (index0 + n + 1) / orderRate.
      if (recording) {
        dueAt[0]![batch[n]!.cseq] = start + ((index0 + n + 1) * 1000) / orderRate;
        if (tracing) sentAt[0]![batch[n]!.cseq] = now;
      }
    }
    s.clients[0]!.send(batch);
    if (recording) sends++;
    entered += due;
    sent += due;
  };
  // A callback loop, not `await` per turn: a promise and its reaction per turn made the spinning 'due' sender
  // allocate more than the sequencer (round 4: 28 scavenges in 5 s against 11).
  const run = (seconds: number): Promise<{ seconds: number }> =>
    new Promise((resolve) => {
      const start = performance.now();
      const startEntered = entered;
      const end = start + seconds * 1000;
      if (waker !== undefined) {
        const run = ++wakerRun;
        onWake = (m) => {
          if (m !== run && m !== -run) return; // a late wake-up of an earlier run
          const now = performance.now();
          if (m === -run || now >= end) {
            onWake = undefined;
            resolve({ seconds: (now - start) / 1000 });
            return;
          }
          sendDue(start, startEntered, now);
        };
        const origin = performance.timeOrigin;
        waker.postMessage({ run, start: origin + start, perMs: orderRate / 1000, end: origin + end });
        return;
      }
      const step = (): void => {
        const now = performance.now();
        if (now >= end) {
          resolve({ seconds: (now - start) / 1000 });
          return;
        }
        sendDue(start, startEntered, now);
        if (opts.send === 'due') setImmediate(step);
        else setTimeout(step, 1);
      };
      step();
    });
  const settled = () => pipe.idle && delivered === sent;
  let waker: Worker | undefined;
  if (opts.send === 'wake') {
    const w = new Worker(WAKER);
    await new Promise<void>((ready, failed) => {
      w.once('message', () => ready());
      w.once('error', failed);
    });
    w.on('message', (m: Wake) => onWake?.(m));
    w.on('error', (err) => {
      throw err;
    });
    waker = w;
  }
  try {
    await run(opts.warmupSeconds);
    await until(settled, 'warm-up events', 10_000);
    collectGarbage();
    recording = true;
    opts.probe?.start();
    const start = performance.now();
    const sentBefore = sent;
    const { seconds } = await run(opts.seconds);
    await until(settled, 'last events', 10_000);
    recording = false;
    const probed = opts.probe?.stop();
    let trace: LatencyTrace | undefined;
    if (tracing) {
      const t: LatencyTrace = { role: [], cseq: [], seq: [], due: [], sent: [], received: [], gc: gcPauses, sends, clockOffsetMs: clockOffsetMs(), ...(probed ? { probe: probed } : {}) };
      const origin = performance.timeOrigin;
      for (let role = 0; role < roles; role++) {
        for (let c = 0; c < capacity; c++) {
          if (dueAt[role]![c] === 0 || receivedAt[role]![c] === 0) continue;
          t.role.push(role);
          t.cseq.push(c);
          t.seq.push(seqOf[role]![c]!);
          t.due.push(origin + dueAt[role]![c]!);
          t.sent.push(origin + sentAt[role]![c]!);
          t.received.push(origin + receivedAt[role]![c]!);
        }
      }
      trace = t;
    }
    return {
      offeredPerSec: (sent - sentBefore) / seconds,
      achievedPerSec: histogram.totalCount / ((lastReceived - start) / 1000),
      samples: histogram.totalCount,
      p50us: histogram.getValueAtPercentile(50),
      p99us: histogram.getValueAtPercentile(99),
      p999us: histogram.getValueAtPercentile(99.9),
      maxUs: histogram.maxValue,
      method: 'due',
      ...(trace ? { trace } : {}),
    };
  } finally {
    gcObserver?.disconnect();
    s.onEvent = undefined;
    s.onDelivered = undefined;
    await waker?.terminate();
  }
}
