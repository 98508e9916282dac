import { join } from 'node:path';
import { CommandClient } from '../engine/bus/command-client.ts';
import { inprocEndpoints, type BusEndpoints } from '../engine/bus/endpoints.ts';
import { EventStream } from '../engine/bus/event-stream.ts';
import { ReplayServer } from '../engine/bus/replay.ts';
import { loadReferenceData } from '../engine/oms/reference.ts';
import { OmsSequencerPolicy } from '../engine/oms/sequencer-policy.ts';
import { startCompactor } from '../engine/store/compaction-thread.ts';
import { systemClock } from '../engine/sequencer/clock.ts';
import { Sequencer } from '../engine/sequencer/sequencer.ts';
import { openReadableLog, openWritableLog, type WritableLog } from '../engine/store/log.ts';
import { sendersListener, type Senders } from './drive.ts';
import { SENDER_ROLES } from './roles.ts';
import { tempFolder, until } from './util.ts';

let count = 0;

/**
 * A sequencer as the host runs it: the OMS policy, a real SQLite log in a
 * temp folder, the replay service, a session open and the four sending roles
 * active. On inproc:// endpoints (one process) or ipc:// ones (components in
 * another process); `synchronous` as `ordo host --sync` (normal survives a
 * process crash, full also power loss).
 */
export interface SequencerHost {
  readonly dbPath: string;
  readonly log: WritableLog;
  readonly sequencer: Sequencer;
  readonly endpoints: BusEndpoints;
  close(): Promise<void>;
}

export async function startSequencerHost(transport: 'inproc' | 'ipc', synchronous: 'normal' | 'full' = 'normal'): Promise<SequencerHost> {
  const folder = tempFolder('seq');
  const dbPath = join(folder.dir, 'ordo.db');
  const log = openWritableLog(dbPath, { synchronous });
  const name = `bench-${process.pid}-${++count}`;
  const endpoints: BusEndpoints =
    transport === 'inproc'
      ? inprocEndpoints(name)
      : {
          commands: `ipc://${join(folder.dir, 'commands')}`,
          events: `ipc://${join(folder.dir, 'events')}`,
          replay: `ipc://${join(folder.dir, 'replay')}`,
          heartbeats: `ipc://${join(folder.dir, 'heartbeats')}`,
          admin: `ipc://${join(folder.dir, 'admin')}`,
        };
  const sequencer = new Sequencer({ log, policy: new OmsSequencerPolicy(loadReferenceData()), clock: systemClock() });
  await sequencer.bind([endpoints.commands], [endpoints.events]);
  const replay = new ReplayServer(openReadableLog(dbPath));
  await replay.bind(endpoints.replay);
  let hostCseq = 0;
  const host = (body: Parameters<Sequencer['request']>[0]['body']) => sequencer.request({ src: 'host', cseq: ++hostCseq, body });
  await host({ type: 'OpenSession' });
  for (const role of SENDER_ROLES) await host({ type: 'ComponentActivated', role, instance: `${role}-1` });
  return {
    dbPath,
    log,
    sequencer,
    endpoints,
    async close() {
      await sequencer.close();
      replay.close();
      log.close();
      folder.dispose();
    },
  };
}

/**
 * The four components and their subscriber wired as `ordo host` wires its in-process components
 * (engine/host/host.ts): each component's commands go through `Sequencer.localPort` straight into the
 * sequencer's inbox (decision 183), and one EventStream with `localFeed` takes every stored frame and head
 * beacon from `onStoredFrames`/`onHeadBeacon` in the flush that stored it (decision 210): no socket on the
 * command or event path. The host's compactor runs beside it as the host starts it (its reads on a thread of its own, its writes on this one).
 * (The projection checkpointer, a process of its own every 250,000 events, is not started: a 10 s run at
 * 10 k/s does not reach its first round.)
 */
/**
 * Whether startLocalSenders starts the host's compactor (bench/latency-tail.ts --no-compactor turns it off to tell its
 * share apart), and on its own thread as the host starts it (decision 274; --compactor-inline: on this thread, as before).
 */
export const localLayout = { compactor: true, compactorThread: true };

export async function startLocalSenders(host: SequencerHost): Promise<Senders & { close(): Promise<void> }> {
  const { sequencer, endpoints } = host;
  const clients = SENDER_ROLES.map((role) => Object.assign(sequencer.localPort(`${role}-1`), { src: `${role}-1` }));
  const stream = new EventStream({ events: endpoints.events, replay: endpoints.replay, localFeed: true });
  const compactor = localLayout.compactor ? startCompactor(host.log, { thread: localLayout.compactorThread }) : undefined;
  const senders: Senders & { close(): Promise<void> } = {
    clients,
    seen: { events: 0 },
    onEvent: undefined,
    onDelivered: undefined,
    async close() {
      sequencer.onStoredFrames(undefined);
      sequencer.onHeadBeacon(undefined);
      compactor?.close();
      for (const c of clients) await c.close();
      stream.close();
    },
  };
  stream.addListener(sendersListener(senders));
  sequencer.onStoredFrames((frame) => stream.offerLocal(frame));
  sequencer.onHeadBeacon((head) => stream.offerLocal(head));
  const at = sequencer.position;
  await stream.start(at.session > 0 ? { session: at.session, seq: at.seq } : undefined);
  await until(() => stream.position.seq > 0, 'subscriber caught up');
  return senders;
}

/** The four components' CommandClients and one EventStream subscriber, in this process. */
export async function startSenders(endpoints: BusEndpoints): Promise<Senders & { close(): Promise<void> }> {
  const clients = SENDER_ROLES.map((role) => new CommandClient(endpoints.commands, `${role}-1`));
  const stream = new EventStream({ events: endpoints.events, replay: endpoints.replay });
  const senders: Senders & { close(): Promise<void> } = {
    clients,
    seen: { events: 0 },
    onEvent: undefined,
    onDelivered: undefined,
    async close() {
      for (const c of clients) await c.close();
      stream.close();
    },
  };
  stream.addListener(sendersListener(senders));
  await stream.start();
  await until(() => stream.position.seq > 0, 'subscriber caught up');
  return senders;
}
