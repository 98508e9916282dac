import type { EventLine, InstrumentView, StateUpdate } from '../../contract/api.ts';
import type { EventListener } from '../bus/event-stream.ts';
import { toEventLine } from '../protocol/event-line.ts';
import type { Sequenced } from '../protocol/events.ts';
import { OmsProjection } from '../oms/projection.ts';
import { alertViews, fillView, orderView, sessionView } from '../oms/views.ts';
import type { MarketData } from '../venue/protocol.ts';

type Quote = Pick<InstrumentView, 'symbol' | 'last' | 'bid' | 'ask'>;

/** Events kept for the UI's event log tail. */
const TAIL = 500;

/**
 * The UI's projection: the OMS projection fed by the event stream, plus what
 * changed since the last push, so subscribers get batches, not events.
 */
export class LiveView implements EventListener {
  projection = new OmsProjection();
  private changedOrders = new Set<number>();
  /**
   * Someone is subscribed (the host API says so): only then is each changed order noted for the next push. With no
   * subscriber the push drops the changes anyway, and a new subscriber starts from a full state (issue 15: no view
   * upkeep without a subscriber).
   */
  watched = false;
  private fillsPushed = 0;
  private sessionChanged = true;
  private alertsChanged = true;
  /**
   * The last TAIL events, raw (turned into lines only when someone asks, not on the hot path), in a ring:
   * slot `tailNext % TAIL` is the next to overwrite. A fixed ring, not an array trimmed at 4 × TAIL: every
   * event object lived up to 2,000 events (~0.4-2 s at 1,000 orders/s), long enough to survive two
   * scavenges and be promoted, which made each scavenge longer (issue 11's ack tail); now it dies after 500.
   */
  private readonly tailEvents: (Sequenced | undefined)[] = new Array<Sequenced | undefined>(TAIL).fill(undefined);
  private readonly tailSessions = new Float64Array(TAIL);
  private tailNext = 0;
  /** Events applied since the last push. */
  private unpushed = 0;
  readonly quotes = new Map<string, Quote>();
  private changedQuotes = new Set<string>();
  /** Events per second, measured over the last few seconds. */
  private rateWindow: { ms: number; seq: number }[] = [];
  private resets = 0;

  onEvents(session: number, events: readonly Sequenced[]): void {
    const p = this.projection;
    for (const e of events) {
      const ev = e.event;
      if (ev.type === 'SessionOpened') {
        this.fillsPushed = 0;
        this.changedOrders.clear();
        this.resets++;
      }
      p.apply(e);
      if (this.watched && 'orderId' in ev) this.changedOrders.add(ev.orderId);
      if (ev.type.startsWith('Session')) this.sessionChanged = true;
      if (ev.type === 'AlertRaised' || ev.type === 'AlertCleared') this.alertsChanged = true;
      const slot = this.tailNext++ % TAIL;
      this.tailEvents[slot] = e;
      this.tailSessions[slot] = session;
    }
    this.unpushed += events.length;
  }

  onMarketData(md: MarketData): void {
    const q: Quote = { symbol: md.symbol };
    if (md.last !== null) q.last = md.last;
    if (md.bid !== null) q.bid = md.bid;
    if (md.ask !== null) q.ask = md.ask;
    this.quotes.set(md.symbol, q);
    this.changedQuotes.add(md.symbol);
  }

  /** The last events, oldest first. */
  eventTail(n = TAIL): EventLine[] {
    const count = Math.max(0, Math.min(n, TAIL, this.tailNext));
    const lines: EventLine[] = [];
    for (let i = this.tailNext - count; i < this.tailNext; i++) lines.push(toEventLine(this.tailSessions[i % TAIL]!, this.tailEvents[i % TAIL]!));
    return lines;
  }

  /** Events per second over the last ~3 s. */
  eventRate(nowMs: number): number {
    const w = this.rateWindow;
    w.push({ ms: nowMs, seq: this.projection.lastSeq });
    while (w.length > 2 && nowMs - w[0]!.ms > 3000) w.shift();
    const first = w[0]!;
    const dt = (nowMs - first.ms) / 1000;
    const de = this.projection.lastSeq - first.seq;
    return dt > 0 && de >= 0 ? Math.round(de / dt) : 0;
  }

  /** Fills already handed out as changes (later ones come with the next takeChanges). */
  get pushedFills(): number {
    return this.fillsPushed;
  }

  /** Generation counter: bumps when a new session resets the view. */
  get generation(): number {
    return this.resets;
  }

  /**
   * Forgets what changed without building any of it: with nobody subscribed
   * (and after a start-up replay of millions of events) the changes would
   * only become one huge push that no one reads.
   */
  dropChanges(): void {
    this.changedOrders.clear();
    this.fillsPushed = this.projection.fillCount;
    this.changedQuotes.clear();
    this.unpushed = 0;
  }

  /** What changed since the last call, as one push; undefined when nothing did. */
  takeChanges(nowMs: number): StateUpdate | undefined {
    const p = this.projection;
    const u: StateUpdate = {};
    let any = false;
    if (this.changedOrders.size > 0) {
      u.orders = [];
      for (const id of this.changedOrders) {
        const o = p.order(id);
        if (o) u.orders.push(orderView(o));
      }
      this.changedOrders.clear();
      any = true;
    }
    const fills = p.fillCount;
    if (fills > this.fillsPushed) {
      u.fills = [];
      for (let i = this.fillsPushed; i < fills; i++) u.fills.push(fillView(p.fillAt(i)!));
      this.fillsPushed = fills;
      any = true;
    }
    if (this.changedQuotes.size > 0) {
      u.instruments = [...this.changedQuotes].map((s) => this.quotes.get(s)!);
      this.changedQuotes.clear();
      any = true;
    }
    if (this.alertsChanged) {
      u.alerts = alertViews(p);
      this.alertsChanged = false;
      any = true;
    }
    if (this.unpushed > 0) {
      u.events = this.eventTail(this.unpushed);
      this.unpushed = 0;
      any = true;
    }
    if (any || this.sessionChanged) {
      u.session = { ...sessionView(p), eventRate: this.eventRate(nowMs) };
      this.sessionChanged = false;
      any = true;
    }
    return any ? u : undefined;
  }
}
