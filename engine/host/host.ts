import { Publisher } from 'zeromq';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inprocEndpoints, tcpEndpoints, type BusEndpoints } from '../bus/endpoints.ts';
import { EventStream } from '../bus/event-stream.ts';
import { ReplayServer } from '../bus/replay.ts';
import { authorizedKeys, bindAll, BusSecurity, ensureBusKeys, registerZapDomain } from '../bus/security.ts';
import { SendQueue } from '../bus/send-queue.ts';
import { ComponentRuntime } from '../component/runtime.ts';
import type { ComponentLogic } from '../component/logic.ts';
import { UserError } from '../errors.ts';
import { ClientProxyComponent } from '../oms/components/client-proxy.ts';
import { GatewayComponent } from '../oms/components/gateway.ts';
import { MonitorComponent } from '../oms/components/monitor.ts';
import { RiskComponent } from '../oms/components/risk.ts';
import { RouterComponent } from '../oms/components/router.ts';
import { loadReferenceData, type ReferenceData } from '../oms/reference.ts';
import { OmsSequencerPolicy } from '../oms/sequencer-policy.ts';
import { systemClock } from '../sequencer/clock.ts';
import { Sequencer } from '../sequencer/sequencer.ts';
import { openReadableLog, openWritableLog, type ReadableLog, type WritableLog } from '../store/log.ts';
import { MarketDataSubscriber } from '../venue/client.ts';
import { startVenue, type Venue } from '../venue/venue.ts';
import { writeApiPort } from './api-port-file.ts';
import { ensureDataDir, loadOrCreateToken, makePrivateFile } from './data-dir.ts';
import { HeartbeatCollector } from './heartbeat-collector.ts';
import { HostApi } from './host-api.ts';
import { startApiServer, type ApiServer } from './http/server.ts';
import { LiveView } from './live-view.ts';
import { ProjectionFanOut } from './projection-fan-out.ts';
import { log } from '../log.ts';

export interface HostOptions {
  readonly dataDir: string;
  /** HTTP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Reference data file; default: the one shipped. */
  readonly reference?: string;
  /** First of five TCP ports for components in other processes; none by default. */
  readonly busPort?: number;
  /** Seed of the simulated market. */
  readonly seed?: number;
  /** Market maker step (ms); 0: only when stepped. */
  readonly venueTickMs?: number;
  readonly heartbeatMs?: number;
  readonly staleMs?: number;
  /** Open a first session on an empty log, so a new install can trade at once. */
  readonly autoOpen?: boolean;
  /** Roles this host runs instances of; default all. */
  readonly roles?: readonly string[];
  /** Directory of the built UI; default dist/renderer. */
  readonly staticDir?: string;
  readonly synchronous?: 'normal' | 'full';
  /**
   * Fault-injection hook for tests: sees the writable log once it is open
   * (e.g. to set PRAGMA max_page_count or query_only and so simulate a full
   * disk or a read-only log). Never set in production.
   */
  readonly onLogOpened?: (log: WritableLog) => void;
}

export interface Host {
  readonly url: string;
  readonly token: string;
  readonly port: number;
  readonly api: HostApi;
  readonly endpoints: BusEndpoints;
  readonly tcp: BusEndpoints | undefined;
  readonly sequencer: Sequencer;
  readonly venue: Venue;
  readonly runtimes: readonly ComponentRuntime[];
  readonly view: LiveView;
  close(): Promise<void>;
}

let hostCount = 0;

/** With --bus-port P, the venue listens on P+5 (orders) and P+6 (market data). */
export const VENUE_PORT_OFFSET = 5;

/** The built renderer next to this module (dist/engine/host → dist/renderer). */
function defaultStaticDir(): string {
  return fileURLToPath(new URL('../../renderer/', import.meta.url));
}

/** Every role the host runs by default, in start order. */
export const DEFAULT_ROLES = ['proxy', 'risk', 'router', 'gateway', 'monitor'] as const;

/**
 * Starts a whole Ordo engine in this process: event log, sequencer, replay
 * service, simulated venue, the OMS components over real ZeroMQ sockets, and
 * the API server. Resolves once it can take work.
 */
export async function startHost(opts: HostOptions): Promise<Host> {
  const paths = ensureDataDir(opts.dataDir);
  const token = loadOrCreateToken(paths);
  const keys = ensureBusKeys(paths.keys);
  makePrivateFile(paths.db);
  let reference: ReferenceData;
  try {
    reference = loadReferenceData(opts.reference);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const log: WritableLog = openWritableLog(paths.db, { synchronous: opts.synchronous ?? 'normal' });
  const cleanup: (() => unknown)[] = [() => log.close()];
  opts.onLogOpened?.(log);
  try {
    const problems = log.verify();
    if (problems.length > 0) {
      const p = problems[0]!;
      throw new UserError(
        `corrupted frame in session ${p.session}, seq ${p.firstSeq}-${p.lastSeq}: ${p.detail}; refusing to start (run 'ordo repair --data-dir ${opts.dataDir} --truncate-after-corruption' to cut the log back to the last good frame)`,
      );
    }
    const name = `ordo-${process.pid}-${++hostCount}`;
    const endpoints = inprocEndpoints(name);
    const tcp = opts.busPort !== undefined ? tcpEndpoints('127.0.0.1', opts.busPort) : undefined;
    const both = (k: keyof BusEndpoints) => (tcp ? [endpoints[k], tcp[k]] : [endpoints[k]]);
    const venueTcp = tcp ? [`tcp://127.0.0.1:${opts.busPort! + VENUE_PORT_OFFSET}`, `tcp://127.0.0.1:${opts.busPort! + VENUE_PORT_OFFSET + 1}`] : [];
    // This host's bus keys, handed to every socket owner below (decision 063).
    const security = new BusSecurity();
    if (tcp) {
      // Every tcp socket is a CURVE server; only keys on the install's allow list get in (decision 050).
      const zapDomain = name;
      cleanup.push(await registerZapDomain(zapDomain, (key) => authorizedKeys(paths.keys).has(key)));
      cleanup.push(security.secureServerEndpoints([...Object.values(tcp), ...venueTcp], { secretKey: keys.server.secretKey, zapDomain }));
      // This host's own gateway and market data subscriber reach the venue over tcp too.
      cleanup.push(security.secureClientEndpoints(venueTcp, { serverPublicKey: keys.server.publicKey, ...keys.component }));
    }

    const view = new LiveView();
    const sequencer = new Sequencer({ log, policy: new OmsSequencerPolicy(reference), clock: systemClock(), security });
    await bindOrExplain(() => sequencer.bind(both('commands'), both('events')), opts.busPort);
    cleanup.push(() => sequencer.close());
    const readLog: ReadableLog = openReadableLog(paths.db);
    cleanup.push(() => readLog.close());
    const replay = new ReplayServer(openReadableLog(paths.db), security);
    await bindOrExplain(() => replay.bind(...both('replay')), opts.busPort);
    cleanup.push(() => replay.close());
    const heartbeats = new HeartbeatCollector(security);
    await bindOrExplain(() => heartbeats.bind(...both('heartbeats')), opts.busPort);
    cleanup.push(() => heartbeats.close());
    const adminPub = new Publisher({ linger: 0 });
    await bindOrExplain(() => bindAll(adminPub, both('admin'), security), opts.busPort);
    const admin = new SendQueue(adminPub);
    cleanup.push(() => adminPub.close());

    const venue = await startVenue({
      routerEndpoint: venueTcp[0] ?? `inproc://${name}-venue`,
      marketDataEndpoint: venueTcp[1] ?? `inproc://${name}-md`,
      instruments: reference.instruments,
      seed: opts.seed ?? 42,
      tickMs: opts.venueTickMs ?? 250,
      execIdBase: Date.now() * 1000,
      security,
    });
    cleanup.push(() => venue.close());
    const md = new MarketDataSubscriber({ endpoint: venue.marketDataEndpoint, security });
    md.onData((m) => view.onMarketData(m));
    cleanup.push(() => md.close());

    const staleMs = opts.staleMs ?? 2000;
    const heartbeatMs = opts.heartbeatMs ?? 250;
    // The components of this process read one projection, the view's, applied once per event.
    const shared = view.projection;
    const proxy = new ClientProxyComponent('proxy-1', shared);
    const logics: Record<string, () => ComponentLogic> = {
      proxy: () => proxy,
      risk: () => new RiskComponent(undefined, shared),
      router: () => new RouterComponent(shared),
      gateway: () => new GatewayComponent({ venueEndpoint: venue.routerEndpoint, security }, shared),
      monitor: () => new MonitorComponent({ source: heartbeats, staleMs }, shared),
    };
    const roles = opts.roles ?? DEFAULT_ROLES;
    const runtimes = roles.map((role) => {
      const make = logics[role];
      if (!make) throw new UserError(`unknown role '${role}'`);
      return new ComponentRuntime({ id: `${role}-1`, logic: make(), endpoints, heartbeatMs, security });
    });

    // One stream feeds every in-process consumer: each frame is decoded once, and
    // event by event the view applies the shared projection, then each component
    // reacts to that event (as it would with a projection of its own).
    const stream = new EventStream({ events: endpoints.events, replay: endpoints.replay, security });
    for (const rt of runtimes) {
      rt.connect();
      cleanup.push(() => rt.stop());
    }
    const fanOut = new ProjectionFanOut(view, runtimes);
    stream.addListener(fanOut);
    cleanup.push(() => stream.close());
    await stream.start();
    for (const rt of runtimes) await rt.caughtUp();

    const ensureActive = async () => {
      for (const rt of runtimes) {
        if (sequencer.position.phase !== 'open' || sequencer.activeRoles.has(rt.role)) continue;
        await api.hostCommand({ type: 'ComponentActivated', role: rt.role, instance: rt.id });
      }
    };
    const api: HostApi = new HostApi({
      sequencer,
      readLog,
      view,
      proxy,
      heartbeats,
      staleMs,
      shutdown: (id) => admin.push([id, 'shutdown']),
      ensureActive,
      reached: (session, seq, ms) => fanOut.reachedOrTimeout(session, seq, ms),
    });
    cleanup.push(() => api.close());
    if (sequencer.position.session === 0 && opts.autoOpen !== false) {
      const r = await api.openSession();
      if (!r.ok) throw new UserError(`cannot open the first session: ${r.error.message}`);
    } else {
      await ensureActive();
    }
    const staticDir = opts.staticDir ?? defaultStaticDir();
    const server: ApiServer = await startApiServer({ api, token, port: opts.port, staticDir: existsSync(staticDir) ? staticDir : undefined });
    cleanup.push(() => server.close());
    cleanup.push(writeApiPort(opts.dataDir, server.port));

    let closing: Promise<void> | undefined;
    return {
      url: `${server.url}?token=${token}`,
      token,
      port: server.port,
      api,
      endpoints,
      tcp,
      sequencer,
      venue,
      runtimes,
      view,
      close: () => (closing ??= runAll(cleanup)),
    };
  } catch (err) {
    await runAll(cleanup);
    throw err;
  }
}

async function runAll(cleanup: (() => unknown)[]): Promise<void> {
  for (const c of cleanup.splice(0).reverse()) {
    try {
      await c();
    } catch (err) {
      log.error(`while stopping: ${(err as Error).message}`);
    }
  }
}

async function bindOrExplain(bind: () => Promise<unknown>, busPort: number | undefined): Promise<void> {
  try {
    await bind();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new UserError(`bus port range from ${busPort} on 127.0.0.1 is already in use`);
    throw err;
  }
}
