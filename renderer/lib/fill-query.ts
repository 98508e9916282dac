import type { FillView } from '../../contract/api.ts';
import type { Side } from '../../contract/domain.ts';
import { FILL_SORT_KEYS, matchesFillText, type FillSortKey } from '../../contract/fill-window.ts';
import { loadPref } from './settings.ts';

/**
 * Filtering and sorting the fills blotter, the same way as the orders
 * blotter: exact client, symbol and side, plus free text; any column sorts,
 * the seq breaking ties. A fill names its order, not its client: the client
 * comes from the order (`clientOf`).
 */
export interface FillFilter {
  symbol: string;
  side: 'all' | Side;
  clientId: string;
  /** Free text: exec id, order id (`#12`), client, symbol, side. */
  text: string;
}

// One list of sort keys and one text match with the host's fill window (decision 166), so both agree.
export { FILL_SORT_KEYS } from '../../contract/fill-window.ts';
export type { FillSortKey } from '../../contract/fill-window.ts';

export interface FillSort {
  key: FillSortKey;
  dir: 'asc' | 'desc';
}

export const DEFAULT_FILL_FILTER: FillFilter = { symbol: '', side: 'all', clientId: '', text: '' };
export const DEFAULT_FILL_SORT: FillSort = { key: 'seq', dir: 'desc' };

export type ClientOf = (orderId: number) => string | undefined;

export function isDefaultFillFilter(f: FillFilter): boolean {
  return f.symbol === '' && f.side === 'all' && f.clientId === '' && f.text.trim() === '';
}

export function matchesFill(f: FillView, filter: FillFilter, clientOf: ClientOf): boolean {
  if (filter.side !== 'all' && f.side !== filter.side) return false;
  if (filter.symbol !== '' && f.symbol !== filter.symbol) return false;
  if (filter.clientId !== '' && clientOf(f.orderId) !== filter.clientId) return false;
  const needle = filter.text.trim().toLowerCase();
  return needle === '' || matchesFillText(f, clientOf(f.orderId), needle);
}

function sortValue(f: FillView, key: FillSortKey, clientOf: ClientOf): number | string {
  switch (key) {
    case 'clientId':
      return clientOf(f.orderId) ?? '';
    case 'notional':
      return f.quantity * f.price;
    default:
      return f[key];
  }
}

/**
 * The fills that pass `filter`, ordered by `sort`. `list` is in seq order
 * (oldest first), so the default (seq, newest first) is one backward pass
 * with no sort at all.
 */
export function queryFills(list: readonly FillView[], filter: FillFilter, sort: FillSort, clientOf: ClientOf): FillView[] {
  const all = isDefaultFillFilter(filter);
  const out: FillView[] = [];
  if (sort.key === 'seq') {
    if (sort.dir === 'desc') {
      for (let i = list.length - 1; i >= 0; i--) {
        const f = list[i] as FillView;
        if (all || matchesFill(f, filter, clientOf)) out.push(f);
      }
    } else for (const f of list) if (all || matchesFill(f, filter, clientOf)) out.push(f);
    return out;
  }
  const sign = sort.dir === 'asc' ? 1 : -1;
  // Decorate-sort-undecorate, as for orders: the comparator reads a small record.
  const rows: { k: number | string; seq: number; f: FillView }[] = [];
  for (const f of list) if (all || matchesFill(f, filter, clientOf)) rows.push({ k: sortValue(f, sort.key, clientOf), seq: f.seq, f });
  rows.sort((a, b) => {
    if (a.k < b.k) return -sign;
    if (a.k > b.k) return sign;
    return sign * (a.seq - b.seq);
  });
  for (const r of rows) out.push(r.f);
  return out;
}

/** Memoises `queryFills` on the table's version, the filter, the sort and (for client filters) the orders' version. */
export function createFillsMemo(): (
  table: { list: readonly FillView[]; version: number },
  filter: FillFilter,
  sort: FillSort,
  orders: { version: number; byId: Map<number, { clientId: string }> },
) => FillView[] {
  let key: unknown[] = [];
  let last: FillView[] = [];
  return (table, filter, sort, orders) => {
    const usesClient = filter.clientId !== '' || filter.text.trim() !== '' || sort.key === 'clientId';
    const next = [table.list, table.version, filter, sort, usesClient ? orders.byId : undefined, usesClient ? orders.version : 0];
    if (next.length === key.length && next.every((v, i) => v === key[i])) return last;
    key = next;
    last = queryFills(table.list, filter, sort, (id) => orders.byId.get(id)?.clientId);
    return last;
  };
}

const ASCENDING_FIRST = new Set<FillSortKey>(['clientId', 'symbol', 'side']);

/** A header click: the same column flips direction; a new one starts ascending for text, descending for numbers. */
export function nextFillSort(cur: FillSort, key: FillSortKey): FillSort {
  if (cur.key === key) return { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: ASCENDING_FIRST.has(key) ? 'asc' : 'desc' };
}

/** Where the fills blotter's filter and sort persist. */
export const FILL_VIEW_KEY = 'ordo.fills.view.v1';

/** The saved filter and sort, each field checked: a stale or hand-edited entry never breaks the blotter. */
export function loadFillView(): { filter: FillFilter; sort: FillSort } {
  const raw = loadPref<{ filter?: Partial<FillFilter>; sort?: Partial<FillSort> }>(FILL_VIEW_KEY, {});
  const f = raw.filter ?? {};
  const filter: FillFilter = {
    symbol: typeof f.symbol === 'string' ? f.symbol : '',
    side: f.side === 'buy' || f.side === 'sell' ? f.side : 'all',
    clientId: typeof f.clientId === 'string' ? f.clientId : '',
    text: typeof f.text === 'string' ? f.text : '',
  };
  const k = raw.sort?.key;
  const sort: FillSort =
    k !== undefined && (FILL_SORT_KEYS as readonly string[]).includes(k) ? { key: k, dir: raw.sort?.dir === 'asc' ? 'asc' : 'desc' } : DEFAULT_FILL_SORT;
  return { filter, sort };
}
