import type {
  ComponentView,
  EventLine,
  EventQuery,
  NewOrderRequest,
  OrdoApi,
  ReplaceRequest,
  Result,
  SessionRoll,
  StateUpdate,
  StateView,
} from '../../contract/api.ts';
import type { ComponentAction } from '../../contract/domain.ts';
import { toEventLine } from '../protocol/event-line.ts';
import type { CommandBody } from '../protocol/events.ts';
import type { ClientProxyComponent } from '../oms/components/client-proxy.ts';
import { projectionAt } from '../oms/projection-at.ts';
import { toStateView } from '../oms/views.ts';
import type { Sequencer } from '../sequencer/sequencer.ts';
import type { ReadableLog } from '../store/log.ts';
import type { HeartbeatCollector } from './heartbeat-collector.ts';
import type { LiveView } from './live-view.ts';
import { rollSession } from './session-roll.ts';

/** How often subscribers get a batch of changes. */
export const PUSH_INTERVAL_MS = 100;

export interface HostApiDeps {
  readonly sequencer: Sequencer;
  readonly readLog: ReadableLog;
  readonly view: LiveView;
  readonly proxy: ClientProxyComponent;
  readonly heartbeats: HeartbeatCollector;
  readonly staleMs: number;
  /** Orders a component to stop over the admin stream. */
  readonly shutdown: (componentId: string) => void;
  /** Makes sure every role has an active instance (after a session opens). */
  readonly ensureActive: () => Promise<void>;
  /** Resolves once the shared projection has applied events up to (session, seq), or after `ms`. */
  readonly reached: (session: number, seq: number, ms: number) => Promise<void>;
}

function fail(code: string, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

/** The typed API, implemented once; HTTP, WebSocket and IPC all call this. */
export class HostApi implements OrdoApi {
  private readonly listeners = new Set<(u: StateUpdate) => void>();
  private readonly timer: NodeJS.Timeout;
  private lastGeneration = 0;

  constructor(private readonly d: HostApiDeps) {
    this.timer = setInterval(() => this.push(), PUSH_INTERVAL_MS);
  }

  submitOrder(order: NewOrderRequest): Promise<Result<{ orderId: number }>> {
    return this.d.proxy.submit(order);
  }

  cancelOrder(orderId: number): Promise<Result<{ orderId: number }>> {
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
      if (!forced.ok) return forced;
    }
    return { ok: true, value: { sessionId: session } };
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
    const seen = this.d.heartbeats.components.get(componentId);
    if (!seen) return fail('NOT_FOUND', `no component '${componentId}' has been heard from`);
    const role = seen.hb.role;
    let r: Result<null>;
    switch (action) {
      case 'activate':
        if (seen.hb.state === 'stopped') return fail('COMPONENT_STOPPED', `${componentId} is stopped; start it again first`);
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
    const now = Date.now();
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
          heartbeatAgeMs: age,
          stale: age > this.d.staleMs && hb.state !== 'stopped',
          active: active.get(hb.role) === hb.id,
        };
      })
      .sort((a, b) => (a.role === b.role ? (a.id < b.id ? -1 : 1) : a.role < b.role ? -1 : 1));
  }

  private liveState(): StateView {
    const v = toStateView(this.d.view.projection);
    v.session.eventRate = this.d.view.eventRate(Date.now());
    for (const i of v.instruments) Object.assign(i, this.d.view.quotes.get(i.symbol));
    v.components = this.components();
    return v;
  }

  async getState(at?: { session?: number; seq: number }): Promise<Result<StateView>> {
    if (!at) return { ok: true, value: this.liveState() };
    const session = at.session ?? this.d.view.projection.session.id;
    const past = projectionAt(this.d.readLog, session, at.seq);
    if (!past.ok) {
      if (past.problem === 'no-session') return fail('NOT_FOUND', `no session ${session}`);
      return fail('BAD_REQUEST', `session ${session} has only ${past.lastSeq} events; seq ${at.seq} is in the future`);
    }
    return { ok: true, value: toStateView(past.projection, at.seq) };
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

  subscribe(listener: (update: StateUpdate) => void): () => void {
    this.listeners.add(listener);
    listener({ reset: this.liveState(), events: this.d.view.eventTail() });
    return () => this.listeners.delete(listener);
  }

  private push(): void {
    const view = this.d.view;
    const now = Date.now();
    if (view.generation !== this.lastGeneration) {
      // A new session began: everyone starts from a fresh state.
      this.lastGeneration = view.generation;
      view.takeChanges(now);
      const reset = this.liveState();
      for (const l of this.listeners) l({ reset });
      return;
    }
    const u = view.takeChanges(now);
    const update: StateUpdate = u ?? {};
    update.components = this.components();
    for (const l of this.listeners) l(update);
  }

  close(): void {
    clearInterval(this.timer);
    this.listeners.clear();
  }
}
