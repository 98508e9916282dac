import type { CommandSink, ComponentLogic } from '../../component/logic.ts';
import type { Heartbeat } from '../../component/heartbeat.ts';
import type { Sequenced } from '../../protocol/events.ts';
import { ProjectedComponent } from './projected.ts';
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

export const STALE = 'stale';

/**
 * Heartbeat monitor: raises an alert when a component's heartbeats stop,
 * clears it when they resume, and (optionally) hands a stale active role to
 * a healthy standby. Heartbeats are not sequenced; the alerts and takeovers
 * it asks for are, so the log explains them.
 */
export class MonitorComponent extends ProjectedComponent implements ComponentLogic {
  readonly role = 'monitor';
  private timer: NodeJS.Timeout | undefined;
  /** Requests sent and not yet seen in the log, to avoid asking twice. */
  private readonly asked = new Set<string>();

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

  /** Once the log shows an alert or takeover, the requests behind it are settled. */
  react(_session: number, e: Sequenced): void {
    const t = e.event.type;
    if (t === 'AlertRaised' || t === 'AlertCleared' || t === 'ComponentActivated') this.asked.clear();
  }

  /** One pass over the heartbeat table. */
  check(out: CommandSink): void {
    if (this.projection.session.state !== 'open') return;
    const now = this.opts.now ? this.opts.now() : performance.now();
    const raised = new Set<string>();
    for (const a of this.projection.alerts()) if (a.kind === STALE) raised.add(a.instance);
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
