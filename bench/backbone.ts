import { join } from 'node:path';
import { CommandClient } from '../engine/bus/command-client.ts';
import { inprocEndpoints, type BusEndpoints } from '../engine/bus/endpoints.ts';
import { EventStream } from '../engine/bus/event-stream.ts';
import { ReplayServer } from '../engine/bus/replay.ts';
import { loadReferenceData } from '../engine/oms/reference.ts';
import { OmsSequencerPolicy } from '../engine/oms/sequencer-policy.ts';
import type { Sequenced } from '../engine/protocol/events.ts';
import { systemClock } from '../engine/sequencer/clock.ts';
import { Sequencer } from '../engine/sequencer/sequencer.ts';
import { openReadableLog, openWritableLog, type WritableLog } from '../engine/store/log.ts';
import { tempFolder, until } from './util.ts';

/** The four component roles that send commands in the sequencer scenarios. */
export const SENDER_ROLES = ['proxy', 'risk', 'router', 'gateway'] as const;

let count = 0;

/**
 * A sequencer as the host runs it (the OMS policy, a real SQLite file in a
 * temp folder, the replay service), four active components' CommandClients
 * and one EventStream subscriber, all over real ZeroMQ sockets.
 */
export interface Rig {
  readonly dbPath: string;
  readonly log: WritableLog;
  readonly sequencer: Sequencer;
  readonly endpoints: BusEndpoints;
  readonly clients: CommandClient[];
  readonly stream: EventStream;
  /** Events delivered to the subscriber. */
  readonly seen: { events: number };
  /** Set to observe every delivered event (latency). */
  onEvent: ((session: number, e: Sequenced) => void) | undefined;
  /** Set to be told after each delivered frame (flow control). */
  onDelivered: (() => void) | undefined;
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const folder = tempFolder('seq');
  const dbPath = join(folder.dir, 'ordo.db');
  const log = openWritableLog(dbPath);
  const endpoints = inprocEndpoints(`bench-${process.pid}-${++count}`);
  const sequencer = new Sequencer({ log, policy: new OmsSequencerPolicy(loadReferenceData()), clock: systemClock() });
  await sequencer.bind([endpoints.commands], [endpoints.events]);
  const replay = new ReplayServer(openReadableLog(dbPath));
  await replay.bind(endpoints.replay);

  let hostCseq = 0;
  const host = (body: Parameters<Sequencer['request']>[0]['body']) => sequencer.request({ src: 'host', cseq: ++hostCseq, body });
  await host({ type: 'OpenSession' });
  const clients: CommandClient[] = [];
  for (const role of SENDER_ROLES) {
    await host({ type: 'ComponentActivated', role, instance: `${role}-1` });
    clients.push(new CommandClient(endpoints.commands, `${role}-1`));
  }

  const stream = new EventStream({ events: endpoints.events, replay: endpoints.replay });
  const seen = { events: 0 };
  const rig: Rig = {
    dbPath,
    log,
    sequencer,
    endpoints,
    clients,
    stream,
    seen,
    onEvent: undefined,
    onDelivered: undefined,
    async close() {
      for (const c of clients) await c.close();
      stream.close();
      await sequencer.close();
      replay.close();
      log.close();
      folder.dispose();
    },
  };
  stream.addListener({
    onEvents(session, events) {
      seen.events += events.length;
      const on = rig.onEvent;
      if (on !== undefined) for (const e of events) on(session, e);
      rig.onDelivered?.();
    },
  });
  await stream.start();
  await until(() => stream.position.seq === sequencer.position.seq, 'subscriber caught up');
  return rig;
}
