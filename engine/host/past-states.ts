import type { FillQuery, FillView, OrderQuery, OrderView, Page, Result, StateView } from '../../contract/api.ts';
import type { FillWindow, FillWindowQuery } from '../../contract/fill-window.ts';
import type { OrderWindow, OrderWindowQuery } from '../../contract/order-window.ts';
import { CHECKPOINT_FORMAT } from '../oms/checkpoint-codec.ts';
import { projectionAt } from '../oms/projection-at.ts';
import type { OmsProjection } from '../oms/projection.ts';
import { alertViews, clientViews, fillView, instrumentViews, orderView, sessionView } from '../oms/views.ts';
import type { ReadableLog } from '../store/log.ts';
import { FillWindows } from './fill-window.ts';
import { OrderWindows } from './order-window.ts';

/**
 * Orders and fills in GET /api/state (the first page; `ordersAfter`/`fillsAfter` say where the rest start):
 * 2,000 rows, about 1 MB of JSON. 10,000 rows were ~5 MB, 30-180 ms of encoding on the host's loop (decision 186).
 */
export const STATE_LIST_LIMIT = 2000;
/** Default page of getOrders/getFills, and most rows one call looks at. */
const DEFAULT_PAGE = 1000;
const PAGE_SCAN = 100_000;
/**
 * Events a kept past projection is played forward rather than rebuilt from
 * a checkpoint, at most: about 0.1 s of replay, far below a 5 M-event
 * checkpoint's decode (decision 167).
 */
export const FORWARD_MAX = 250_000;

/**
 * One time-machine call, as the host's API sends it to the past-state
 * process (decisions 167, 295). `session` is always given (the host fills in the
 * live one), so the process needs nothing of the live host.
 */
export type PastCall =
  | { kind: 'state'; session: number; seq: number }
  | { kind: 'orders'; session: number; seq: number; q: OrderQuery }
  | { kind: 'fills'; session: number; seq: number; q: FillQuery }
  | { kind: 'orderWindow'; session: number; seq: number; q: OrderWindowQuery }
  | { kind: 'fillWindow'; session: number; seq: number; q: FillWindowQuery };

/**
 * The state with at most `limit` orders and fills (the first ones; the
 * `ordersAfter`/`fillsAfter` cursors say where getOrders/getFills go on), so
 * no answer grows with the session: at 365 k orders the whole list was
 * 142 MB and blocked order entry for seconds (issue 11).
 */
export function boundedState(p: OmsProjection, limit: number): StateView {
  const v: StateView = { session: sessionView(p), instruments: instrumentViews(p), clients: clientViews(p), orders: [], fills: [], components: [], alerts: alertViews(p) };
  if (limit > 0 && p.orderCount > limit) v.ordersAfter = limit;
  for (const o of p.orders()) {
    if (v.orders.length >= limit) break;
    v.orders.push(orderView(o));
  }
  const fills = Math.min(p.fillCount, limit);
  for (let i = 0; i < fills; i++) v.fills.push(fillView(p.fillAt(i)!));
  if (limit > 0 && p.fillCount > fills) v.fillsAfter = fills;
  return v;
}

/**
 * One page of `p`'s orders (oldest first), filtered. The cursor is a row
 * position, so a page costs what it scans: at most PAGE_SCAN rows, whatever
 * the filters (a sparse filter returns a short or empty page with a `next`
 * to go on from).
 */
export function orderPage(p: OmsProjection, q: OrderQuery): Page<OrderView> {
  const limit = q.limit ?? DEFAULT_PAGE;
  const items: OrderView[] = [];
  let row = q.after ?? 0;
  const end = Math.min(p.orderCount, row + PAGE_SCAN);
  for (const o of p.orders(row)) {
    if (row >= end || items.length >= limit) break;
    row++;
    if (q.state !== undefined && o.state !== q.state) continue;
    if (q.clientId !== undefined && o.clientId !== q.clientId) continue;
    if (q.symbol !== undefined && o.symbol !== q.symbol) continue;
    items.push(orderView(o));
  }
  return row < p.orderCount ? { items, next: row } : { items };
}

/** One page of `p`'s fills in log order, filtered (cursor and cost as orderPage). */
export function fillPage(p: OmsProjection, q: FillQuery): Page<FillView> {
  const limit = q.limit ?? DEFAULT_PAGE;
  const items: FillView[] = [];
  let i = q.after ?? 0;
  const end = Math.min(p.fillCount, i + PAGE_SCAN);
  for (; i < end && items.length < limit; i++) {
    const f = p.fillAt(i)!;
    if (q.symbol !== undefined && f.symbol !== q.symbol) continue;
    if (q.clientId !== undefined && p.order(f.orderId)?.clientId !== q.clientId) continue;
    items.push(fillView(f));
  }
  return i < p.fillCount ? { items, next: i } : { items };
}

/**
 * The time machine's states (decision 167): the projection of a session as
 * of a seq, kept for the calls that page through it (getState, then
 * getOrders/getFills with the cursor, and the blotters' windows), so one
 * past state costs one rebuild. A later seq of the same session is played
 * forward from the kept one when that is cheaper than a checkpoint's decode
 * (at most FORWARD_MAX events, or no newer checkpoint in between): scrubbing
 * forward costs the events scrubbed over. Runs in the host's past-state
 * process (past-process.ts, decision 295), or in the caller's thread where none can start.
 */
export class PastStates {
  private kept: { session: number; seq: number; projection: OmsProjection } | undefined;
  private orderWindows = new OrderWindows();
  private readonly fillWindows = new FillWindows();
  /** How the last projection was made (figures and tests): from a checkpoint (its seq; 0 the session's start), or played forward from a kept state. */
  lastBuild: { from: 'checkpoint' | 'kept' | 'reuse'; seq: number; ms: number } | undefined;

  constructor(private readonly log: ReadableLog) {}

  /** Answers one call; a seq beyond the session's end or an unknown session is an error value, as the API words it. */
  call(c: PastCall): Result<unknown> {
    const p = this.projection(c.session, c.seq);
    if (!p.ok) return p;
    const past = p.value;
    switch (c.kind) {
      case 'state': {
        const v = boundedState(past, STATE_LIST_LIMIT);
        v.asOfSeq = c.seq;
        return { ok: true, value: v };
      }
      case 'orders':
        return { ok: true, value: orderPage(past, c.q) };
      case 'fills':
        return { ok: true, value: fillPage(past, c.q) };
      case 'orderWindow':
        return { ok: true, value: this.orderWindows.window(past, c.q) satisfies OrderWindow };
      case 'fillWindow':
        return { ok: true, value: this.fillWindows.window(past, c.q) satisfies FillWindow };
    }
  }

  /** Lets the kept projection go (the host's idle timer when it runs in the host's thread). */
  release(): void {
    this.kept = undefined;
  }

  get keepsProjection(): boolean {
    return this.kept !== undefined;
  }

  private projection(session: number, seq: number): Result<OmsProjection> {
    const t0 = performance.now();
    const kept = this.kept;
    if (kept && kept.session === session && kept.seq === seq) {
      this.lastBuild = { from: 'reuse', seq, ms: 0 };
      return { ok: true, value: kept.projection };
    }
    if (kept && kept.session === session && kept.seq < seq && this.forwardIsCheaper(session, kept.seq, seq)) {
      const lastSeq = this.log.lastSeq(session);
      if (seq > lastSeq) return beyond(session, lastSeq, seq);
      const p = kept.projection;
      this.log.replay(session, (e, code) => p.applyCoded(e, code), kept.seq + 1, seq, true);
      // A state played forward is a new state: the order windows' lists were cut from the old one (the fill
      // windows merge the new fills in).
      this.orderWindows = new OrderWindows();
      this.kept = { session, seq, projection: p };
      this.lastBuild = { from: 'kept', seq: kept.seq, ms: performance.now() - t0 };
      return { ok: true, value: p };
    }
    // Let the old one go before building the next: two at once is twice the memory.
    this.kept = undefined;
    const past = projectionAt(this.log, session, seq);
    if (!past.ok) {
      if (past.problem === 'no-session') return { ok: false, error: { code: 'NOT_FOUND', message: `no session ${session}` } };
      return beyond(session, past.lastSeq, seq);
    }
    this.kept = { session, seq, projection: past.projection };
    this.lastBuild = { from: 'checkpoint', seq: past.fromCheckpoint, ms: performance.now() - t0 };
    return { ok: true, value: past.projection };
  }

  private forwardIsCheaper(session: number, from: number, to: number): boolean {
    return to - from <= FORWARD_MAX || this.log.checkpoints.latestSeq(session, CHECKPOINT_FORMAT, to + 1) <= from;
  }
}

function beyond(session: number, lastSeq: number, seq: number): Result<never> {
  return { ok: false, error: { code: 'BAD_REQUEST', message: `session ${session} has only ${lastSeq} events; seq ${seq} is in the future` } };
}
