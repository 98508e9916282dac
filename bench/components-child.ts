/**
 * The component process of the two-process sequencer scenarios: four
 * CommandClients and one EventStream subscriber, connected to a sequencer in
 * another process (the parent) over ipc:// ZeroMQ sockets, as `ordo
 * component` processes connect to a host. Prints one JSON line.
 *
 *   node dist/bench/components-child.js <endpoints-json> throughput <total> <warmup> <batch> <window>
 *   node dist/bench/components-child.js <endpoints-json> latency <rate> <seconds> <warmup-seconds> [tick|due|wake] [trace] [probe|probe-gaps] [frame|turn]
 *
 * frame|turn: when reactions go out (LatencyOptions.reactions). probe / probe-gaps: this process's threads, GC (and loop gaps) over the measured run in the trace (bench/latency-hops.ts).
 */
import type { BusEndpoints } from '../engine/bus/endpoints.ts';
import { CommandClient } from '../engine/bus/command-client.ts';
import { EventStream } from '../engine/bus/event-stream.ts';
import { shortenSchedulerSlice, sliceFromEnv } from '../engine/host/sched-slice.ts';
import { driveLatency, driveThroughput, sendersListener, type Senders } from './drive.ts';
import { SENDER_ROLES } from './roles.ts';
import { runMain } from './util.ts';
import { processProbe } from './latency-process-probe.ts';

async function main(): Promise<void> {
  const [endpointsJson, mode, ...rest] = process.argv.slice(2);
  // As `ordo component` runs once caught up (decision 283).
  shortenSchedulerSlice(sliceFromEnv());
  const endpoints = JSON.parse(endpointsJson!) as BusEndpoints;
  const clients = SENDER_ROLES.map((role) => new CommandClient(endpoints.commands, `${role}-1`));
  const stream = new EventStream({ events: endpoints.events, replay: endpoints.replay });
  const senders: Senders = {
    clients,
    seen: { events: 0 },
    onEvent: undefined,
    onDelivered: undefined,
  };
  stream.addListener(sendersListener(senders));
  await stream.start();
  const n = rest.map(Number);
  const result = mode === 'throughput'
    ? await driveThroughput(senders, { total: n[0]!, warmup: n[1]!, batch: n[2]!, window: n[3]! })
    : await driveLatency(senders, { ratePerSec: n[0]!, seconds: n[1]!, warmupSeconds: n[2]!, send: rest[3] === 'due' || rest[3] === 'wake' ? rest[3] : 'tick', trace: rest[4] === 'trace', ...(rest[5]?.startsWith('probe') ? { probe: processProbe({ gaps: rest[5] === 'probe-gaps' }) } : {}), ...(rest[6] === 'turn' ? { reactions: 'turn' as const } : {}) });
  for (const c of clients) await c.close();
  stream.close();
  // Wait for the pipe to take it all: runMain exits at once, and a traced result is megabytes.
  await new Promise<void>((done) => process.stdout.write(JSON.stringify(result) + '\n', () => done()));
}

runMain(main);
