import type { OrderView, Result } from '../../contract/api.ts';
import type { OrderSelection, OrderWindow, OrderWindowQuery } from '../../contract/order-window.ts';
import type { OrderFilter, OrderSort } from './order-query.ts';
import { type HeldWindow, WindowLoader } from './window-loader.ts';

export { WINDOW_MARGIN } from './window-loader.ts';
/** How often a window in view is refreshed while pushes change orders (its membership and order; rows update with every push). */
export const WINDOW_REFRESH_MS = 1000;

/** What the blotter shows in remote mode: one window of the host's filtered, sorted orders. */
export interface LoadedWindow extends HeldWindow {
  /** The filter and sort it was cut for. */
  readonly key: string;
  readonly offset: number;
  readonly ids: readonly number[];
  /** Orders matching the filter, all of the session's, and the working ones. */
  readonly total: number;
  readonly orderCount: number;
  readonly working: number;
  /** Row `i` of the whole sorted list, when loaded. */
  idAt(i: number): number | undefined;
  /** The row of an order in the whole list, or -1 when it is not in the window. */
  indexOf(orderId: number): number;
}

/** The host query for a filter and sort (blank fields left out). */
export function windowQuery(f: OrderFilter, s: OrderSort): OrderWindowQuery {
  const q: OrderWindowQuery = { sort: s.key, dir: s.dir };
  if (f.state !== 'all') q.state = f.state;
  if (f.symbol !== '') q.symbol = f.symbol;
  if (f.side !== 'all') q.side = f.side;
  if (f.clientId !== '') q.clientId = f.clientId;
  if (f.text.trim() !== '') q.text = f.text.trim();
  return q;
}

export function queryKey(q: OrderWindowQuery): string {
  return JSON.stringify([q.state, q.symbol, q.side, q.clientId, q.text, q.sort, q.dir, q.at, q.session]);
}

export function loadedWindow(key: string, w: OrderWindow): LoadedWindow {
  const ids = w.orders.map((o) => o.orderId);
  const pos = new Map<number, number>();
  ids.forEach((id, i) => pos.set(id, w.offset + i));
  return {
    key,
    offset: w.offset,
    ids,
    held: ids.length,
    total: w.total,
    orderCount: w.orderCount,
    working: w.working,
    idAt: (i) => (i >= w.offset && i < w.offset + ids.length ? ids[i - w.offset] : undefined),
    indexOf: (id) => pos.get(id) ?? -1,
  };
}

export interface WindowLoaderDeps {
  getOrderWindow(q: OrderWindowQuery): Promise<Result<OrderWindow>>;
  /** Puts the window's rows into the store (behind any buffered pushes, no toasts). */
  applyRows(orders: OrderView[]): void;
  /** A new window to show. */
  onWindow(w: LoadedWindow | undefined): void;
  onError?(message: string): void;
}

/** The orders blotter's window loader (decision 150): the host's rows go into the store before the window is shown. */
export class OrderWindowLoader extends WindowLoader<OrderWindowQuery, OrderWindow, LoadedWindow> {
  constructor(d: WindowLoaderDeps) {
    super({
      keyOf: queryKey,
      fetch: (q) => d.getOrderWindow(q),
      loaded: (key, w) => {
        d.applyRows(w.orders);
        return loadedWindow(key, w);
      },
      onWindow: (w) => d.onWindow(w),
      ...(d.onError ? { onError: (m: string) => d.onError!(m) } : {}),
    });
  }
}

/**
 * A selection by position in the host's sorted, filtered list (remote mode,
 * decision 164), which the renderer need not hold: every matching order
 * (`all`), or the rows from one order to another, both included. The ends are
 * orders (rows move as orders arrive); `from`/`to` are the rows they were at
 * when chosen, for an end not loaded now. Made in one filter and sort (`key`,
 * the host query's key): any other view drops it.
 */
export interface OrderSpan {
  readonly key: string;
  readonly all: boolean;
  readonly fromId?: number;
  readonly toId?: number;
  readonly from: number;
  readonly to: number;
}

/** The rows a span covers now (both included): its ends where the window holds them, else where they were seen. */
export function spanBounds(s: OrderSpan, w: LoadedWindow | undefined, total: number): { lo: number; hi: number } | undefined {
  if (total === 0) return undefined;
  if (s.all) return { lo: 0, hi: total - 1 };
  const a = endRow(s.fromId, s.from, w, total);
  const z = endRow(s.toId, s.to, w, total);
  return { lo: Math.min(a, z), hi: Math.max(a, z) };
}

/** The host's selection for a span in the view `q` (its filter and sort), ends placed where the window last saw them. */
export function spanSelection(s: OrderSpan, w: LoadedWindow | undefined, q: OrderWindowQuery, total: number): OrderSelection {
  const { offset: _o, limit: _l, ...view } = q;
  if (s.all || s.fromId === undefined || s.toId === undefined) return view;
  return { ...view, fromId: s.fromId, toId: s.toId, from: endRow(s.fromId, s.from, w, total), to: endRow(s.toId, s.to, w, total) };
}

function endRow(id: number | undefined, seen: number, w: LoadedWindow | undefined, total: number): number {
  const i = id === undefined || !w ? -1 : w.indexOf(id);
  return Math.max(0, Math.min(i >= 0 ? i : seen, total - 1));
}
