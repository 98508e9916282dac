import { join } from 'node:path';
import type { IJsFixConfig, ILooseObject } from 'jspurefix';
import type { NewOrderRequest, Result } from '../../../contract/api.ts';
import type { ComponentLogic } from '../../component/logic.ts';
import type { ClientProxyComponent } from '../../oms/components/client-proxy.ts';
import { ProjectedComponent } from '../../oms/components/projected.ts';
import { OmsProjection, type ReadonlyOrder } from '../../oms/projection.ts';
import type { ReadableLog } from '../../store/log.ts';
import type { Sequenced } from '../../protocol/events.ts';
import { BusinessRejectReason, CxlRejReason, CxlRejResponseTo, ExecType, OrdRejReason, OrdStatus } from '../fields.ts';
import { listenFix, type FixListener } from '../jspurefix.ts';
import { OrdoFixSession, type SessionHooks } from '../session.ts';
import { encodeReport } from './encode.ts';
import { orderMismatch, parseNewOrder, parseOrderRef, parseReplace, type OrderRef } from './inbound.ts';
import { BadRequest, parseNewOrder as parseApiNewOrder } from '../../host/validation.ts';
import { ClOrdIdChains, execReport, impliedNewFor, ordStatusOf, reportFor, type ClientReport, type RequestIds } from './reports.ts';
import { AcceptorState } from './state.ts';
import { enteredClientOrderId, RequestSeqs, type PackedRequests } from '../../oms/request-seqs.ts';
import { checkFixBind, type FixTls } from '../tls.ts';
import { log } from '../../log.ts';

/** Ordo's CompID on client sessions (their TargetCompID). */
export const ORDO_COMP_ID = 'ORDO';

export interface FixAcceptorOptions {
  /** The FIX files (message store, sequence numbers, acceptor state) go in `<dataDir>/fix`. */
  readonly dataDir: string;
  /** TCP port on `host`; 0 picks a free one. */
  readonly port: number;
  /** Default 127.0.0.1; beyond loopback only with `tls` (decision 104). */
  readonly host?: string;
  /** Serve TLS with this certificate and key (PEM text). */
  readonly tls?: FixTls;
  readonly heartbeatSeconds?: number;
  /** Per-client Logon passwords (tag 554); clients not listed log on without one. */
  readonly passwords?: ReadonlyMap<string, string>;
  /** New orders, cancels and replaces go in through the client proxy, like the HTTP API's. */
  readonly proxy: ClientProxyComponent;
  /** Every FIX message in and out (tests, logs). */
  readonly onTraffic?: (clientId: string, direction: 'in' | 'out', text: string) => void;
  /**
   * The event log: reports a client is owed beyond `maxOwed` are dropped from
   * memory and derived again from it when the client can take them (decision 102).
   * Without it the acceptor keeps every owed report in memory.
   */
  readonly log?: ReadableLog;
  /** Most reports kept in memory per client (default 10,000); more are rebuilt from the log. */
  readonly maxOwed?: number;
  /** Most bytes waiting in a client's connection before Ordo stops writing to it (default 1 MiB). */
  readonly maxBacklogBytes?: number;
  /**
   * The wait before each slice of the resumed ClOrdID index (default: one turn of the event loop). Tests hold it
   * to send FIX messages while the index is incomplete (decision 208: they wait for it, in order).
   */
  readonly indexTurn?: () => Promise<void>;
}

/** Events of the log read per step of a rebuild (between steps the client's backlog is checked). */
const REBUILD_STEP = 1000;

/** A client's FIX session as operators see it. */
export interface FixSessionInfo {
  readonly clientId: string;
  readonly connected: boolean;
  /** Last MsgSeqNum received from the client, next one Ordo sends. */
  readonly inSeq: number;
  readonly outSeq: number;
  /** Reports owed to the client and held in memory (derived, not yet sent). */
  readonly owed: number;
  /** Owed reports were too many to hold: they are derived again from the log (from `rebuildFrom`, inclusive) when the client can take them. */
  readonly rebuildFrom: number | undefined;
  /** Why the session last ended or was refused. */
  readonly lastReason: string | undefined;
}

interface Owed {
  readonly seq: number;
  readonly report: ClientReport;
  /** The New owed just before `report` (an order filled on arrival, decision 251): sent with it, never apart. */
  readonly before?: ClientReport | undefined;
}

interface Pending {
  readonly orderId: number;
  readonly kind: 'cancel' | 'replace';
  readonly ids: RequestIds;
}

const key = (clientId: string, clOrdId: string) => `${clientId}\u0001${clOrdId}`;
/** One turn of the event loop. */
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));
/** Resumed orders whose ClOrdIDs are indexed per turn of the event loop (resumeAt). */
const INDEX_SLICE = 20_000;

/**
 * The FIX 4.4 client acceptor: clients' FIX sessions in, their orders through
 * the client proxy to the sequencer, ExecutionReports out. Every report is
 * derived from a sequenced event (reports.ts), so what a client is owed after
 * a disconnect or a host restart is known from the log. Active: listens on
 * the FIX port; passive or standby: applies events only, no port.
 */
export class FixAcceptorComponent extends ProjectedComponent implements ComponentLogic {
  readonly role = 'fix';
  private readonly state: AcceptorState;
  private readonly chains: ClOrdIdChains;
  /** (client, ClOrdID) → orderId, for every ClOrdID an order has had. */
  private readonly byClOrdId = new Map<string, number>();
  private readonly owed = new Map<string, Owed[]>();
  /** Clients whose owed reports outgrew `maxOwed`: what they are owed is read from the log, not memory. */
  private readonly overflowed = new Set<string>();
  /** Clients with a rebuild from the log under way (or waiting for their connection to drain). */
  private readonly rebuilding = new Set<string>();
  private readonly live = new Map<string, OrdoFixSession>();
  private readonly lastReason = new Map<string, string>();
  private readonly pending: Pending[] = [];
  /** New orders sent to the proxy and not yet in the log, by (client, ClOrdID). */
  private readonly inflight = new Map<string, Promise<Result<{ orderId: number }>>>();
  private listener: FixListener | undefined;
  private session = 0;
  private lastSeq = 0;
  private nextStatusId = 1;

  constructor(
    private readonly opts: FixAcceptorOptions,
    shared?: OmsProjection,
  ) {
    super(shared);
    checkFixBind(opts.host ?? '127.0.0.1', opts.tls);
    this.state = new AcceptorState(join(opts.dataDir, 'fix', 'acceptor-state.json'));
    this.chains = new ClOrdIdChains((seq) => this.state.link(seq));
  }

  /** The FIX port while active. */
  get port(): number | undefined {
    return this.listener?.port;
  }

  /** The address it binds. */
  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }

  /** Serves TLS. */
  get tls(): boolean {
    return this.opts.tls !== undefined;
  }

  /** Folds state of its own (report chains, owed reports) that no checkpoint holds: always rewinds from seq 1. */
  override get checkpointFormat(): number | undefined {
    return undefined;
  }

  override restoreCheckpoint(): undefined {
    return undefined;
  }

  /**
   * Resumes at a checkpoint of the host's start-up (decision 176) instead of
   * folding the session from seq 1: its projection (the host's shared one)
   * is already the checkpoint's. The ClOrdID chains come from the orders'
   * requests by seq that the checkpoint holds, resolved through the links of
   * the acceptor's state file, and every ClOrdID an order has had is indexed
   * again. Reports owed from before the checkpoint are not in memory: a
   * client that was last sent less than its orders' events up to the
   * checkpoint gets them derived from the log when it logs on (the path of
   * decision 102); later ones queue as the tail is applied. Returns false
   * (nothing changed) without the log to derive them from: the host then
   * replays the session from seq 1. Call before any event after `seq`.
   */
  resumeAt(session: number, seq: number, requests: PackedRequests): boolean {
    if (!this.opts.log) return false;
    const chains = RequestSeqs.unpack(requests);
    this.session = session;
    this.lastSeq = seq;
    // What replaying the session's SessionOpened does at start-up (nothing is owed in memory then).
    this.state.startSession(session, {});
    this.chains.resume(
      chains,
      (id) => {
        const o = this.projection.order(id);
        return o === undefined ? undefined : enteredClientOrderId(o);
      },
      this.projection.routedOrderIds(),
    );
    const behind = new Map<string, number>();
    for (const c of this.projection.clients()) {
      if (this.state.known(c.clientId) && this.state.delivered(c.clientId) < seq) behind.set(c.clientId, this.state.delivered(c.clientId));
    }
    for (const o of this.projection.orders()) {
      if (behind.size === 0) break;
      const delivered = behind.get(o.clientId);
      if (delivered === undefined) continue;
      const seqs = o.eventSeqs;
      if (seqs.length > 0 && seqs[seqs.length - 1]! > delivered) {
        this.overflowed.add(o.clientId);
        behind.delete(o.clientId);
      }
    }
    // Every resumed order's ClOrdIDs are indexed in slices once start-up goes on (1.2 s of Map inserts at
    // 750 k orders held the host's ready line); FIX messages wait for it (onMessage).
    this.indexing = this.indexResumed(this.projection.orderCount, ++this.indexGen);
    return true;
  }

  /** Indexing of the resumed orders' ClOrdIDs under way (resumeAt): FIX messages queue behind it, in order. */
  private indexing: Promise<void> | undefined;
  private indexGen = 0;
  /** Keys set by events applied while indexing: newer than any resumed order's, kept. */
  private readonly setSinceResume = new Set<string>();

  private setIndex(k: string, orderId: number): void {
    this.byClOrdId.set(k, orderId);
    if (this.indexing) this.setSinceResume.add(k);
  }

  /** Indexes the ClOrdIDs of the first `rows` orders (those at the resume), INDEX_SLICE a turn; stops at a new session. */
  private async indexResumed(rows: number, gen: number): Promise<void> {
    try {
      for (let row = 0; row < rows; ) {
        await (this.opts.indexTurn ?? nextTurn)();
        if (gen !== this.indexGen) return;
        const end = Math.min(rows, row + INDEX_SLICE);
        for (const o of this.projection.orders(row)) {
          if (row >= end) break;
          row++;
          for (const id of this.chains.resumedIds(o.orderId, enteredClientOrderId(o))) {
            const k = key(o.clientId, id);
            if (!this.setSinceResume.has(k)) this.byClOrdId.set(k, o.orderId);
          }
        }
      }
    } finally {
      if (gen === this.indexGen) {
        this.indexing = undefined;
        this.setSinceResume.clear();
      }
    }
  }

  override apply(session: number, e: Sequenced): void {
    super.apply(session, e);
    const ev = e.event;
    if (ev.type === 'SessionOpened') {
      // Clients still owed reports of the closing session get them before the new session's (decision 103).
      const owing: Record<string, number> = {};
      for (const c of new Set([...this.owed.keys(), ...this.overflowed])) {
        if (this.overflowed.has(c) || (this.owed.get(c)?.length ?? 0) > 0) owing[c] = this.state.delivered(c) + 1;
      }
      this.state.startSession(ev.sessionId, owing);
      this.chains.clear();
      this.byClOrdId.clear();
      // A resumed index still being built belongs to the session that closed.
      this.indexGen++;
      this.indexing = undefined;
      this.setSinceResume.clear();
      this.owed.clear();
      this.overflowed.clear();
    }
    this.session = session;
    this.lastSeq = e.seq;
    if (!('orderId' in ev)) return;
    if (ev.type === 'CancelRequested' || ev.type === 'ReplaceRequested') this.link(e.seq, ev.orderId, ev.type === 'CancelRequested' ? 'cancel' : 'replace');
    this.chains.apply(e);
    const o = this.projection.order(ev.orderId);
    if (!o) return;
    if (ev.type === 'OrderPending' || ev.type === 'OrderRestored') this.setIndex(key(o.clientId, ev.clientOrderId), o.orderId);
    const report = reportFor(session, e, o, this.chains);
    const before = impliedNewFor(session, e, o, this.chains);
    this.chains.settle(e);
    if (ev.type === 'OrderReplaced' || ev.type === 'OrderCancelled') this.setIndex(key(o.clientId, this.chains.current(o.orderId) ?? o.clientOrderId), o.orderId);
    if (!report || e.seq <= this.state.delivered(o.clientId) || !this.state.known(o.clientId)) return;
    const client = o.clientId;
    const s = this.live.get(client);
    if (this.overflowed.has(client)) {
      if (s) this.rebuild(client, s);
      return;
    }
    let q = this.owed.get(client);
    if (!q) this.owed.set(client, (q = []));
    q.push(before === undefined ? { seq: e.seq, report } : { seq: e.seq, report, before });
    if (q.length > this.maxOwed && this.opts.log) {
      // The outbound stream is rebuildable from the log: memory holds at most maxOwed reports per client.
      this.owed.delete(client);
      this.overflowed.add(client);
      if (s) this.rebuild(client, s);
      return;
    }
    if (s) this.flush(client, s);
  }

  private get maxOwed(): number {
    return this.opts.maxOwed ?? 10_000;
  }

  private get maxBacklog(): number {
    return this.opts.maxBacklogBytes ?? 1 << 20;
  }

  /**
   * Resolves with the FIX port once the acceptor listens (after its first
   * activation), or rejects with a one-line reason when it cannot.
   */
  whenListening(): Promise<number> {
    return this.listening.promise;
  }

  private listening = deferred<number>();

  async onActivate(): Promise<void> {
    if (this.listener) return;
    try {
      this.listener = await this.listen();
      this.listening.resolve(this.listener.port);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? `FIX port ${this.opts.port} on ${this.opts.host ?? '127.0.0.1'} is already in use` : `FIX acceptor cannot listen: ${(err as Error).message}`;
      log.error(`fix: ${why}`);
      this.listening.reject(new Error(why));
    }
  }

  private listen(): Promise<FixListener> {
    return listenFix(
      {
        role: 'acceptor',
        name: 'ordo-fix',
        begin: 'FIX.4.4',
        senderCompId: ORDO_COMP_ID,
        targetCompId: '*',
        host: this.opts.host ?? '127.0.0.1',
        port: this.opts.port,
        heartbeatSeconds: this.opts.heartbeatSeconds ?? 30,
        storeDir: join(this.opts.dataDir, 'fix', 'store'),
        // Only the reference data's clients get files; any other SenderCompID is refused at its Logon.
        storePeer: (peer) => this.projection.client(peer)?.info !== undefined,
        ...(this.opts.tls ? { tls: this.opts.tls } : {}),
      },
      (config: IJsFixConfig) => new OrdoFixSession(config, this.hooks, join(this.opts.dataDir, 'fix', 'store')),
    );
  }

  async onDeactivate(): Promise<void> {
    const l = this.listener;
    this.listener = undefined;
    for (const s of this.live.values()) s.logout('Ordo FIX acceptor is going passive');
    this.live.clear();
    this.state.flush();
    await l?.close();
    this.listening = deferred<number>();
  }

  close(): Promise<void> {
    return this.onDeactivate();
  }

  /** Every client with a FIX identity, connected or not. */
  sessions(): FixSessionInfo[] {
    return [...this.projection.clients()].map((c) => {
      const s = this.live.get(c.clientId);
      return {
        clientId: c.clientId,
        connected: s !== undefined,
        inSeq: s?.lastInSeq ?? 0,
        outSeq: s?.nextOutSeq ?? 0,
        owed: this.owed.get(c.clientId)?.length ?? 0,
        rebuildFrom: this.overflowed.has(c.clientId) ? this.state.delivered(c.clientId) + 1 : undefined,
        lastReason: this.lastReason.get(c.clientId),
      };
    });
  }

  private readonly hooks: SessionHooks = {
    logon: (peer, target, password) => {
      const client = this.projection.client(peer);
      let refusal: string | undefined;
      if (target !== ORDO_COMP_ID) refusal = `TargetCompID must be ${ORDO_COMP_ID}, got '${target}'`;
      else if (!client?.info) refusal = `unknown SenderCompID '${peer}': not a client in the reference data`;
      else if (this.opts.passwords?.has(peer) && this.opts.passwords.get(peer) !== password) refusal = `wrong password for '${peer}'`;
      if (refusal) this.lastReason.set(peer, refusal);
      return refusal;
    },
    ready: (s) => {
      const client = s.peerCompId!;
      this.live.set(client, s);
      this.lastReason.delete(client);
      // A client's first logon ever owes it nothing from before; after that every report of its
      // orders is owed, across reconnects, host restarts and session rolls (decision 103).
      if (!this.state.known(client)) {
        this.state.markKnown(client);
        this.state.markDelivered(client, Math.max(1, this.lastSeq));
      }
      this.flush(client, s);
    },
    stopped: (s, reason) => {
      const client = s.peerCompId;
      if (client === undefined) return;
      if (this.live.get(client) === s) this.live.delete(client);
      if (reason !== undefined) this.lastReason.set(client, reason);
    },
    duplicate: (peer, reason) => {
      if (this.projection.client(peer)?.info === undefined) return;
      this.lastReason.set(peer, reason);
      log.warn(`fix: ${reason}`);
    },
    message: (s, msgType, body, _seq, possDup) => this.onMessage(s, msgType, body, possDup),
    traffic: (s, direction, text) => this.opts.onTraffic?.(s.peerCompId ?? '?', direction, text),
  };

  /**
   * Sends what the client is owed, oldest first, while its connection takes
   * it; a slow reader's reports wait (bounded by maxOwed, then rebuilt from the log).
   */
  private flush(clientId: string, s: OrdoFixSession): void {
    if (this.state.prevOwed(clientId)) return this.rebuildPrevious(clientId, s);
    if (this.overflowed.has(clientId)) return this.rebuild(clientId, s);
    const q = this.owed.get(clientId);
    if (!q || q.length === 0) return;
    let n = 0;
    for (const { seq, report, before } of q) {
      // Nothing after the session's Logout (decision 301): what is left stays owed for the next logon.
      if (this.live.get(clientId) !== s || !s.takesApp) break;
      if (s.backlogBytes > this.maxBacklog) {
        this.retryLater(clientId, s);
        break;
      }
      if (before !== undefined) {
        const [t0, b0] = encodeReport(before);
        s.sendApp(t0, b0);
      }
      const [type, body] = encodeReport(report);
      s.sendApp(type, body);
      this.state.markDelivered(clientId, seq);
      n++;
    }
    q.splice(0, n);
  }

  private readonly retrying = new Set<string>();

  /** Flushes again once the client's connection has drained (polled: the library hides the socket's drain). */
  private retryLater(clientId: string, s: OrdoFixSession): void {
    if (this.retrying.has(clientId)) return;
    this.retrying.add(clientId);
    setTimeout(() => {
      this.retrying.delete(clientId);
      if (this.live.get(clientId) === s) this.flush(clientId, s);
    }, 50).unref();
  }

  /**
   * Derives the client's owed reports of the current session again from the
   * log (decision 102), then lets reports flow from memory again.
   */
  private rebuild(clientId: string, s: OrdoFixSession): void {
    const session = this.session;
    this.replayReports(clientId, s, {
      session,
      from: this.state.delivered(clientId) + 1,
      end: () => this.lastSeq,
      stillOwed: () => this.session === session,
      linkOf: (seq) => this.state.link(seq),
      mark: (seq) => this.state.markDelivered(clientId, seq),
      // Caught up with the events this component has applied: later ones queue in memory as usual.
      done: () => this.overflowed.delete(clientId),
    });
  }

  /** Sends the client what it was still owed of the previous OMS session (decision 103), then the current session's. */
  private rebuildPrevious(clientId: string, s: OrdoFixSession): void {
    const prev = this.state.prevOwed(clientId)!;
    const log = this.opts.log;
    if (!log) return this.state.clearPrev(clientId);
    this.replayReports(clientId, s, {
      session: prev.session,
      from: prev.from,
      end: () => log.lastSeq(prev.session),
      stillOwed: () => this.state.prevOwed(clientId)?.session === prev.session,
      linkOf: (seq) => this.state.prevLink(seq),
      mark: (seq) => this.state.markPrevDelivered(clientId, seq),
      done: () => {
        this.state.clearPrev(clientId);
        this.flush(clientId, s);
      },
    });
  }

  /**
   * Derives a client's reports of `session` from the log, seq `from`
   * (inclusive) to `end()` (inclusive): a private projection is brought to
   * `from`, then the events after it are read a step at a time, each step only
   * while the client's connection has room. Costs one replay of the session
   * up to `from`, never one per report. Stops (to be picked up at the next
   * logon) when the client goes away.
   */
  private replayReports(
    clientId: string,
    s: OrdoFixSession,
    r: { session: number; from: number; end: () => number; stillOwed: () => boolean; linkOf: (seq: number) => RequestIds | undefined; mark: (seq: number) => void; done: () => void },
  ): void {
    const log = this.opts.log;
    if (!log || this.rebuilding.has(clientId)) return;
    this.rebuilding.add(clientId);
    const p = new OmsProjection();
    const chains = new ClOrdIdChains(r.linkOf);
    let next = r.from;
    const fold = (e: Sequenced, emit: boolean) => {
      p.apply(e);
      chains.apply(e);
      const ev = e.event;
      const o = 'orderId' in ev ? p.order(ev.orderId) : undefined;
      const report = o && o.clientId === clientId ? reportFor(r.session, e, o, chains) : undefined;
      const before = report !== undefined && o !== undefined ? impliedNewFor(r.session, e, o, chains) : undefined;
      chains.settle(e);
      if (emit && before) {
        const [t0, b0] = encodeReport(before);
        s.sendApp(t0, b0);
      }
      if (emit && report) {
        const [type, body] = encodeReport(report);
        s.sendApp(type, body);
        r.mark(e.seq);
      }
    };
    if (next > 1) log.replay(r.session, (e) => fold(e, false), 1, next - 1);
    const step = (): void => {
      if (this.live.get(clientId) !== s || !s.takesApp || !r.stillOwed()) {
        this.rebuilding.delete(clientId);
        return;
      }
      if (s.backlogBytes > this.maxBacklog) {
        setTimeout(step, 50).unref();
        return;
      }
      const to = Math.min(next + REBUILD_STEP - 1, r.end());
      if (next <= to) log.replay(r.session, (e) => fold(e, true), next, to);
      next = to + 1;
      if (next > r.end()) {
        this.rebuilding.delete(clientId);
        r.done();
        return;
      }
      setImmediate(step);
    };
    step();
  }

  /** Records the ClOrdIDs of the client's cancel or replace that this request event carries. */
  private link(seq: number, orderId: number, kind: 'cancel' | 'replace'): void {
    const i = this.pending.findIndex((p) => p.orderId === orderId && p.kind === kind);
    if (i < 0) return;
    this.state.setLink(seq, this.pending[i]!.ids);
    this.pending.splice(i, 1);
  }

  private onMessage(s: OrdoFixSession, msgType: string, body: ILooseObject, possDup = false): void {
    if (this.indexing) {
      // The ClOrdID index is still being built after a resume: every message waits, in the order they came.
      const go = () => this.onMessage(s, msgType, body, possDup);
      void this.indexing.then(go, go);
      return;
    }
    const client = s.peerCompId!;
    const refSeq = ((body['StandardHeader'] as ILooseObject | undefined)?.['MsgSeqNum'] as number | undefined) ?? 0;
    switch (msgType) {
      case 'D':
        this.newOrder(s, client, body, possDup);
        break;
      case 'F':
      case 'G':
        void this.cancelOrReplace(s, client, msgType, body);
        break;
      case 'H':
        void this.status(s, client, body);
        break;
      default:
        s.sendApp('j', {
          RefSeqNum: refSeq,
          RefMsgType: msgType,
          BusinessRejectReason: BusinessRejectReason.UNSUPPORTED_MESSAGE_TYPE,
          Text: `MsgType ${msgType} is not supported by Ordo (D, F, G, H are)`,
        });
    }
  }

  private newOrder(s: OrdoFixSession, client: string, body: ILooseObject, possDup: boolean): void {
    const parsed = parseNewOrder(client, body);
    if (!parsed.ok) {
      const clOrdId = typeof body['ClOrdID'] === 'string' ? body['ClOrdID'] : 'NONE';
      this.rejectNew(s, body, clOrdId, OrdRejReason.OTHER, parsed.reason);
      return;
    }
    let req: NewOrderRequest;
    try {
      // The HTTP API's own check (symbol length, every bound): what reaches the proxy is what the log can hold.
      req = parseApiNewOrder(parsed.value);
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      this.rejectNew(s, body, parsed.value.clientOrderId, OrdRejReason.OTHER, err.message);
      return;
    }
    const k = key(client, req.clientOrderId);
    if (this.byClOrdId.has(k) || this.inflight.has(k)) {
      // A resend (PossDupFlag Y) of a D Ordo has is the same order: its reports already flow from the log.
      // A new D under a ClOrdID already used gets its own answer, a duplicate-order rejection (OrderID NONE:
      // the order that has the ClOrdID is untouched), so every D is answered exactly once.
      if (!possDup) this.rejectNew(s, body, req.clientOrderId, OrdRejReason.DUPLICATE_ORDER, `DUPLICATE_CLIENT_ORDER_ID: ClOrdID '${req.clientOrderId}' was already used`);
      return;
    }
    const p = this.opts.proxy.submit(req);
    this.inflight.set(k, p);
    void p.then((r) => {
      this.inflight.delete(k);
      if (!r.ok) this.rejectNew(s, body, req.clientOrderId, r.error.code.startsWith('SESSION') ? OrdRejReason.EXCHANGE_CLOSED : OrdRejReason.OTHER, `${r.error.code}: ${r.error.message}`);
    });
  }

  /**
   * An ExecutionReport rejecting a D that never reached the log (bad fields, session closed), or (`execType` I)
   * answering an OrderStatusRequest for an order Ordo does not know (FIX 4.4: OrdStatus 8, OrdRejReason 5).
   */
  private rejectNew(s: OrdoFixSession, body: ILooseObject, clOrdId: string, reason: number, text: string, execType: string = ExecType.REJECTED): void {
    const i = body['Instrument'] as ILooseObject | undefined;
    s.sendApp('8', {
      OrderID: 'NONE',
      ClOrdID: clOrdId,
      ExecID: `R${this.session}.${this.nextStatusId++}`,
      ExecType: execType,
      OrdStatus: OrdStatus.REJECTED,
      OrdRejReason: reason,
      Instrument: { Symbol: typeof i?.['Symbol'] === 'string' ? i['Symbol'] : 'NONE' },
      Side: typeof body['Side'] === 'string' ? body['Side'] : '1',
      LeavesQty: 0,
      CumQty: 0,
      AvgPx: 0,
      Text: text,
    });
  }

  /** The order a request refers to: OrigClOrdID first (any ClOrdID the order has had), then OrderID. */
  private async resolve(client: string, ref: OrderRef): Promise<ReadonlyOrder | undefined> {
    const k = key(client, ref.origClOrdId);
    const inflight = this.inflight.get(k);
    if (inflight) await inflight;
    let id = this.byClOrdId.get(k);
    if (id === undefined && ref.orderId !== undefined && /^\d+$/.test(ref.orderId)) id = Number(ref.orderId);
    const o = id === undefined ? undefined : this.projection.order(id);
    return o && o.clientId === client ? o : undefined;
  }

  private async cancelOrReplace(s: OrdoFixSession, client: string, msgType: 'F' | 'G', body: ILooseObject): Promise<void> {
    const kind = msgType === 'F' ? 'cancel' : 'replace';
    const parsed = msgType === 'F' ? parseOrderRef(body) : parseReplace(body);
    const ids = parsed.ok ? { clOrdId: parsed.value.clOrdId, origClOrdId: parsed.value.origClOrdId } : undefined;
    const o = parsed.ok ? await this.resolve(client, parsed.value) : undefined;
    const reject = (reason: number, text: string) =>
      s.sendApp('9', {
        OrderID: o ? String(o.orderId) : 'NONE',
        ClOrdID: ids?.clOrdId ?? (typeof body['ClOrdID'] === 'string' ? body['ClOrdID'] : 'NONE'),
        OrigClOrdID: ids?.origClOrdId ?? (typeof body['OrigClOrdID'] === 'string' ? body['OrigClOrdID'] : 'NONE'),
        OrdStatus: o ? ordStatusOf(o) : OrdStatus.REJECTED,
        CxlRejResponseTo: kind === 'cancel' ? CxlRejResponseTo.CANCEL : CxlRejResponseTo.REPLACE,
        CxlRejReason: reason,
        Text: text,
      });
    if (!parsed.ok) return reject(CxlRejReason.OTHER, parsed.reason);
    if (!o) return reject(CxlRejReason.UNKNOWN_ORDER, `unknown order: no order of ${client} has ClOrdID '${parsed.value.origClOrdId}'`);
    const mismatch = orderMismatch(body, o);
    if (mismatch !== undefined) return reject(CxlRejReason.OTHER, mismatch);
    if (this.byClOrdId.has(key(client, parsed.value.clOrdId))) return reject(CxlRejReason.DUPLICATE_CLORDID, `ClOrdID '${parsed.value.clOrdId}' was already used`);
    const entry: Pending = { orderId: o.orderId, kind, ids: ids! };
    this.pending.push(entry);
    let r: Result<{ orderId: number }>;
    if (msgType === 'F') r = await this.opts.proxy.cancel(o.orderId);
    else {
      const change = parsed.value as OrderRef & { quantity: number; price: number | undefined };
      r = await this.opts.proxy.replace(o.orderId, { quantity: change.quantity, price: change.price ?? o.price });
    }
    if (r.ok) return;
    const i = this.pending.indexOf(entry);
    if (i >= 0) this.pending.splice(i, 1);
    const code = r.error.code;
    reject(
      code === 'ORDER_TERMINAL' ? CxlRejReason.TOO_LATE_TO_CANCEL : code === 'UNKNOWN_ORDER' ? CxlRejReason.UNKNOWN_ORDER : code === 'REPLACE_PENDING' ? CxlRejReason.ALREADY_PENDING : CxlRejReason.OTHER,
      `${code}: ${r.error.message}`,
    );
  }

  /** OrderStatusRequest (H): an ExecutionReport (ExecType I) of the order as it stands now. */
  private async status(s: OrdoFixSession, client: string, body: ILooseObject): Promise<void> {
    const clOrdId = typeof body['ClOrdID'] === 'string' ? body['ClOrdID'] : '';
    const o = await this.resolve(client, { clOrdId, origClOrdId: clOrdId, orderId: body['OrderID'] === undefined ? undefined : String(body['OrderID']) });
    const execId = `S${this.session}.${this.lastSeq}.${this.nextStatusId++}`;
    if (!o) {
      const named = body['OrderID'] === undefined ? `ClOrdID '${clOrdId}'` : `ClOrdID '${clOrdId}' or OrderID '${String(body['OrderID'])}'`;
      this.rejectNew(s, body, clOrdId || 'NONE', OrdRejReason.UNKNOWN_ORDER, `unknown order: no order of ${client} has ${named}`, ExecType.ORDER_STATUS);
      return;
    }
    const r = execReport(o, this.chains.current(o.orderId) ?? o.clientOrderId, execId, ExecType.ORDER_STATUS, Date.now() * 1000);
    const [type, msg] = encodeReport(r);
    s.sendApp(type, msg);
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  return { promise, resolve, reject };
}
