import type { OrderView } from '../../contract/api.ts';
import { DEFAULT_ORDER_FILTER, DEFAULT_ORDER_SORT, isTerminal, ORDER_SORT_KEYS } from '../lib/order-query.ts';
import type { OrderFilter, OrderSort, OrderSortKey } from '../lib/order-query.ts';
import { loadPref } from '../lib/settings.ts';
import type { OrderSpan } from '../lib/order-window.ts';
import type { SliceCreator } from './types.ts';

/**
 * Orders keyed by orderId. The Map is updated in place and `version` bumped,
 * so a flush costs O(changed orders), not O(all orders); every OrderView
 * object is replaced, never mutated, so a row can compare by identity.
 */
export interface OrdersTable {
  readonly byId: Map<number, OrderView>;
  readonly version: number;
  /**
   * The ids each of the last few merges changed (`version` is the version it
   * made), so the blotter can update its sorted rows by what changed instead
   * of sorting every order again (decision 151).
   */
  readonly changes?: readonly { readonly version: number; readonly ids: readonly number[] }[];
  /** Orders not in a terminal state, kept by every merge (O(changes), not a pass over all orders per flush). */
  readonly working?: number;
}

/** Merges kept in `changes`: a flush merges one push per 100 ms of host pushes, a few at most. */
const KEPT_CHANGES = 16;

export function ordersFrom(list: readonly OrderView[]): OrdersTable {
  const byId = new Map<number, OrderView>();
  for (const o of list) byId.set(o.orderId, o);
  let working = 0;
  for (const o of byId.values()) if (!isTerminal(o.state)) working++;
  return { byId, version: 0, working };
}

/** Merges changed orders into `table` (in place) and returns the next version. */
export function mergeOrders(table: OrdersTable, list: readonly OrderView[]): OrdersTable {
  if (list.length === 0) return table;
  const ids = new Array<number>(list.length);
  let working = table.working ?? 0;
  for (let i = 0; i < list.length; i++) {
    const o = list[i] as OrderView;
    const before = table.byId.get(o.orderId);
    if (before && !isTerminal(before.state)) working--;
    if (!isTerminal(o.state)) working++;
    table.byId.set(o.orderId, o);
    ids[i] = o.orderId;
  }
  const version = table.version + 1;
  const kept = table.changes ?? [];
  const changes = [...(kept.length >= KEPT_CHANGES ? kept.slice(1) : kept), { version, ids }];
  return { byId: table.byId, version, changes, working };
}

/**
 * Where the blotter's rows come from (decision 150): the orders the store
 * holds (`remote` false: the reset carried every order of the session), or
 * windows the host cuts from its projection (`remote`: the session has more
 * orders than the reset carried; the store holds only the newest, the rows of
 * the windows asked for, and what pushes brought since).
 */
export interface OrderSource {
  readonly remote: boolean;
  /** Orders in the session when the reset was made. */
  readonly orderCount: number;
}

export const LOCAL_ORDERS: OrderSource = { remote: false, orderCount: 0 };

/** The source a reset implies. */
export function orderSourceOf(r: { orders: readonly unknown[]; orderCount?: number; ordersShown?: number }): OrderSource {
  const count = r.orderCount ?? r.orders.length;
  return { remote: count > (r.ordersShown ?? count), orderCount: count };
}

export interface OrdersSlice {
  orders: OrdersTable;
  orderSource: OrderSource;
  orderFilter: OrderFilter;
  orderSort: OrderSort;
  /** The focused order (keyboard cursor, history); always one of `selectedOrderIds` when that is not empty. */
  selectedOrderId: number | undefined;
  /** Every selected order (multi-select for mass actions). */
  selectedOrderIds: ReadonlySet<number>;
  /** A selection by position in the host's list (remote mode); when set, `selectedOrderIds` is empty. */
  orderSpan: OrderSpan | undefined;
  setOrderFilter(patch: Partial<OrderFilter>): void;
  /** A header click: the same column flips direction, a new one starts descending for numbers and time. */
  sortOrdersBy(key: OrderSortKey): void;
  selectOrder(orderId: number | undefined): void;
  /** Replaces the selection; `focus` becomes the selected order. */
  setOrderSelection(ids: Iterable<number>, focus: number | undefined): void;
  /** Selects a span of the host's list; `focus` becomes the focused order (when loaded). */
  setOrderSpan(span: OrderSpan, focus: number | undefined): void;
}

/** Where the blotter's filter and sort persist across reloads. */
export const ORDER_VIEW_KEY = 'ordo.orders.view.v1';

/** The saved filter and sort, each field checked: a stale or hand-edited entry never breaks the blotter. */
export function loadOrderView(): { filter: OrderFilter; sort: OrderSort } {
  const raw = loadPref<{ filter?: Partial<OrderFilter>; sort?: Partial<OrderSort> }>(ORDER_VIEW_KEY, {});
  const f = raw.filter ?? {};
  const filter: OrderFilter = {
    state: typeof f.state === 'string' ? f.state : DEFAULT_ORDER_FILTER.state,
    symbol: typeof f.symbol === 'string' ? f.symbol : '',
    side: f.side === 'buy' || f.side === 'sell' ? f.side : 'all',
    clientId: typeof f.clientId === 'string' ? f.clientId : '',
    text: typeof f.text === 'string' ? f.text : '',
  };
  const k = raw.sort?.key;
  const sort: OrderSort =
    k !== undefined && (ORDER_SORT_KEYS as readonly string[]).includes(k)
      ? { key: k, dir: raw.sort?.dir === 'asc' ? 'asc' : 'desc' }
      : DEFAULT_ORDER_SORT;
  return { filter, sort };
}

const ASCENDING_FIRST = new Set<OrderSortKey>(['clientId', 'symbol', 'side', 'orderType', 'state', 'venue', 'timeInForce', 'rejectReason']);

const EMPTY_SELECTION: ReadonlySet<number> = new Set();

export const createOrdersSlice: SliceCreator<OrdersSlice> = (set) => ({
  orders: ordersFrom([]),
  orderSource: LOCAL_ORDERS,
  orderFilter: loadOrderView().filter,
  orderSort: loadOrderView().sort,
  selectedOrderId: undefined,
  selectedOrderIds: EMPTY_SELECTION,
  orderSpan: undefined,
  // A span is rows of one filtered, sorted list: another filter or sort ends it.
  setOrderFilter: (patch) => set((s) => ({ orderFilter: { ...s.orderFilter, ...patch }, orderSpan: undefined })),
  sortOrdersBy: (key) =>
    set((s) => ({
      orderSpan: undefined,
      orderSort:
        s.orderSort.key === key
          ? { key, dir: s.orderSort.dir === 'asc' ? 'desc' : 'asc' }
          : { key, dir: ASCENDING_FIRST.has(key) ? 'asc' : 'desc' },
    })),
  selectOrder: (orderId) => set({ selectedOrderId: orderId, selectedOrderIds: orderId === undefined ? EMPTY_SELECTION : new Set([orderId]), orderSpan: undefined }),
  setOrderSelection: (ids, focus) => set({ selectedOrderIds: new Set(ids), selectedOrderId: focus, orderSpan: undefined }),
  setOrderSpan: (span, focus) => set({ orderSpan: span, selectedOrderIds: EMPTY_SELECTION, selectedOrderId: focus }),
});
