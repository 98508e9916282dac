import type { EventListener } from '../bus/event-stream.ts';
import type { Sequenced } from '../protocol/events.ts';

interface Waiter {
  readonly session: number;
  readonly seq: number;
  readonly done: () => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Decision 006: the components of one process read one shared projection.
 * This is the one listener on the event stream that keeps that true: event
 * by event, the owner of the projection (the live view) applies it first,
 * then every component reacts to the same event, as it would with a
 * projection of its own. It also tells waiters when the shared projection
 * has reached a position (read-your-writes for API calls).
 */
export class ProjectionFanOut implements EventListener {
  private readonly one: Sequenced[] = [];
  private readonly waiters = new Set<Waiter>();
  private session = 0;
  private seq = 0;

  /** `owner` applies the shared projection; `reactors` read it after. */
  constructor(
    private readonly owner: EventListener,
    private readonly reactors: readonly EventListener[],
  ) {}

  onEvents(session: number, events: readonly Sequenced[]): void {
    const one = this.one;
    for (const e of events) {
      one[0] = e;
      this.owner.onEvents(session, one);
      for (const r of this.reactors) r.onEvents(session, one);
    }
    const last = events[events.length - 1];
    if (last === undefined) return;
    this.session = session;
    this.seq = last.seq;
    for (const w of this.waiters) if (this.reached(w.session, w.seq)) this.settle(w);
  }

  /** Resolves once events up to (session, seq) have been applied and reacted to, or after `ms` (never rejects). */
  reachedOrTimeout(session: number, seq: number, ms: number): Promise<void> {
    if (this.reached(session, seq)) return Promise.resolve();
    return new Promise((resolve) => {
      const w: Waiter = { session, seq, done: resolve, timer: setTimeout(() => this.settle(w), ms) };
      this.waiters.add(w);
    });
  }

  private reached(session: number, seq: number): boolean {
    return this.session > session || (this.session === session && this.seq >= seq);
  }

  private settle(w: Waiter): void {
    if (!this.waiters.delete(w)) return;
    clearTimeout(w.timer);
    w.done();
  }
}
