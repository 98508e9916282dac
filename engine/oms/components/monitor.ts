import type { CommandSink, ComponentLogic } from '../../component/logic.ts';
import type { Heartbeat } from '../../component/heartbeat.ts';
import { ALERT_KINDS } from '../../../contract/roles.ts';
import type { Sequenced } from '../../protocol/events.ts';
import { ProjectedComponent } from './projected.ts';
import { WaitingRoles } from './waiting-roles.ts';
import type { OmsProjection } from '../projection.ts';

/** What the monitor reads: the latest heartbeat of each component and its age. */
export interface HeartbeatSource {
  readonly components: ReadonlyMap<string, { readonly hb: Heartbeat; readonly receivedMs: number }>;
}

export interface MonitorOptions {
  readonly source: HeartbeatSource;
  /** A component silent this long is stale. */
  readonly staleMs: number;
  readonly checkMs?: number;
  /** Activate a healthy standby when the active instance of its role goes stale. */
  readonly autoFailover?: boolean;
  /** The clock heartbeats' receivedMs is on; default the monotonic performance.now (decision 084). */
  readonly now?: () => number;
}

export const STALE = ALERT_KINDS.stale;
export const STOPPED = ALERT_KINDS.stopped;
export const UNATTENDED = ALERT_KINDS.unattended;

/** The alert instance naming a role rather than a component: `role:router`. */
export const roleInstance = (role: string): string => `role:${role}`;

/**
 * Heartbeat monitor: raises an alert when a component's heartbeats stop
 * (`stale`), when a component reports itself stopped (`stopped`), and when
 * orders wait on a role that has no healthy active instance (`unattended`:
 * risk deactivated with orders pending, router shut down with orders
 * accepted); clears each when it no longer holds, and (optionally) hands a
 * stale active role to a healthy standby. Heartbeats are not sequenced; the
 * alerts and takeovers it asks for are, so the log explains them.
 */
export class MonitorComponent extends ProjectedComponent implements ComponentLogic {
  readonly role = 'monitor';
  private timer: NodeJS.Timeout | undefined;
  /** Requests sent and not yet seen in the log, to avoid asking twice. */
  private readonly asked = new Set<string>();
  /**
   * How many orders wait on each role (see WAITS_ON_ROLE), kept from the events at O(1) each: no scan per check.
   * Counts, not sets of ids: only the number is ever read, and the role each order waits on is enough to move it,
   * with no pass over every role and no closure per order event (issue 15: allocation and CPU per lifecycle).
   */
  private readonly waiting = new WaitingRoles();

  constructor(
    private readonly opts: MonitorOptions,
    shared?: OmsProjection,
  ) {
    super(shared);
  }

  onActivate(out: CommandSink): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => this.check(out), this.opts.checkMs ?? Math.max(50, Math.floor(this.opts.staleMs / 4)));
  }

  onDeactivate(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.onDeactivate();
  }

  override apply(session: number, e: Sequenced): void {
    super.apply(session, e);
    if (e.event.type === 'SessionOpened') this.forgetWaiting();
    const orderId = (e.event as { orderId?: unknown }).orderId;
    if (typeof orderId === 'number') this.track(orderId);
  }

  /** Started from a checkpoint (decision 140): what each role waits on, from the orders as they stand. */
  resumed(): void {
    this.forgetWaiting();
    for (const o of this.projection.orders()) this.track(o.orderId);
  }

  private forgetWaiting(): void {
    this.waiting.clear();
  }

  /** Files the order under the role it now waits on, if any (the projection already holds the event). */
  private track(orderId: number): void {
    this.waiting.set(orderId, this.projection.waitsOn(orderId));
  }

  /** How many orders wait on `role` now. */
  waitingOn(role: string): number {
    return this.waiting.waitingOn(role);
  }

  /** Once the log shows an alert or takeover, the requests behind it are settled. */
  react(_session: number, e: Sequenced): void {
    const t = e.event.type;
    if (t === 'AlertRaised' || t === 'AlertCleared' || t === 'ComponentActivated' || t === 'ComponentDeactivated' || t === 'ComponentStopped') {
      this.asked.clear();
    }
  }

  /** Asks once for an alert to be raised or cleared, so it is not requested again before the log answers. */
  private request(out: CommandSink, raise: boolean, instance: string, kind: string, message: string): void {
    const key = `${instance}:${kind}:${raise ? 'raise' : 'clear'}`;
    if (this.asked.has(key)) return;
    this.asked.add(key);
    out.send(raise ? { type: 'AlertRaised', instance, kind, message } : { type: 'AlertCleared', instance, kind });
  }

  /** One pass over the heartbeat table. */
  check(out: CommandSink): void {
    if (this.projection.session.state !== 'open') return;
    const now = this.opts.now ? this.opts.now() : performance.now();
    const raised = new Set<string>();
    const raisedKeys = new Set<string>();
    for (const a of this.projection.alerts()) {
      if (a.kind === STALE) raised.add(a.instance);
      raisedKeys.add(`${a.instance}:${a.kind}`);
    }
    const healthy = new Set<string>();
    for (const [id, seen] of this.opts.source.components) {
      const hb = seen.hb;
      const isStopped = hb.state === 'stopped';
      const wasRaised = raisedKeys.has(`${id}:${STOPPED}`);
      if (isStopped && !wasRaised) this.request(out, true, id, STOPPED, `${id} (${hb.role}) stopped`);
      else if (!isStopped && wasRaised) this.request(out, false, id, STOPPED, '');
      if (!isStopped && now - seen.receivedMs <= this.opts.staleMs) healthy.add(id);
    }
    for (const [role, n] of this.waiting.roles()) {
      const active = this.projection.activeInstance(role);
      const attended = active !== undefined && healthy.has(active);
      const wasRaised = raisedKeys.has(`${roleInstance(role)}:${UNATTENDED}`);
      if (n > 0 && !attended && !wasRaised) {
        const why = active === undefined ? `no active ${role}` : `${active} (active ${role}) is not running`;
        this.request(out, true, roleInstance(role), UNATTENDED, `${n} order${n > 1 ? 's' : ''} waiting on ${role}: ${why}`);
      } else if ((n === 0 || attended) && wasRaised) {
        this.request(out, false, roleInstance(role), UNATTENDED, '');
      }
    }
    for (const [id, seen] of this.opts.source.components) {
      if (id === this.instanceIdOf(seen.hb)) continue;
      const age = now - seen.receivedMs;
      const stale = age > this.opts.staleMs && seen.hb.state !== 'stopped';
      const key = `${id}:${stale ? 'raise' : 'clear'}`;
      if (stale && !raised.has(id) && !this.asked.has(key)) {
        this.asked.add(key);
        out.send({ type: 'AlertRaised', instance: id, kind: STALE, message: `${id} (${seen.hb.role}) silent for ${Math.round(age)} ms` });
        if (this.opts.autoFailover !== false) this.failover(id, seen.hb.role, now, out);
      } else if (!stale && raised.has(id) && !this.asked.has(key)) {
        this.asked.add(key);
        out.send({ type: 'AlertCleared', instance: id, kind: STALE });
      }
    }
  }

  private instanceIdOf(hb: Heartbeat): string | undefined {
    return hb.role === 'monitor' && this.projection.activeInstance('monitor') === hb.id ? hb.id : undefined;
  }

  private failover(staleId: string, role: string, now: number, out: CommandSink): void {
    if (this.projection.activeInstance(role) !== staleId) return;
    for (const [id, seen] of this.opts.source.components) {
      if (id === staleId || seen.hb.role !== role || seen.hb.state !== 'standby') continue;
      if (now - seen.receivedMs > this.opts.staleMs) continue;
      out.send({ type: 'ComponentActivated', role, instance: id });
      return;
    }
  }
}
