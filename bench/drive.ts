import * as hdr from 'hdr-histogram-js';
import type { CommandClient } from '../engine/bus/command-client.ts';
import type { CommandBody, Sequenced } from '../engine/protocol/events.ts';
import { commandFor } from './commands.ts';
import { collectGarbage, sleep, until } from './util.ts';

/** Four components' command clients and what their subscriber has received. */
export interface Senders {
  readonly clients: readonly CommandClient[];
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
 * Sustained throughput: the four components keep `window` commands in flight
 * (sent, not yet seen by the subscriber), `batch` per message, round robin;
 * timed from the first send until the subscriber has received `total` events.
 * Runs `warmup` events first, untimed.
 */
export async function driveThroughput(s: Senders, opts: { total: number; warmup: number; batch: number; window: number }): Promise<ThroughputResult> {
  const next = s.clients.map(() => 1);
  const send = (client: number, n: number): void => {
    const batch: { cseq: number; body: CommandBody }[] = new Array(n);
    let k = next[client]!;
    for (let i = 0; i < n; i++, k++) batch[i] = { cseq: k, body: commandFor(client, k) };
    next[client] = k;
    s.clients[client]!.send(batch);
  };
  const run = async (total: number): Promise<number> => {
    const base = s.seen.events;
    let sent = 0;
    let client = 0;
    const refill = () => {
      while (sent < total && sent - (s.seen.events - base) + opts.batch <= opts.window) {
        const n = Math.min(opts.batch, total - sent);
        send(client, n);
        client = (client + 1) % s.clients.length;
        sent += n;
      }
    };
    const t0 = performance.now();
    s.onDelivered = refill;
    refill();
    await until(() => s.seen.events - base >= total, `sequenced events (${s.seen.events - base} of ${total})`, 120_000);
    s.onDelivered = undefined;
    return (performance.now() - t0) / 1000;
  };
  await run(opts.warmup);
  collectGarbage();
  const seconds = await run(opts.total);
  return { events: opts.total, seconds, eps: opts.total / seconds };
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
}

/**
 * Latency at a steady offered load, free of coordinated omission: command j
 * of a run is DUE at start + j / rate. Every millisecond (a timer) the four
 * components send the commands due by then, round robin, one message each;
 * a command's latency runs from its due time (not from when the late timer
 * got round to sending it) to its event reaching the subscriber, so a stall
 * anywhere (timer, GC, the sequencer) counts against every command that fell
 * due during it. Commands due during the warm-up are not recorded.
 */
export async function driveLatency(s: Senders, opts: { ratePerSec: number; seconds: number; warmupSeconds: number }): Promise<LatencyResult> {
  const clients = s.clients.length;
  const capacity = Math.ceil((opts.ratePerSec * (opts.seconds + opts.warmupSeconds + 2)) / clients) + 16;
  const sentAt: Float64Array[] = s.clients.map(() => new Float64Array(capacity));
  const srcIndex = new Map(s.clients.map((c, i) => [c.src, i]));
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let recording = false;
  let delivered = 0;
  let lastReceived = 0;
  s.onEvent = (_session, e) => {
    const i = srcIndex.get(e.src);
    if (i === undefined) return;
    delivered++;
    const t = sentAt[i]![e.cseq]!;
    if (t === 0) return; // sent during warm-up
    lastReceived = performance.now();
    histogram.recordValue(Math.max(1, Math.round((lastReceived - t) * 1000)));
  };
  const next = s.clients.map(() => 1);
  let sent = 0;
  let client = 0;
  const run = async (seconds: number) => {
    const start = performance.now();
    const startSent = sent;
    const end = start + seconds * 1000;
    for (;;) {
      const now = performance.now();
      if (now >= end) break;
      const due = Math.floor(((now - start) / 1000) * opts.ratePerSec) - (sent - startSent);
      if (due > 0) {
        // Round robin over the components, one message each.
        const perClient: { cseq: number; body: CommandBody }[][] = [];
        for (let c = 0; c < clients; c++) perClient.push([]);
        const index0 = sent - startSent;
        for (let n = 0; n < due; n++) {
          const k = next[client]!++;
          perClient[client]!.push({ cseq: k, body: commandFor(client, k) });
          // Command number index0 + n of this run fell due at start + (index0 + n + 1) / rate.
          if (recording) sentAt[client]![k] = start + ((index0 + n + 1) * 1000) / opts.ratePerSec;
          client = (client + 1) % clients;
        }
        for (let c = 0; c < clients; c++) {
          const batch = perClient[c]!;
          if (batch.length === 0) continue;
          s.clients[c]!.send(batch);
        }
      }
      sent += Math.max(0, due);
      await sleep(1);
    }
    return { sent: sent - startSent, seconds: (performance.now() - start) / 1000 };
  };
  try {
    await run(opts.warmupSeconds);
    await until(() => delivered === sent, 'warm-up events', 10_000);
    collectGarbage();
    recording = true;
    const start = performance.now();
    const { sent: offered, seconds } = await run(opts.seconds);
    await until(() => delivered === sent, 'last events', 10_000);
    recording = false;
    return {
      offeredPerSec: offered / seconds,
      achievedPerSec: histogram.totalCount / ((lastReceived - start) / 1000),
      samples: histogram.totalCount,
      p50us: histogram.getValueAtPercentile(50),
      p99us: histogram.getValueAtPercentile(99),
      p999us: histogram.getValueAtPercentile(99.9),
      maxUs: histogram.maxValue,
      method: 'due',
    };
  } finally {
    s.onEvent = undefined;
  }
}
