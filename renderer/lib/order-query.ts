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

/** Sort keys an order never changes after entry. */
const FIXED_KEYS = new Set<OrderSortKey>(['createdTs', 'orderId', 'clientId', 'symbol', 'side', 'orderType', 'timeInForce']);

/** True when the filter reads only fields an order never changes (so an order in the list stays in it). */
function fixedFilter(f: OrderFilter): boolean {
  return f.state === 'all' && f.text.trim() === '';
}

type IdsSource = { byId: Map<number, OrderView>; version: number; changes?: readonly { version: number; ids: readonly number[] }[] };

/**
 * Memoises `queryOrderIds` on the identity of its three inputs. While the
 * filter and sort stay the same and both read only fields an order never
 * changes (the blotter's default: newest first, no state filter), a new
 * version costs O(rows + new orders · log new orders): the orders added since
 * are sorted and merged into the rows; an order already listed keeps its place.
 * Otherwise every order is filtered and sorted again (decision 151).
 */
export function createOrderIdsMemo(): (source: IdsSource, filter: OrderFilter, sort: OrderSort) => number[] {
  let lastMap: Map<number, OrderView> | undefined;
  let lastVersion = -1;
  let lastFilter: OrderFilter | undefined;
  let lastSort: OrderSort | undefined;
  let lastIds: number[] = [];
  let listed = new Set<number>();
  return (source, filter, sort) => {
    if (source.byId === lastMap && source.version === lastVersion && filter === lastFilter && sort === lastSort) return lastIds;
    const added = source.byId === lastMap && filter === lastFilter && sort === lastSort ? addedSince(source, lastVersion, listed) : undefined;
    if (added !== undefined && FIXED_KEYS.has(sort.key) && fixedFilter(filter)) {
      const fresh: OrderView[] = [];
      for (const id of added) {
        const o = source.byId.get(id);
        if (o && matchesFilter(o, filter)) fresh.push(o);
      }
      if (fresh.length > 0) {
        const ids = queryOrderIds(fresh, filter, sort);
        lastIds = mergeSorted(lastIds, ids, source.byId, sort);
        for (const id of ids) listed.add(id);
      }
    } else {
      lastIds = queryOrderIds(source.byId.values(), filter, sort);
      listed = new Set(lastIds);
    }
    lastMap = source.byId;
    lastVersion = source.version;
    lastFilter = filter;
    lastSort = sort;
    return lastIds;
  };
}

/** The ids changed since `version` that are not listed yet, or undefined when the table no longer says what changed. */
function addedSince(source: IdsSource, version: number, listed: ReadonlySet<number>): number[] | undefined {
  const changes = source.changes;
  if (!changes || changes.length === 0 || (changes[0] as { version: number }).version > version + 1) return undefined;
  const out: number[] = [];
  const seen = new Set<number>();
  for (const c of changes) {
    if (c.version <= version) continue;
    for (const id of c.ids) {
      if (listed.has(id) || seen.has(id)) continue;
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

/** Two id lists, each in `sort` order, merged into one (ties by orderId, as queryOrderIds). */
function mergeSorted(a: readonly number[], b: readonly number[], byId: Map<number, OrderView>, sort: OrderSort): number[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const key = (id: number): number | string => sortValue(byId.get(id) as OrderView, sort.key);
  const before = (x: number, y: number): boolean => {
    const kx = key(x);
    const ky = key(y);
    if (kx !== ky) return kx < ky ? sign > 0 : sign < 0;
    return sign * (x - y) < 0;
  };
  // The common case, newest first: every new order goes above the rows.
  if (a.length === 0 || before(b[b.length - 1] as number, a[0] as number)) return [...b, ...a];
  if (before(a[a.length - 1] as number, b[0] as number)) return [...a, ...b];
  const out = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = before(b[j] as number, a[i] as number) ? (b[j++] as number) : (a[i++] as number);
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out;
}
