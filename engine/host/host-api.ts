import type {
  CancelResult,
  ComponentView,
  EventLine,
  EventQuery,
  FillQuery,
  FillView,
  NewOrderRequest,
  OrderQuery,
  OrderView,
  Page,
  OrdoApi,
  ReplaceRequest,
  Result,
  SessionRoll,
  StateUpdate,
  StateView,
} from '../../contract/api.ts';
import type { ComponentAction } from '../../contract/domain.ts';
import { TERMINAL_STATES } from '../../contract/domain.ts';
import type { EventPage, EventSearchQuery, OrderHistoryQuery, OrderHistoryView, SessionSummary, TimelineQuery, TimelineView } from '../../contract/history.ts';
import { orderHistory, searchEvents } from './order-history.ts';
import { Timelines } from './timeline.ts';
import { nextTurn, OrderWindows, SLICE_ROWS } from './order-window.ts';
import type { OrderSelection, OrderWindow, OrderWindowQuery, SelectionCancel } from '../../contract/order-window.ts';
import type { SuperviseResult } from './supervisor.ts';
import { toEventLine } from '../protocol/event-line.ts';
import type { CommandBody } from '../protocol/events.ts';
import type { ClientProxyComponent } from '../oms/components/client-proxy.ts';
import type { OmsProjection } from '../oms/projection.ts';
import { boundedState, fillPage, orderPage, STATE_LIST_LIMIT, type PastCall } from './past-states.ts';
import { PastStateProcess } from './past-state-process.ts';
import type { SpareGate } from './spare-gate.ts';
import { FillWindows } from './fill-window.ts';
import type { FillWindow, FillWindowQuery } from '../../contract/fill-window.ts';
import { alertViews, clientViews, fillView, instrumentViews, orderView, sessionView } from '../oms/views.ts';
import type { Sequencer } from '../sequencer/sequencer.ts';
import type { ReadableLog } from '../store/log.ts';
import type { HeartbeatCollector } from './heartbeat-collector.ts';
import type { LiveView } from './live-view.ts';
export { boundedState, STATE_LIST_LIMIT } from './past-states.ts';
import { encodePush, SubscriberPipe, type PipeLimits, type PipeSocket } from './subscriber-pipe.ts';
import type { RiskAdmin } from './risk-admin.ts';
import type { FixView } from '../../contract/fix.ts';
import type { HaltRequest, LimitsChange, PositionView, RestrictRequest, RiskView } from '../../contract/risk.ts';
import { STORAGE_UNAVAILABLE } from '../../contract/api-errors.ts';
import { finishInterruptedRoll, rollSession } from './session-roll.ts';

/** How often subscribers get a batch of changes. */
export const PUSH_INTERVAL_MS = 100;
/** Orders or fills per message of a subscriber's initial state. */
export const STATE_PAGE = 1000;
/**
 * Newest orders and fills a UI subscriber's initial state carries (decision
 * 150): what a trader looks at first, and small enough to parse at once
 * (about 2 MB of JSON). A larger session's blotter asks for windows.
 */
export const UI_STATE_ROWS = 5000;
const TERMINAL_ORDER_STATES: ReadonlySet<string> = new Set(TERMINAL_STATES);
/** Cancels a selection sends at once (then waits for their answers): many thousands at once would flood the proxy. */
const CANCEL_CHUNK = 100;

export interface HostApiDeps {
  readonly sequencer: Sequencer;
  readonly readLog: ReadableLog;
  readonly view: LiveView;
  readonly proxy: ClientProxyComponent;
  readonly heartbeats: HeartbeatCollector;
  /**
   * The host's own (in-process) component of that id, if any: an operator's action right after start-up, before
   * its first heartbeat has come in, still finds it.
   */
  readonly inProcess?: (componentId: string) => { readonly role: string; readonly stopped: boolean } | undefined;
  readonly staleMs: number;
  /** Orders a component to stop over the admin stream. */
  readonly shutdown: (componentId: string) => void;
  /** Makes sure every role has an active instance (after a session opens). */
  readonly ensureActive: () => Promise<void>;
  /** Resolves once the shared projection has applied events up to (session, seq), or after `ms`. */
  readonly reached: (session: number, seq: number, ms: number) => Promise<void>;
  /** The host's supervisor of its in-process components (decision 111); absent: nothing to restart. */
  readonly supervise?: {
    restart(componentId: string): Promise<SuperviseResult>;
    addStandby(role: string): Promise<SuperviseResult>;
  };
  /** Risk's controls and positions (issue 12). */
  readonly risk: RiskAdmin;
  /** The FIX client acceptor (issue 13); absent without --fix-port. */
  readonly fix?: FixSessionsSource;
  /** Newest orders and fills in a UI subscriber's initial state (default UI_STATE_ROWS). */
  readonly uiStateRows?: number;
}

/** What getFixSessions reads from the FIX acceptor (engine/fix/acceptor/component.ts). */
export interface FixSessionsSource {
  readonly port: number | undefined;
  readonly host: string;
  sessions(): readonly { clientId: string; connected: boolean; inSeq: number; outSeq: number; owed: number; rebuildFrom: number | undefined; lastReason: string | undefined }[];
}

/**
 * A UI subscriber's state (decision 150): the newest `rows` orders and fills,
 * newest first, with the session's counts, so the blotter shows the live end
 * of the session at once and windows the rest from the host.
 */
export function uiState(p: OmsProjection, rows: number, fillEnd = p.fillCount): StateView {
  const v: StateView = { session: sessionView(p), instruments: instrumentViews(p), clients: clientViews(p), orders: [], fills: [], components: [], alerts: alertViews(p) };
  const n = p.orderCount;
  v.orderCount = n;
  v.ordersShown = Math.min(n, rows);
  const newest: OrderView[] = [];
  for (const o of p.orders(n - v.ordersShown)) newest.push(orderView(o));
  v.orders = newest.reverse();
  v.fillCount = fillEnd;
  v.fillsShown = Math.min(fillEnd, rows);
  for (let i = fillEnd - 1; i >= fillEnd - v.fillsShown; i--) v.fills.push(fillView(p.fillAt(i)!));
  return v;
}

function fail(code: string, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

/** The typed API, implemented once; HTTP, WebSocket and IPC all call this. */
export class HostApi implements OrdoApi {
  private readonly listeners = new Set<(u: StateUpdate) => void>();
  private readonly pipes = new Set<SubscriberPipe>();
  private readonly timer: NodeJS.Timeout;
  private lastGeneration = 0;

  constructor(private readonly d: HostApiDeps) {
    this.timer = setInterval(() => this.push(), PUSH_INTERVAL_MS);
    this.past = new PastStateProcess(d.readLog);
  }

  submitOrder(order: NewOrderRequest): Promise<Result<{ orderId: number }>> {
    return this.d.proxy.submit(order);
  }

  cancelOrder(orderId: number): Promise<Result<CancelResult>> {
    return this.d.proxy.cancel(orderId);
  }

  replaceOrder(orderId: number, change: ReplaceRequest): Promise<Result<{ orderId: number }>> {
    return this.d.proxy.replace(orderId, change);
  }

  /** Sequences a host command; resolves when it is stored (or refused). */
  async hostCommand(body: CommandBody): Promise<Result<null>> {
    const seq = this.d.sequencer;
    const refusal = await seq.request({ src: 'host', cseq: seq.nextCseq('host'), body });
    return refusal ? fail(refusal.code, refusal.message) : { ok: true, value: null };
  }

  async openSession(): Promise<Result<{ sessionId: number }>> {
    const r = await this.hostCommand({ type: 'OpenSession' });
    if (!r.ok) return r;
    await this.d.ensureActive();
    await this.proxyCaughtUp();
    return { ok: true, value: { sessionId: this.d.sequencer.position.session } };
  }

  /**
   * Read-your-writes for API callers: resolves once the client proxy has
   * applied the log up to the sequencer's head (or after `ms`), so an order
   * sent as soon as openSession answers is not refused by a proxy that has
   * not yet seen the session open.
   */
  private async proxyCaughtUp(ms = 2000): Promise<void> {
    const { session, seq } = this.d.sequencer.position;
    await this.d.reached(session, seq, ms);
  }

  /**
   * Closes the session: SessionClosing at once, SessionClosed once the venue
   * confirmed the end of every day order (docs/decisions/073). Answers when the
   * session is closed; if the venue has not confirmed within
   * `closeTimeoutMs` (default 10 s), closes it by force (SESSION_CLOSE_FORCED).
   */
  async closeSession(closeTimeoutMs = 10_000): Promise<Result<{ sessionId: number }>> {
    const session = this.d.sequencer.position.session;
    const r = await this.hostCommand({ type: 'CloseSession' });
    if (!r.ok) return r;
    const end = Date.now() + closeTimeoutMs;
    while (this.d.sequencer.position.phase === 'closing' && Date.now() < end) await new Promise((res) => setTimeout(res, 5));
    if (this.d.sequencer.position.phase === 'closing') {
      const forced = await this.hostCommand({ type: 'CloseSession', force: true });
      if (!forced.ok) {
        // Decision 145: SessionClosing is in the log, so the session stays closing (no new orders); its end could
        // not be stored. Say so, and what finishes it: the close completes by itself once the venue's reports can
        // be stored again, and a close asked again then forces it after the same wait.
        if (forced.error.code === STORAGE_UNAVAILABLE && this.d.sequencer.position.phase === 'closing') {
          return fail(STORAGE_UNAVAILABLE, `session ${session} is closing and takes no new orders, but its close cannot be stored (${forced.error.message}); free space or fix the log's storage: the close then completes by itself as the venue's reports are stored, or close again to force it`);
        }
        return forced;
      }
    }
    return { ok: true, value: { sessionId: session } };
  }

  /** At start-up: finishes a roll the previous process died in (see finishInterruptedRoll, decision 077). */
  finishInterruptedRoll(): Promise<boolean> {
    return finishInterruptedRoll({
      sequencer: this.d.sequencer,
      hostCommand: (body) => this.hostCommand(body),
      ensureActive: () => this.d.ensureActive(),
      proxyCaughtUp: () => this.proxyCaughtUp(),
    });
  }

  /** Zero-downtime roll to the next session (see session-roll.ts, decision 074). */
  rollSession(): Promise<Result<SessionRoll>> {
    return rollSession({
      sequencer: this.d.sequencer,
      hostCommand: (body) => this.hostCommand(body),
      ensureActive: () => this.d.ensureActive(),
      proxyCaughtUp: () => this.proxyCaughtUp(),
    });
  }

  async componentAction(componentId: string, action: ComponentAction): Promise<Result<{ componentId: string }>> {
    const hb = this.d.heartbeats.components.get(componentId)?.hb;
    const seen = hb ? { role: hb.role, stopped: hb.state === 'stopped' } : this.d.inProcess?.(componentId);
    if (!seen) return fail('NOT_FOUND', `no component '${componentId}' has been heard from`);
    const role = seen.role;
    let r: Result<null>;
    switch (action) {
      case 'activate':
        if (seen.stopped) return fail('COMPONENT_STOPPED', `${componentId} is stopped; restart it first (Restart in the Components tab, POST /api/components/${componentId}/restart, or ordo admin restart)`);
        r = await this.hostCommand({ type: 'ComponentActivated', role, instance: componentId });
        break;
      case 'deactivate':
        if (this.d.sequencer.activeRoles.get(role) !== componentId) return fail('NOT_ACTIVE', `${componentId} is not the active ${role}`);
        r = await this.hostCommand({ type: 'ComponentDeactivated', role, instance: componentId });
        break;
      case 'shutdown':
        r = await this.hostCommand({ type: 'ComponentStopped', role, instance: componentId });
        if (r.ok) this.d.shutdown(componentId);
        break;
    }
    return r.ok ? { ok: true, value: { componentId } } : r;
  }

  components(): ComponentView[] {
    const now = performance.now(); // heartbeats' receivedMs is monotonic
    const head = this.d.sequencer.position.seq;
    const active = this.d.sequencer.activeRoles;
    return [...this.d.heartbeats.components.values()]
      .map(({ hb, receivedMs }) => {
        const age = now - receivedMs;
        return {
          id: hb.id,
          role: hb.role,
          state: hb.state,
          lastSeq: hb.lastSeq,
          lag: Math.max(0, head - hb.lastSeq),
          heartbeatAgeMs: Math.round(age),
          stale: age > this.d.staleMs && hb.state !== 'stopped',
          active: active.get(hb.role) === hb.id,
        };
      })
      .sort((a, b) => (a.role === b.role ? (a.id < b.id ? -1 : 1) : a.role < b.role ? -1 : 1));
  }

  /** The live state; without orders and fills when `head` (the first message of a paged state). */
  private liveState(head = false): StateView {
    return this.decorate(boundedState(this.d.view.projection, head ? 0 : STATE_LIST_LIMIT));
  }

  /** The UI's initial state: the newest orders and fills with the session's counts (decision 150). */
  private uiLiveState(withRows: boolean, fillEnd?: number): StateView {
    const p = this.d.view.projection;
    const v = uiState(p, withRows ? (this.d.uiStateRows ?? UI_STATE_ROWS) : 0, fillEnd);
    if (!withRows) {
      // The rows follow in pages: say how many will come.
      const rows = this.d.uiStateRows ?? UI_STATE_ROWS;
      v.ordersShown = Math.min(p.orderCount, rows);
      v.fillsShown = Math.min(v.fillCount ?? 0, rows);
    }
    return this.decorate(v);
  }

  private decorate(v: StateView): StateView {
    v.session.eventRate = this.d.view.eventRate(Date.now());
    for (const i of v.instruments) Object.assign(i, this.d.view.quotes.get(i.symbol));
    v.components = this.components();
    this.d.risk.decorate(v);
    return v;
  }

  // ---- FIX (issue 13) -----------------------------------------------------

  getFixSessions(): Promise<Result<FixView>> {
    const f = this.d.fix;
    if (!f) return Promise.resolve({ ok: true, value: { enabled: false, port: null, host: null, sessions: [] } });
    const sessions = f.sessions().map((x) => ({ ...x, rebuildFrom: x.rebuildFrom ?? null, lastReason: x.lastReason ?? null }));
    return Promise.resolve({ ok: true, value: { enabled: true, port: f.port ?? null, host: f.port === undefined ? null : f.host, sessions } });
  }

  // ---- risk (issue 12): RiskAdmin validates and sequences -----------------

  getPositions(): Promise<Result<PositionView[]>> {
    return Promise.resolve({ ok: true, value: this.d.risk.positions() });
  }

  getRisk(): Promise<Result<RiskView>> {
    return Promise.resolve({ ok: true, value: this.d.risk.overview() });
  }

  haltClient(clientId: string, halt: HaltRequest): Promise<Result<{ clientId: string | null }>> {
    return this.d.risk.halt(clientId, halt);
  }

  resumeClient(clientId: string, halt: HaltRequest): Promise<Result<{ clientId: string | null }>> {
    return this.d.risk.resume(clientId, halt);
  }

  haltFirm(halt: HaltRequest): Promise<Result<{ clientId: string | null }>> {
    return this.d.risk.halt(undefined, halt);
  }

  resumeFirm(halt: HaltRequest): Promise<Result<{ clientId: string | null }>> {
    return this.d.risk.resume(undefined, halt);
  }

  setLimits(clientId: string, limits: LimitsChange): Promise<Result<{ clientId: string; limits: LimitsChange }>> {
    return this.d.risk.setLimits(clientId, limits);
  }

  setRestricted(symbol: string, r: RestrictRequest): Promise<Result<{ symbol: string; restricted: boolean }>> {
    return this.d.risk.setRestricted(symbol, r.restricted, r);
  }

  async getState(at?: { session?: number; seq: number }): Promise<Result<StateView>> {
    if (!at) return { ok: true, value: this.liveState() };
    return this.pastCall<StateView>({ kind: 'state', session: at.session ?? this.liveSession(), seq: at.seq });
  }

  /**
   * The time machine (decisions 085, 167): every call about a past state goes
   * to the past-state process (decision 295), which rebuilds the projection of (session, seq)
   * from the newest checkpoint at or before it plus the tail, and keeps it for
   * the calls that page through it (getState, then getOrders/getFills with
   * `at` and the cursor, and the blotters' windows with `at`), so one past
   * state costs one rebuild, and no rebuild holds this thread's event loop.
   * The process (and the past projection's memory: ~0.5 GiB at 1 M orders,
   * bench/mem.ts, round 4) goes once no call has used it for `pastKeptMs`.
   */
  private pastCall<T>(c: PastCall): Promise<Result<T>> {
    return this.past.call(c) as Promise<Result<T>>;
  }

  private liveSession(): number {
    return this.d.view.projection.session.id;
  }

  private readonly past: PastStateProcess;

  /** How long the time machine's last projection (and its thread) is kept after its last use (ms; host wall time, not an event handler). */
  get pastKeptMs(): number {
    return this.past.keptMs;
  }
  set pastKeptMs(ms: number) {
    this.past.keptMs = ms;
  }

  /** Whether a past projection is kept (tests and figures). */
  get keepsPastProjection(): boolean {
    return this.past.keepsPastProjection;
  }

  /** Whether the time machine's calls run in its own process now (tests and figures; decision 295). */
  get pastApart(): boolean {
    return this.past.apart;
  }

  /**
   * Keeps a time machine process started ahead of its first call (decision 295): one now (or, with a `gate`, once
   * it says the host is quiet: decision 300), and a fresh one each time an idle one ends. `ordo host` asks once it
   * is ready, with `quietLoop()`.
   */
  keepPastSpare(gate?: SpareGate): void {
    this.past.keepSpare(gate);
  }

  /** Whether the time machine's spare is waiting for a quiet host (tests and figures). */
  get pastSpareWaiting(): boolean {
    return this.past.spareWaiting;
  }

  /** The time machine's process id while one runs (tests and figures). */
  get pastPid(): number | undefined {
    return this.past.pid;
  }

  /** How the time machine's last answered call got its projection (tests and figures). */
  get lastPastBuild(): PastStateProcess['lastBuild'] {
    return this.past.lastBuild;
  }

  /**
   * One page of the live session's orders (oldest first), filtered, or of a
   * past state's with `at`. The cursor is a row position, so a page costs
   * what it scans (orderPage).
   */
  async getOrders(q: OrderQuery): Promise<Result<Page<OrderView>>> {
    if (q.at !== undefined) return this.pastCall({ kind: 'orders', session: q.session ?? this.liveSession(), seq: q.at, q });
    return { ok: true, value: orderPage(this.d.view.projection, q) };
  }

  private readonly windows = new OrderWindows();

  /** The blotter's window of the live session's orders (or, with `at`, a past state's): filtered, sorted, sliced, with counts (decisions 150, 166). */
  async getOrderWindow(q: OrderWindowQuery): Promise<Result<OrderWindow>> {
    if (q.at !== undefined) return this.pastCall({ kind: 'orderWindow', session: q.session ?? this.liveSession(), seq: q.at, q });
    // Built in slices, a turn of the event loop each: a million orders sorted at once held it for a second.
    return { ok: true, value: await this.windows.windowSliced(this.d.view.projection, q) };
  }

  private readonly fillWindows = new FillWindows();

  /** The fills blotter's window of the live session's fills (or, with `at`, a past state's): filtered, sorted, sliced, with counts (decision 166). */
  async getFillWindow(q: FillWindowQuery): Promise<Result<FillWindow>> {
    if (q.at !== undefined) return this.pastCall({ kind: 'fillWindow', session: q.session ?? this.liveSession(), seq: q.at, q });
    // Built in slices on this thread, as the order window (a first sort of a million fills is a second's work).
    return { ok: true, value: await this.fillWindows.windowSliced(this.d.view.projection, q) };
  }

  /**
   * Cancels every working order of a blotter selection (decision 164): all
   * orders matching a filter, or a range of the sorted list between two
   * orders. Each is an ordinary cancel through the client proxy (a request:
   * the order stays working until the venue confirms), a chunk at a time so
   * the host's loop keeps turning. `dryRun` only counts (the confirmation).
   */
  async cancelSelection(s: OrderSelection): Promise<Result<SelectionCancel>> {
    const p = this.d.view.projection;
    // The list is built (or reused) in slices, as the window's: "All N matching" of a million orders was a
    // second's sort on this thread; the working ones are picked out a slice per turn too.
    const ids = await this.windows.selectionSliced(p, s);
    if (ids === undefined) return fail('NOT_FOUND', `orderSelection: order ${s.fromId} or ${s.toId} is not in the list and no row was given for it`);
    const working: number[] = [];
    for (let i = 0; i < ids.length; i += SLICE_ROWS) {
      if (i > 0) await nextTurn();
      for (const id of ids.slice(i, i + SLICE_ROWS)) {
        const o = p.order(id);
        if (o !== undefined && !TERMINAL_ORDER_STATES.has(o.state)) working.push(id);
      }
    }
    const out: SelectionCancel = { selected: ids.length, working: working.length, requested: 0, queuedForOpen: 0, failed: 0 };
    if (s.dryRun === true) return { ok: true, value: out };
    for (let i = 0; i < working.length; i += CANCEL_CHUNK) {
      const rs = await Promise.all(working.slice(i, i + CANCEL_CHUNK).map((id) => this.d.proxy.cancel(id)));
      for (const r of rs) {
        if (!r.ok) {
          out.failed++;
          out.firstError ??= r.error.message;
        } else if (r.value.queuedForOpen === true) out.queuedForOpen++;
        else out.requested++;
      }
    }
    return { ok: true, value: out };
  }

  /** One page of the live session's fills in log order, filtered, or of a past state's with `at` (cursor and cost as getOrders). */
  async getFills(q: FillQuery): Promise<Result<Page<FillView>>> {
    if (q.at !== undefined) return this.pastCall({ kind: 'fills', session: q.session ?? this.liveSession(), seq: q.at, q });
    return { ok: true, value: fillPage(this.d.view.projection, q) };
  }

  async restartComponent(componentId: string): Promise<Result<{ componentId: string }>> {
    if (!this.d.supervise) return fail('NOT_SUPERVISED', `${componentId} is not supervised by this host`);
    const r = await this.d.supervise.restart(componentId);
    return r.ok ? { ok: true, value: { componentId: r.componentId } } : fail(r.code, r.message);
  }

  async addStandby(role: string): Promise<Result<{ componentId: string }>> {
    if (!this.d.supervise) return fail('NOT_SUPERVISED', 'this host runs no components of its own');
    const r = await this.d.supervise.addStandby(role);
    return r.ok ? { ok: true, value: { componentId: r.componentId } } : fail(r.code, r.message);
  }

  async getOrderHistory(q: OrderHistoryQuery): Promise<Result<OrderHistoryView>> {
    const session = q.session ?? this.d.view.projection.session.id;
    if (session === 0) return fail('UNKNOWN_ORDER', `no order ${q.orderId}: no session yet`);
    const h = orderHistory(this.d.readLog, this.d.view.projection, session, q.orderId);
    return h ? { ok: true, value: h } : fail('UNKNOWN_ORDER', `no order ${q.orderId} in session ${session}`);
  }

  async getSessions(): Promise<Result<SessionSummary[]>> {
    return {
      ok: true,
      value: this.d.readLog.sessionHeads().map((s) => ({
        id: s.id,
        state: s.state,
        openedTs: s.openedTs,
        lastSeq: s.lastSeq,
        ...(s.closedTs !== null ? { closedTs: s.closedTs } : {}),
      })),
    };
  }

  private timelines: Timelines | undefined;

  /** The time machine's axis: events per span of the session's time, and the seq as of `atTs` (decision 113). */
  async getTimeline(q: TimelineQuery): Promise<Result<TimelineView>> {
    const session = q.session ?? this.d.view.projection.session.id;
    if (session === 0) return { ok: true, value: { session: 0, firstTs: 0, lastTs: 0, lastSeq: 0, bucketUs: 1_000_000, buckets: [] } };
    if (!this.d.readLog.hasSession(session)) return fail('NOT_FOUND', `no session ${session}`);
    this.timelines ??= new Timelines(this.d.readLog);
    return { ok: true, value: await this.timelines.viewInSlices(session, this.d.readLog.lastSeq(session), q.buckets, q.atTs) };
  }

  async searchEvents(q: EventSearchQuery): Promise<Result<EventPage>> {
    const session = q.session ?? this.d.view.projection.session.id;
    if (session === 0) return { ok: true, value: { events: [] } };
    return { ok: true, value: searchEvents(this.d.readLog, this.d.view.projection, { ...q, session }) };
  }

  async getEvents(q: EventQuery): Promise<Result<EventLine[]>> {
    const session = q.session ?? this.d.view.projection.session.id;
    if (session === 0) return { ok: true, value: [] };
    const head = this.d.readLog.lastSeq(session);
    const limit = q.limit ?? 200;
    const to = Math.min(q.to ?? head, head);
    const from = q.from ?? Math.max(1, to - limit + 1);
    const out: EventLine[] = [];
    for (const e of this.d.readLog.events(session, from, to)) {
      out.push(toEventLine(session, e));
      if (out.length >= limit) break;
    }
    return { ok: true, value: out };
  }

  /**
   * A WebSocket subscriber with bounded memory: its initial state in pages,
   * pushes encoded once for all, nothing buffered past its cap
   * (SubscriberPipe). Returns the unsubscribe function.
   */
  subscribeSocket(socket: PipeSocket, limits?: PipeLimits): () => void {
    const pipe = new SubscriberPipe(socket, () => this.pagedState(), limits);
    this.pipes.add(pipe);
    this.watchView();
    return () => {
      this.pipes.delete(pipe);
      this.watchView();
    };
  }

  /** The live state as a sequence of pushes: a reset without orders and fills, then pages of them. */
  private *pagedState(): Generator<StateUpdate> {
    const view = this.d.view;
    const generation = view.generation;
    const p = view.projection;
    // Fills after this one come as live pushes (the view has them as changes).
    const fillEnd = view.pushedFills;
    // Only the newest rows (decision 150): a million orders were 394 MB of JSON for the UI to parse.
    const reset = this.uiLiveState(false, fillEnd);
    yield { reset, events: view.eventTail() };
    const orderEnd = reset.orderCount ?? 0;
    const orderStart = orderEnd - (reset.ordersShown ?? 0);
    // Newest page first: the top of the blotter fills in before the rest.
    for (let end = orderEnd; end > orderStart; end -= STATE_PAGE) {
      if (view.generation !== generation) return;
      const orders: OrderView[] = [];
      const start = Math.max(orderStart, end - STATE_PAGE);
      for (const o of p.orders(start)) {
        if (orders.length >= end - start) break;
        orders.push(orderView(o));
      }
      yield { orders: orders.reverse() };
    }
    const fillStart = fillEnd - (reset.fillsShown ?? 0);
    for (let end = fillEnd; end > fillStart; end -= STATE_PAGE) {
      if (view.generation !== generation) return;
      const fills: FillView[] = [];
      for (let j = end - 1; j >= Math.max(fillStart, end - STATE_PAGE); j--) fills.push(fillView(p.fillAt(j)!));
      yield { fills };
    }
  }

  subscribe(listener: (update: StateUpdate) => void): () => void {
    this.listeners.add(listener);
    this.watchView();
    listener({ reset: this.uiLiveState(true), events: this.d.view.eventTail() });
    return () => {
      this.listeners.delete(listener);
      this.watchView();
    };
  }

  /** The view notes changed orders only while someone subscribes (issue 15). */
  private watchView(): void {
    this.d.view.watched = this.listeners.size > 0 || this.pipes.size > 0;
  }

  private push(): void {
    const view = this.d.view;
    const now = Date.now();
    if (view.generation !== this.lastGeneration) {
      // A new session began: everyone starts from a fresh state.
      this.lastGeneration = view.generation;
      view.takeChanges(now);
      if (this.listeners.size > 0) {
        const reset = this.uiLiveState(true);
        for (const l of this.listeners) l({ reset });
      }
      for (const pipe of this.pipes) pipe.reset();
      return;
    }
    if (this.listeners.size === 0 && this.pipes.size === 0) {
      view.dropChanges();
      return;
    }
    const u = view.takeChanges(now);
    const update: StateUpdate = u ?? {};
    update.components = this.components();
    for (const l of this.listeners) l(update);
    if (this.pipes.size > 0) {
      const text = encodePush(update);
      const mono = performance.now();
      for (const pipe of this.pipes) {
        pipe.push(text, mono);
        if (pipe.isClosed) this.pipes.delete(pipe);
      }
      this.watchView();
    }
  }

  /** Stops the pushes and ends the time machine's process (its read connection closes before the log's writer). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.past.close();
    this.listeners.clear();
    this.pipes.clear();
  }
}
