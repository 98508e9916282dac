import type { OrderView } from '../../contract/api.ts';
import { TERMINAL_STATES } from '../../contract/domain.ts';
import type { OrderState } from '../../contract/domain.ts';
import { orderFilterOf } from '../../contract/order-window.ts';
import type { OrderSortKey, OrderWindow, OrderWindowQuery } from '../../contract/order-window.ts';
import type { OmsProjection, ReadonlyOrder } from '../oms/projection.ts';
import { orderView } from '../oms/views.ts';

/** Rows one window answers by default, and at most. */
export const ORDER_WINDOW_DEFAULT = 200;
export const ORDER_WINDOW_MAX = 2000;
/**
 * How long a filtered, sorted order list is reused while events stream in
 * (decision 150): rebuilding it costs a pass over the session (about 0.1-0.3 s
 * at a million orders), so a blotter scrolling or refreshing many times a
 * second costs one pass a second, not one per request. Rows' contents are
 * always read fresh; only which rows match and their order can be this old.
 */
export const ORDER_WINDOW_MAX_AGE_MS = 1000;

const TERMINAL = new Set<OrderState>(TERMINAL_STATES);

interface Built {
  readonly projection: OmsProjection;
  readonly key: string;
  readonly seq: number;
  readonly at: number;
  /** Matching orderIds in the query's order. */
  readonly ids: Float64Array;
  readonly working: number;
  readonly orderCount: number;
}

/**
 * The orders blotter's server-side window (getOrderWindow): filter, sort and
 * slice the live projection, with counts. One built list is kept (the
 * blotter shows one view at a time); a new filter or sort builds afresh.
 */
export class OrderWindows {
  private built: Built | undefined;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly maxAgeMs = ORDER_WINDOW_MAX_AGE_MS,
  ) {}

  /** One window of `p`'s orders for `q` (rows `offset` inclusive to `offset+limit` exclusive). */
  window(p: OmsProjection, q: OrderWindowQuery): OrderWindow {
    const b = this.list(p, q);
    const offset = Math.max(0, Math.min(q.offset ?? 0, b.ids.length));
    const end = Math.min(b.ids.length, offset + Math.min(q.limit ?? ORDER_WINDOW_DEFAULT, ORDER_WINDOW_MAX));
    const orders: OrderView[] = [];
    for (let i = offset; i < end; i++) {
      const o = p.order(b.ids[i] as number);
      if (o) orders.push(orderView(o));
    }
    return { session: p.session.id, seq: b.seq, offset, orders, total: b.ids.length, orderCount: b.orderCount, working: b.working };
  }

  private list(p: OmsProjection, q: OrderWindowQuery): Built {
    const key = JSON.stringify([q.state ?? 'all', q.symbol ?? '', q.side ?? '', q.timeInForce ?? '', q.clientId ?? '', (q.text ?? '').trim().toLowerCase(), q.sort ?? 'createdTs', q.dir ?? 'desc']);
    const b = this.built;
    const now = this.now();
    if (b && b.projection === p && b.key === key && (b.seq === p.lastSeq || now - b.at < this.maxAgeMs)) return b;
    this.built = build(p, q, key, now);
    return this.built;
  }
}

function build(p: OmsProjection, q: OrderWindowQuery, key: string, at: number): Built {
  const match = orderFilterOf(q);
  const sortKey: OrderSortKey = q.sort ?? 'createdTs';
  const asc = (q.dir ?? 'desc') === 'asc';
  const ids: number[] = [];
  const keys: (number | string)[] = [];
  let working = 0;
  // Rows come in the order orders first appeared (ids ascending): when the key
  // never goes down along them, that order is already the sorted one.
  let inOrder = true;
  let prevKey: number | string | undefined;
  let prevId = -Infinity;
  for (const o of p.orders()) {
    if (!TERMINAL.has(o.state)) working++;
    if (!match(o)) continue;
    const k = sortValue(o, sortKey);
    if (inOrder && ((prevKey !== undefined && k < prevKey) || o.orderId < prevId)) inOrder = false;
    prevKey = k;
    prevId = o.orderId;
    ids.push(o.orderId);
    keys.push(k);
  }
  const n = ids.length;
  const out = new Float64Array(n);
  if (inOrder) {
    for (let i = 0; i < n; i++) out[i] = ids[asc ? i : n - 1 - i] as number;
  } else {
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const sign = asc ? 1 : -1;
    idx.sort((a, b) => {
      const ka = keys[a] as number | string;
      const kb = keys[b] as number | string;
      if (ka < kb) return -sign;
      if (ka > kb) return sign;
      return sign * ((ids[a] as number) - (ids[b] as number));
    });
    for (let i = 0; i < n; i++) out[i] = ids[idx[i] as number] as number;
  }
  return { projection: p, key, seq: p.lastSeq, at, ids: out, working, orderCount: p.orderCount };
}

function sortValue(o: ReadonlyOrder, key: OrderSortKey): number | string {
  switch (key) {
    case 'venue':
      return o.venue ?? '';
    case 'rejectReason':
      return o.rejectReason ?? '';
    default:
      return o[key];
  }
}
