import * as hdr from 'hdr-histogram-js';
import type { CommandBody } from '../engine/protocol/events.ts';
import { startRig, type Rig } from './backbone.ts';
import { commandFor } from './commands.ts';
import { collectGarbage, sleep, until } from './util.ts';

export interface ThroughputResult {
  readonly events: number;
  readonly seconds: number;
  readonly eps: number;
  readonly frames: number;
  readonly batchesCommitted: number;
}

/** Per client: the next command number, which is also the order the command is about. */
function makeSender(rig: Rig) {
  const next = rig.clients.map(() => 1);
  return (client: number, n: number): void => {
    const batch: { cseq: number; body: CommandBody }[] = new Array(n);
    let k = next[client]!;
    for (let i = 0; i < n; i++, k++) batch[i] = { cseq: k, body: commandFor(client, k) };
    next[client] = k;
    rig.clients[client]!.send(batch);
  };
}

/**
 * Sustained throughput: the four components keep `window` commands in flight
 * (sent, not yet seen by the subscriber), `batch` per message, round robin;
 * timed from the first send until the subscriber has received `total` events.
 */
async function drive(rig: Rig, send: (client: number, n: number) => void, total: number, batch: number, window: number): Promise<{ seconds: number }> {
  const base = rig.seen.events;
  let sent = 0;
  let client = 0;
  const refill = () => {
    while (sent < total && sent - (rig.seen.events - base) + batch <= window) {
      const n = Math.min(batch, total - sent);
      send(client, n);
      client = (client + 1) % rig.clients.length;
      sent += n;
    }
  };
  const t0 = performance.now();
  rig.onDelivered = refill;
  refill();
  await until(() => rig.seen.events - base >= total, `sequenced events (${rig.seen.events - base} of ${total}, sent ${sent}, ${JSON.stringify(rig.sequencer.stats)})`, 20_000);
  const seconds = (performance.now() - t0) / 1000;
  rig.onDelivered = undefined;
  return { seconds };
}

export async function sequencerThroughput(opts: { total: number; warmup: number; batch: number; window: number }): Promise<ThroughputResult> {
  const rig = await startRig();
  try {
    const send = makeSender(rig);
    await drive(rig, send, opts.warmup, opts.batch, opts.window);
    collectGarbage();
    const before = { ...rig.sequencer.stats };
    const { seconds } = await drive(rig, send, opts.total, opts.batch, opts.window);
    const stats = rig.sequencer.stats;
    return {
      events: opts.total,
      seconds,
      eps: opts.total / seconds,
      frames: stats.frames - before.frames,
      batchesCommitted: stats.batches - before.batches,
    };
  } finally {
    await rig.close();
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
}

/**
 * Latency at a steady offered load: every millisecond (a timer), the four
 * components send the commands that are due by then, round robin; each
 * command's latency is from its send to its event reaching the subscriber.
 */
export async function sequencerLatency(opts: { ratePerSec: number; seconds: number; warmupSeconds: number }): Promise<LatencyResult> {
  const rig = await startRig();
  const clients = rig.clients.length;
  const sentAt: Float64Array[] = rig.clients.map(() => new Float64Array(Math.ceil((opts.ratePerSec * (opts.seconds + opts.warmupSeconds + 2)) / clients) + 16));
  const srcIndex = new Map(rig.clients.map((c, i) => [c.src, i]));
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let recording = false;
  let delivered = 0;
  let lastReceived = 0;
  rig.onEvent = (_session, e) => {
    const i = srcIndex.get(e.src);
    if (i === undefined) return;
    delivered++;
    const t = sentAt[i]![e.cseq]!;
    if (t === 0) return; // sent during warm-up
    lastReceived = performance.now();
    histogram.recordValue(Math.max(1, Math.round((lastReceived - t) * 1000)));
  };
  const next = rig.clients.map(() => 1);
  try {
    let sent = 0;
    let client = 0;
    const run = async (seconds: number) => {
      const start = performance.now();
      const startSent = sent;
      const end = start + seconds * 1000;
      const perClient: { cseq: number; body: CommandBody }[][] = rig.clients.map(() => []);
      for (;;) {
        const now = performance.now();
        if (now >= end) break;
        const due = Math.floor(((now - start) / 1000) * opts.ratePerSec) - (sent - startSent);
        for (let n = 0; n < due; n++) {
          const k = next[client]!++;
          perClient[client]!.push({ cseq: k, body: commandFor(client, k) });
          client = (client + 1) % clients;
        }
        for (let c = 0; c < clients; c++) {
          const batch = perClient[c]!;
          if (batch.length === 0) continue;
          if (recording) {
            const t = performance.now();
            for (const cmd of batch) sentAt[c]![cmd.cseq] = t;
          }
          rig.clients[c]!.send(batch);
          perClient[c] = [];
        }
        sent += Math.max(0, due);
        await sleep(1);
      }
      return { sent: sent - startSent, seconds: (performance.now() - start) / 1000 };
    };
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
    };
  } finally {
    rig.onEvent = undefined;
    await rig.close();
  }
}
