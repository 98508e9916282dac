import type { OrderView } from '../../contract/api.ts';
import { TERMINAL_STATES } from '../../contract/domain.ts';
import type { OrderState, Side } from '../../contract/domain.ts';

/**
 * Filtering and sorting the orders blotter. The blotter keeps orders in a
 * Map and asks for the visible id array only when it renders; the memo
 * below recomputes it only when the orders, the filter or the sort changed.
 */
export type { StateFilter } from '../../contract/order-window.ts';
import type { StateFilter } from '../../contract/order-window.ts';

export interface OrderFilter {
  state: StateFilter;
  /** Exact symbol, or '' for every instrument. */
  symbol: string;
  side: 'all' | Side;
  /** Exact client id, or '' for every client. */
  clientId: string;
  /** Free text: matched, case-insensitively, against id, ClOrdID, client, symbol, state, venue and reason. */
  text: string;
}

export { ORDER_SORT_KEYS } from '../../contract/order-window.ts';
export type { OrderSortKey } from '../../contract/order-window.ts';
import type { OrderSortKey } from '../../contract/order-window.ts';
import { matchesOrderText } from '../../contract/order-window.ts';

export interface OrderSort {
  key: OrderSortKey;
  dir: 'asc' | 'desc';
}

export const DEFAULT_ORDER_FILTER: OrderFilter = { state: 'all', symbol: '', side: 'all', clientId: '', text: '' };
export const DEFAULT_ORDER_SORT: OrderSort = { key: 'createdTs', dir: 'desc' };

const TERMINAL = new Set<OrderState>(TERMINAL_STATES);

export function isTerminal(state: OrderState): boolean {
  return TERMINAL.has(state);
}

/** True when the free text `needle` (already lower-cased and trimmed) is in one of the order's searchable fields. */
export function matchesText(o: OrderView, needle: string): boolean {
  return matchesOrderText(o, needle);
}

export function matchesFilter(o: OrderView, f: OrderFilter): boolean {
  if (f.side !== 'all' && o.side !== f.side) return false;
  if (f.symbol !== '' && o.symbol !== f.symbol) return false;
  if (f.clientId !== '' && o.clientId !== f.clientId) return false;
  if (f.text.trim() !== '' && !matchesText(o, f.text.trim().toLowerCase())) return false;
  if (f.state === 'all') return true;
  if (f.state === 'open') return !TERMINAL.has(o.state);
  return o.state === f.state;
}

function sortValue(o: OrderView, key: OrderSortKey): number | string {
  const v = o[key];
  return v ?? '';
}

/**
 * The ids of the orders that pass `filter`, ordered by `sort` with the
 * orderId as the tie-breaker (so equal keys keep a stable, meaningful order).
 */
export function queryOrderIds(orders: Iterable<OrderView>, filter: OrderFilter, sort: OrderSort): number[] {
  const all = filter.state === 'all' && filter.symbol === '' && filter.side === 'all' && filter.clientId === '' && filter.text.trim() === '';
  const sign = sort.dir === 'asc' ? 1 : -1;
  const key = sort.key;
  if (key === 'orderId') {
    const ids: number[] = [];
    for (const o of orders) if (all || matchesFilter(o, filter)) ids.push(o.orderId);
    return ids.sort((a, b) => sign * (a - b));
  }
  // Decorate-sort-undecorate: the comparator runs n·log n times, so it reads
  // a small monomorphic record rather than the order object.
  const rows: { k: number | string; id: number }[] = [];
  for (const o of orders) if (all || matchesFilter(o, filter)) rows.push({ k: sortValue(o, key), id: o.orderId });
  rows.sort((a, b) => {
    if (a.k < b.k) return -sign;
    if (a.k > b.k) return sign;
    return sign * (a.id - b.id);
  });
  const ids = new Array<number>(rows.length);
  for (let i = 0; i < rows.length; i++) ids[i] = (rows[i] as { id: number }).id;
  return ids;
}

/** Memoises `queryOrderIds` on the identity of its three inputs. */
export function createOrderIdsMemo(): (source: { byId: Map<number, OrderView>; version: number }, filter: OrderFilter, sort: OrderSort) => number[] {
  let lastMap: Map<number, OrderView> | undefined;
  let lastVersion = -1;
  let lastFilter: OrderFilter | undefined;
  let lastSort: OrderSort | undefined;
  let lastIds: number[] = [];
  return (source, filter, sort) => {
    if (source.byId === lastMap && source.version === lastVersion && filter === lastFilter && sort === lastSort) return lastIds;
    lastIds = queryOrderIds(source.byId.values(), filter, sort);
    lastMap = source.byId;
    lastVersion = source.version;
    lastFilter = filter;
    lastSort = sort;
    return lastIds;
  };
}
