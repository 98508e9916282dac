import { Publisher } from 'zeromq';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inprocEndpoints, tcpEndpoints, VENUE_PORT_OFFSET, type BusEndpoints } from '../bus/endpoints.ts';
import { EventStream, type EventListener } from '../bus/event-stream.ts';
import type { Sequenced } from '../protocol/events.ts';
import { authorizedKeys, bindAll, BusSecurity, ensureBusKeys, registerZapDomain } from '../bus/security.ts';
import { SendQueue } from '../bus/send-queue.ts';
import { ComponentRuntime } from '../component/runtime.ts';
import type { ComponentLogic } from '../component/logic.ts';
import { UserError } from '../errors.ts';
import { ClientProxyComponent } from '../oms/components/client-proxy.ts';
import { GatewayComponent } from '../oms/components/gateway.ts';
import { MonitorComponent } from '../oms/components/monitor.ts';
import { RiskComponent } from '../oms/components/risk.ts';
import { RiskState } from '../oms/exposure/risk-state.ts';
import { RiskAdmin } from './risk-admin.ts';
import { RouterComponent } from '../oms/components/router.ts';
import { loadReferenceData, type ReferenceData } from '../oms/reference.ts';
import { OmsSequencerPolicy } from '../oms/sequencer-policy.ts';
import { systemClock } from '../sequencer/clock.ts';
import { Sequencer } from '../sequencer/sequencer.ts';
import { CorruptionError } from '../store/errors.ts';
import { startCompactor } from '../store/compaction-thread.ts';
import { openReadableLog, openWritableLog, type ReadableLog, type WritableLog } from '../store/log.ts';
import { MarketDataSubscriber } from '../venue/client.ts';
import { startVenue, type Venue } from '../venue/venue.ts';
import { VenueProcess, type VenueHandle } from '../venue/venue-process.ts';
import { compiledFile, compiledPath } from './compiled-file.ts';
// FIX modules are loaded only when FIX is asked for (jspurefix takes over a second to load).
import type { FixAcceptorComponent } from '../fix/acceptor/component.ts';
import type { FixVenueBridge } from '../fix/gateway/bridge.ts';
import type { FixVenueConfig } from '../fix/gateway/link.ts';
import type { SimVenueFixServer } from '../fix/venue-server.ts';
import { checkLogPresent, ensureDataDir, loadOrCreateToken, makePrivateFile } from './data-dir.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { writeApiPort } from './api-port-file.ts';
import { HeartbeatCollector } from './heartbeat-collector.ts';
import { HostApi } from './host-api.ts';
import { startApiServer, type ApiServer } from './http/server.ts';
import { LiveView } from './live-view.ts';
import { requireSnapshot } from './log-checks.ts';
import { ProjectionFanOut } from './projection-fan-out.ts';
import { ProjectionCheckpointer } from './projection-checkpointer.ts';
import { prefetchStartCheckpoint } from './checkpoint-prefetch.ts';
import { findHostStart, sequencerResume } from './start-point.ts';
import { CHECKPOINT_EVERY } from './checkpoint-maker.ts';
import { log, log as logger } from '../log.ts';
import { Supervisor, type SuperviseResult } from './supervisor.ts';
import { ReplayServiceThread } from './replay-service-thread.ts';
import { checkPortFree } from './port-free.ts';

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
  /** Start a new, empty log in a data dir that was used before but lost its log (decision 081). */
  readonly newLog?: boolean;
  /** Merge small frames behind the head in the background (decision 120); default true. */
  readonly compactFrames?: boolean;
  /**
   * Events between two in-session projection checkpoints, written on a thread of their own
   * (decision 085); default CHECKPOINT_EVERY; 0 writes none.
   */
  readonly checkpointEvery?: number;
  /** Newest orders and fills a UI subscriber's initial state carries; the blotter windows the rest from the host (decision 150). */
  readonly uiStateRows?: number;
  /**
   * Fault-injection hook for tests: sees the writable log once it is open
   * (e.g. to set PRAGMA max_page_count or query_only and so simulate a full
   * disk or a read-only log). Never set in production.
   */
  readonly onLogOpened?: (log: WritableLog) => void;
  /** Serve FIX 4.4 clients on 127.0.0.1 at this port (0: a free one); no FIX acceptor when absent. */
  readonly fixPort?: number;
  /** FIX HeartBtInt the acceptor asks of clients (seconds). */
  readonly fixHeartbeatSeconds?: number;
  /** Address of the FIX acceptor (default 127.0.0.1); beyond loopback only with fixTls (decision 104). */
  readonly fixHost?: string;
  /** The FIX acceptor serves TLS with this certificate and key (PEM text). */
  readonly fixTls?: { readonly cert: string; readonly key: string };
  /** Most reports the FIX acceptor holds in memory per client (default 10,000); more are rebuilt from the log. */
  readonly fixMaxOwed?: number;
  /** The wait before each slice of the FIX acceptor's resumed ClOrdID index (default: a turn of the loop); for tests. */
  readonly fixIndexTurn?: () => Promise<void>;
  /** Venues reached over FIX (orders to other venues go to the simulated venue in process). */
  readonly fixVenues?: readonly FixVenueConfig[];
  /** Serve the simulated venue over FIX 4.4 on 127.0.0.1 at this port (0: a free one). */
  readonly venueFixPort?: number;
  /** Every FIX message to and from venues (tests, logs). */
  readonly onFixVenueTraffic?: (venueId: string, direction: 'in' | 'out', text: string) => void;
  /**
   * Where the simulated venue runs: 'process' (default), a child process the host supervises (decision 279), or
   * 'host', on the host's own thread (tests that read its books synchronously through `localVenue`). Without a
   * build (dist/engine/venue/venue-child.js) it runs on the host's thread, with a warning.
   */
  readonly venueIn?: 'process' | 'host';
}

export interface Host {
  readonly url: string;
  readonly token: string;
  readonly port: number;
  readonly api: HostApi;
  readonly endpoints: BusEndpoints;
  readonly tcp: BusEndpoints | undefined;
  readonly sequencer: Sequencer;
  /** The simulated venue, wherever it runs. */
  readonly venue: VenueHandle;
  /** The simulated venue when it runs on the host's thread (`venueIn: 'host'`), for tests that read its books. */
  readonly localVenue: Venue | undefined;
  /** The simulated venue's process (the default), for tests and operators. */
  readonly venueProcess: VenueProcess | undefined;
  /** The current runtime of every in-process component (a restarted one replaces its predecessor). */
  readonly runtimes: readonly ComponentRuntime[];
  /** Restarts in-process components and adds standbys (see Supervisor). */
  readonly supervisor: Supervisor;
  /** Restart (rewind and rejoin): the instance takes its role back when nobody else holds it. */
  restart(id: string): Promise<SuperviseResult>;
  /** Starts a standby instance of `role` in this process. */
  addStandby(role: string): Promise<SuperviseResult>;
  readonly view: LiveView;
  /** The FIX client acceptor, with --fix-port. */
  readonly fix: FixAcceptorComponent | undefined;
  /** The exit to FIX venues, with --fix-venues. */
  readonly fixVenues: FixVenueBridge | undefined;
  /** The simulated venue's FIX acceptor, with --venue-fix-port. */
  readonly venueFix: SimVenueFixServer | undefined;
  /** Risk's controls (kill switch, limits, restricted list) and positions. */
  readonly risk: RiskAdmin;
  /** The host's one subscription to the venue's market data (the view and the in-process risk listen). */
  readonly marketData: MarketDataSubscriber;
  /** The replay service (decision 228): whether it runs on its own thread, and that thread's OS id. */
  readonly replayService: { readonly onThread: boolean; readonly tid: number | undefined };
  close(): Promise<void>;
}

let hostCount = 0;

export { VENUE_PORT_OFFSET };

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
  // One host a data dir (decision 292): a second would sequence the same log from its own memory.
  const dirLock = lockDataDir(paths.dir, 'host');
  let reference: ReferenceData;
  let keys: ReturnType<typeof ensureBusKeys>;
  let token: string;
  let log: WritableLog;
  try {
    checkLogPresent(paths, opts.newLog === true);
    token = loadOrCreateToken(paths);
    keys = ensureBusKeys(paths.keys);
    makePrivateFile(paths.db);
    try {
      reference = loadReferenceData(opts.reference);
    } catch (err) {
      throw new UserError((err as Error).message);
    }
    log = openWritableLog(paths.db, { synchronous: opts.synchronous ?? 'normal' });
  } catch (err) {
    dirLock.release();
    throw err;
  }
  const cleanup: (() => unknown)[] = [() => dirLock.release(), () => log.close()];
  opts.onLogOpened?.(log);
  try {
    const name = `ordo-${process.pid}-${++hostCount}`;
    const endpoints = inprocEndpoints(name);
    const tcp = opts.busPort !== undefined ? tcpEndpoints('127.0.0.1', opts.busPort) : undefined;
    const both = (k: keyof BusEndpoints) => (tcp ? [endpoints[k], tcp[k]] : [endpoints[k]]);
    const venueTcp = tcp ? [`tcp://127.0.0.1:${opts.busPort! + VENUE_PORT_OFFSET}`, `tcp://127.0.0.1:${opts.busPort! + VENUE_PORT_OFFSET + 1}`] : [];
    // The venue's process starts now and binds while this host opens its log and recovers (decision 279).
    const venueEntry = opts.venueIn === 'host' ? undefined : compiledFile(import.meta.url, '../venue/venue-child.js');
    if (opts.venueIn !== 'host' && venueEntry === undefined) {
      logger.warn(`the simulated venue runs on the host's thread: its process's program ${compiledPath(import.meta.url, '../venue/venue-child.js')} is missing (not built or moved away)`);
    }
    let onVenueRestarted = (): void => {};
    const venueStarting =
      venueEntry === undefined
        ? Promise.resolve(undefined)
        : VenueProcess.start({
            entry: venueEntry,
            instruments: reference.instruments,
            seed: opts.seed ?? 42,
            tickMs: opts.venueTickMs ?? 250,
            ...(tcp ? { tcp: { router: venueTcp[0]!, marketData: venueTcp[1]!, keysDir: paths.keys, zapDomain: `${name}-venue` } } : {}),
            onRestarted: () => onVenueRestarted(),
          });
    // Stopped with the host even if start-up fails before the venue is awaited below.
    cleanup.push(async () => (await venueStarting.catch(() => undefined))?.close());
    venueStarting.catch(() => {});
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
    // With FIX, the checkpoint start-up resumes from is read on a thread while this one loads the FIX library
    // (over a second of synchronous requires), then decoded here (decision 186).
    const prefetch = opts.fixPort !== undefined ? prefetchStartCheckpoint(paths.db) : undefined;
    const fixModule = opts.fixPort !== undefined ? await import('../fix/acceptor/component.ts') : undefined;
    const readLog: ReadableLog = openReadableLog(paths.db);
    cleanup.push(() => readLog.close());
    // Start-up resumes the latest session from its newest in-session checkpoint and replays only the
    // tail (decision 140).
    // The FIX acceptor resumes from it too (decision 176).
    // `let`: dropped once the sequencer has restored from it (below); every closure of this function shares one scope,
    // so a `const` here kept the policy's decoded copy of the checkpoint alive for the host's life (decision 294).
    let start = findHostStart(readLog, prefetch ? await prefetch : undefined);
    if (start) {
      view.projection = start.shared.projection;
      logger.info(`start-up resumes session ${start.session} from its checkpoint at seq ${start.seq}`);
    }
    // On a thread of its own, at lowered priority: a component catching up never takes this loop (decision 228).
    const replay = await bindOrExplainAs(() => ReplayServiceThread.start(paths.db, both('replay'), security), opts.busPort);
    cleanup.push(() => replay.close());
    const heartbeats = new HeartbeatCollector(security);
    await bindOrExplain(() => heartbeats.bind(...both('heartbeats')), opts.busPort);
    cleanup.push(() => heartbeats.close());
    const adminPub = new Publisher({ linger: 0 });
    await bindOrExplain(() => bindAll(adminPub, both('admin'), security), opts.busPort);
    const admin = new SendQueue(adminPub);
    cleanup.push(() => adminPub.close());

    // The simulated venue in a process of its own, off this thread (decision 279): forked above, serving by now.
    let localVenue: Venue | undefined;
    const venueProcess = await venueStarting;
    if (venueProcess !== undefined) {
      // The host's own gateway and market data subscriber are CURVE clients of the venue's sockets with a bus port.
      if (tcp) cleanup.push(security.secureClientEndpoints([venueProcess.routerEndpoint, venueProcess.marketDataEndpoint], { serverPublicKey: keys.server.publicKey, ...keys.component }));
    } else {
      localVenue = await startVenue({
        routerEndpoint: venueTcp[0] ?? `inproc://${name}-venue`,
        marketDataEndpoint: venueTcp[1] ?? `inproc://${name}-md`,
        instruments: reference.instruments,
        seed: opts.seed ?? 42,
        tickMs: opts.venueTickMs ?? 250,
        execIdBase: Date.now() * 1000,
        security,
      });
    }
    const venue: VenueHandle = venueProcess ?? localVenue!;
    if (localVenue) cleanup.push(() => localVenue.close());
    const md = new MarketDataSubscriber({ endpoint: venue.marketDataEndpoint, security });
    md.onData((m) => view.onMarketData(m));
    cleanup.push(() => md.close());

    const staleMs = opts.staleMs ?? 2000;
    const heartbeatMs = opts.heartbeatMs ?? 250;
    // The components of this process read one projection, the view's, applied once per event.
    const shared = view.projection;
    const proxy = new ClientProxyComponent('proxy-1', shared);
    let venueFix: SimVenueFixServer | undefined;
    if (opts.venueFixPort !== undefined) {
      try {
        const { SimVenueFixServer } = await import('../fix/venue-server.ts');
        venueFix = await SimVenueFixServer.start({ venueEndpoint: venue.routerEndpoint, port: opts.venueFixPort, dataDir: opts.dataDir });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new UserError(code === 'EADDRINUSE' ? `venue FIX port ${opts.venueFixPort} on 127.0.0.1 is already in use` : `simulated venue cannot serve FIX: ${(err as Error).message}`);
      }
      const v = venueFix;
      cleanup.push(() => v.close());
    }
    let fixVenues: FixVenueBridge | undefined;
    if (opts.fixVenues && opts.fixVenues.length > 0) {
      const { FixVenueBridge } = await import('../fix/gateway/bridge.ts');
      fixVenues = await FixVenueBridge.start({
        endpoint: `inproc://${name}-fix-venues`,
        simulatedVenue: venue.routerEndpoint,
        venues: opts.fixVenues,
        projection: shared,
        dir: join(opts.dataDir, 'fix', 'venues'),
        ...(opts.onFixVenueTraffic ? { onTraffic: opts.onFixVenueTraffic } : {}),
      });
      const b = fixVenues;
      cleanup.push(() => b.close());
    }
    const venueEndpoint = fixVenues?.endpoint ?? venue.routerEndpoint;
    // Risk's projection (limits, positions, halts), shared the same way: applied once per event, after the view's.
    const riskState = start?.shared.risk ?? new RiskState();
    const risk = new RiskComponent(undefined, shared, riskState);
    risk.attachMarketData(md);
    // The first instances share the view's (and risk's) projections; restarted and added ones (`own` undefined)
    // keep their own, folded from their own stream.
    // A Map, not an object: roles come from the API and the CLI, and one named like an Object member
    // ('constructor', '__proto__') must find nothing (decision 296).
    const logics = new Map<string, (id: string, own?: typeof shared) => ComponentLogic>([
      ['proxy', (id, p) => (p && id === 'proxy-1' ? proxy : new ClientProxyComponent(id, p))],
      [
        'risk',
        (_id, p) => {
          if (p) return risk;
          const r = new RiskComponent(undefined, undefined);
          r.attachMarketData(md); // detached when the runtime stops it (RiskComponent.close)
          return r;
        },
      ],
      ['router', (_id, p) => new RouterComponent(p)],
      ['gateway', (_id, p) => new GatewayComponent({ venueEndpoint, security, ...(p ? { risk: riskState } : {}) }, p)],
      ['monitor', (_id, p) => new MonitorComponent({ source: heartbeats, staleMs }, p)],
    ]);
    const fix =
      opts.fixPort !== undefined && fixModule
        ? new fixModule.FixAcceptorComponent(
            { dataDir: opts.dataDir, port: opts.fixPort, proxy, passwords: new Map(Object.entries(reference.fixPasswords ?? {})), log: readLog, ...(opts.fixHost !== undefined ? { host: opts.fixHost } : {}), ...(opts.fixTls ? { tls: opts.fixTls } : {}), ...(opts.fixMaxOwed !== undefined ? { maxOwed: opts.fixMaxOwed } : {}), ...(opts.fixHeartbeatSeconds !== undefined ? { heartbeatSeconds: opts.fixHeartbeatSeconds } : {}), ...(opts.fixIndexTurn ? { indexTurn: opts.fixIndexTurn } : {}) },
            shared,
          )
        : undefined;
    if (fix) logics.set('fix', () => fix);
    const roles = opts.roles ?? [...DEFAULT_ROLES, ...(fix ? ['fix'] : [])];
    const runtimes = roles.map((role) => {
      const make = logics.get(role);
      if (!make) throw new UserError(`unknown role '${role}'`);
      // In the sequencer's process: commands go straight into its inbox (decision 183); `sequencer` is set by connect().
      return new ComponentRuntime({ id: `${role}-1`, logic: make(`${role}-1`, shared), endpoints, heartbeatMs, security, commandPort: (id) => sequencer.localPort(id) });
    });
    // Resumed from a checkpoint: each runtime takes its position, command numbering and activity from it.
    if (start) for (const rt of runtimes) rt.resumeAt(start.session, start.seq, shared.lastCseq(rt.id), shared.activeInstance(rt.role) === rt.id);
    if (start && fix && !fix.resumeAt(start.session, start.seq, start.shared.requests!)) throw new Error('start-up: the FIX acceptor cannot resume without the log');
    const firstProxy = runtimes.find((rt) => rt.role === 'proxy')?.logic;
    const proxy0 = firstProxy instanceof ClientProxyComponent ? firstProxy : new ClientProxyComponent('proxy-1', shared);
    // Filled in once the API exists: sequencing ComponentStopped goes through it.
    const late: { stopped?: (role: string, id: string) => Promise<{ ok: boolean; message?: string }> } = {};
    const supervisor: Supervisor = new Supervisor({
      endpoints,
      heartbeatMs,
      security,
      make: (role, id): ComponentLogic | undefined => logics.get(role)?.(id, undefined),
      stopped: (role, id) => late.stopped?.(role, id) ?? Promise.resolve({ ok: false, message: 'host not ready' }),
      knownIds: () => heartbeats.components.keys(),
    });
    for (const rt of runtimes) supervisor.adopt(rt);
    // A restarted venue remembers no orders: the active gateway in this process asks it about every one (decision 279).
    onVenueRestarted = () => {
      for (const rt of supervisor.runtimes) if (rt.logic instanceof GatewayComponent) rt.logic.venueRestarted();
    };
    /**
     * The client proxy orders go through: the active in-process one, else the first. The last one found is tried
     * first (one role has one active instance at a time): `supervisor.runtimes` copies the runtimes into a new
     * array, once per order before (issue 15).
     */
    let lastProxy: ComponentRuntime | undefined;
    const currentProxy = (): ClientProxyComponent => {
      const last = lastProxy;
      if (last !== undefined && last.lifecycle === 'active' && last.logic instanceof ClientProxyComponent && supervisor.get(last.id) === last) return last.logic;
      for (const rt of supervisor.runtimes) {
        if (rt.role === 'proxy' && rt.lifecycle === 'active' && rt.logic instanceof ClientProxyComponent) {
          lastProxy = rt;
          return rt.logic;
        }
      }
      return proxy0;
    };

    // One stream feeds every in-process consumer: each frame is decoded once, and
    // event by event the view applies the shared projection, then each component
    // reacts to that event (as it would with a projection of its own).
    // The owners of the shared projections apply them first: the view's OMS projection, then risk's.
    const owners: EventListener = {
      onEvents(session: number, events: readonly Sequenced[]) {
        view.onEvents(session, events);
        for (const e of events) riskState.apply(e);
      },
    };
    const fanOut = new ProjectionFanOut(owners, runtimes);
    const one: Sequenced[] = [];
    // Start-up makes one pass over the log: the sequencer's recovery reads the latest session
    // (checking every frame's checksum, encoding and seq) and hands each event to the in-process
    // consumers too; the stream then starts where the log ends (decision 082).
    let sequencer: Sequencer;
    // While recovering, the policy reads risk's state (folded above, event by event) instead of folding its own
    // copy; once recovery is done it goes on reading it (shareRisk below).
    const policy = new OmsSequencerPolicy(reference);
    // From a checkpoint it restores from the host's one decoded copy and shares risk's state the same way (resumeFrom).
    if (!start) policy.shareRiskWhileRecovering(riskState);
    try {
      sequencer = new Sequencer({
        log,
        policy,
        clock: systemClock(),
        security,
        recoverInto: (session, e) => {
          one[0] = e;
          fanOut.onEvents(session, one);
        },
        resumeFrom: (session) => {
          if (!start) return undefined;
          if (session !== start.session) throw new Error(`start-up: the checkpoint is of session ${start.session}, the log's latest is ${session}`);
          // Before the tail: the view's projection and risk's state are still at the checkpoint's seq (decision 299).
          policy.restoreSharing(start.shared.projection, riskState, start.shared.awaiting);
          return sequencerResume(start);
        },
      });
    } catch (err) {
      if (err instanceof CorruptionError) {
        throw new UserError(`${err.message}; refusing to start (run 'ordo repair --data-dir ${opts.dataDir} --truncate-after-corruption' to cut the log back to the last good frame)`);
      }
      throw err;
    }
    // The policy has built its own slim book from the one decoded copy (PolicyOrders.fromProjection) and keeps none of
    // it (decision 299). What the host keeps (the view's projection, risk's state, the FIX acceptor's requests) is
    // referenced where it is used; nothing else of `start` is kept past here, by any closure of this function (decision 294).
    start = undefined;
    // From here on the policy reads risk's state too (folded once per event, by the owners above), keeping only
    // the few events the stream has not delivered yet for the close's snapshot (issue 15).
    policy.shareRisk(riskState);
    // The next session opens from the last one's snapshot: a damaged one must be found now, not at the open.
    if (sequencer.position.phase === 'closed') requireSnapshot(log, sequencer.position.session, opts.dataDir);
    await bindOrExplain(() => sequencer.bind(both('commands'), both('events')), opts.busPort);
    cleanup.push(() => sequencer.close());
    // Small live frames merged behind the head (decision 120), planned on a thread of its own (decision 274).
    if (opts.compactFrames !== false) {
      const compactor = startCompactor(log);
      cleanup.push(() => compactor.close());
    }
    // In-session projection checkpoints, off the event handlers' path (decision 085).
    if (opts.checkpointEvery !== 0) {
      const checkpointer = new ProjectionCheckpointer(paths.db, () => sequencer.position, opts.checkpointEvery ?? CHECKPOINT_EVERY);
      cleanup.push(() => checkpointer.close());
    }
    // Fed only by the sequencer in this process (decision 210): no PUB → SUB copy of every frame to drop.
    const stream = new EventStream({ events: endpoints.events, replay: endpoints.replay, security, localFeed: true });
    for (const rt of runtimes) {
      rt.connect();
      cleanup.push(() => rt.stop());
    }
    stream.addListener(fanOut);
    cleanup.push(() => stream.close());
    // Each stored frame reaches the in-process consumers in the flush that stored it, not a turn later over
    // PUB → SUB (decision 183), and no bus copy follows (decision 210). Still persist, then publish.
    sequencer.onStoredFrames((frame) => stream.offerLocal(frame));
    sequencer.onHeadBeacon((head) => stream.offerLocal(head));
    cleanup.push(() => {
      sequencer.onStoredFrames(undefined);
      sequencer.onHeadBeacon(undefined);
    });
    const recovered = sequencer.position;
    await stream.start(recovered.session > 0 ? { session: recovered.session, seq: recovered.seq } : undefined);
    for (const rt of runtimes) await rt.caughtUp();
    view.dropChanges();
    // A resumed session's clientOrderId index, whole, before the host serves (decision 272). Built in 20,000-order
    // turns after start, it was rarely done when the first order came (the turns take ~100–300 ms at a million
    // orders), and that order's look-up finished it in one turn: the first orders after a restart waited up to
    // ~300 ms. Here it lengthens start-up by the same work instead.
    shared.indexClientOrderIdsSome(Number.POSITIVE_INFINITY);

    const ensureActive = async () => {
      for (const rt of supervisor.runtimes) {
        if (sequencer.position.phase !== 'open' || sequencer.activeRoles.has(rt.role) || rt.lifecycle === 'stopped') continue;
        await api.hostCommand({ type: 'ComponentActivated', role: rt.role, instance: rt.id });
      }
    };
    // Risk's controls: each sequenced, then answered once the shared projections have applied it (read-your-writes).
    const riskAdmin = new RiskAdmin({
      hostCommand: async (body) => {
        const r = await api.hostCommand(body);
        const { session, seq } = sequencer.position;
        if (r.ok) await fanOut.reachedOrTimeout(session, seq, 2000);
        return r;
      },
      risk: riskState,
      projection: shared,
      lastPrice: (symbol) => view.quotes.get(symbol)?.last,
    });
    const api: HostApi = new HostApi({
      sequencer,
      readLog,
      view,
      get proxy() {
        return currentProxy();
      },
      heartbeats,
      inProcess: (id) => {
        const rt = supervisor.runtimes.find((r) => r.id === id);
        return rt && { role: rt.role, stopped: rt.lifecycle === 'stopped' };
      },
      staleMs,
      shutdown: (id) => admin.push([id, 'shutdown']),
      ensureActive,
      reached: (session, seq, ms) => fanOut.reachedOrTimeout(session, seq, ms),
      ...(opts.uiStateRows !== undefined ? { uiStateRows: opts.uiStateRows } : {}),
      supervise: {
        restart: async (id) => {
          const r = await supervisor.restart(id);
          if (r.ok) await ensureActive();
          return r;
        },
        addStandby: (role) => supervisor.addStandby(role),
      },
      risk: riskAdmin,
      ...(fix ? { fix } : {}),
    });
    cleanup.push(() => api.close());
    late.stopped = async (role, id) => {
      const r = await api.hostCommand({ type: 'ComponentStopped', role, instance: id });
      return r.ok ? { ok: true } : { ok: false, message: r.error.message };
    };
    // Restarted and added instances run beside the first ones; they stop with the host.
    cleanup.push(() => supervisor.stopAll());
    if (sequencer.position.session === 0 && opts.autoOpen !== false) {
      const r = await api.openSession();
      if (!r.ok) throw new UserError(`cannot open the first session: ${r.error.message}`);
    } else {
      await ensureActive();
      // Died mid-roll: the roll is finished before the API serves anyone (decision 077).
      await api.finishInterruptedRoll();
    }
    if (fix) {
      // The acceptor listens while it is active. In an open session it is (or is being) activated; with no open
      // session it is active only if the log left it so (a session closed in this log's last run). Waiting for it
      // otherwise (a new data dir with --no-auto-open, a log whose fix role is not active) hung start-up for good,
      // before the ready line and deaf to Ctrl-C: then its port is only checked free, and taken when it activates.
      const listening = sequencer.position.phase === 'open' || supervisor.runtimes.some((rt) => rt.logic === fix && rt.lifecycle === 'active');
      try {
        if (listening) await fix.whenListening();
      } catch (err) {
        throw new UserError((err as Error).message);
      }
      if (!listening) {
        await checkPortFree(fix.host, opts.fixPort ?? 0).catch((err: NodeJS.ErrnoException) => {
          throw new UserError(err.code === 'EADDRINUSE' ? `FIX port ${opts.fixPort} on ${fix.host} is already in use` : `FIX acceptor cannot listen: ${err.message}`);
        });
      }
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
      localVenue,
      venueProcess,
      get runtimes() {
        return supervisor.runtimes;
      },
      supervisor,
      restart: async (id: string) => {
        const r = await api.restartComponent(id);
        return r.ok ? { ok: true, componentId: r.value.componentId } : { ok: false, code: r.error.code, message: r.error.message };
      },
      addStandby: (role: string) => supervisor.addStandby(role),
      view,
      fix,
      fixVenues,
      venueFix,
      risk: riskAdmin,
      marketData: md,
      replayService: replay,
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

/** bindOrExplain for a bind that makes the thing it binds. */
async function bindOrExplainAs<T>(bind: () => Promise<T>, busPort: number | undefined): Promise<T> {
  let made: T | undefined;
  await bindOrExplain(async () => (made = await bind()), busPort);
  return made!;
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
