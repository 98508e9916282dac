import type { OrderView } from '../../contract/api.ts';
import { DEFAULT_ORDER_FILTER, DEFAULT_ORDER_SORT } from '../lib/order-query.ts';
import type { OrderFilter, OrderSort, OrderSortKey } from '../lib/order-query.ts';
import type { SliceCreator } from './types.ts';

/**
 * Orders keyed by orderId. The Map is updated in place and `version` bumped,
 * so a flush costs O(changed orders), not O(all orders); every OrderView
 * object is replaced, never mutated, so a row can compare by identity.
 */
export interface OrdersTable {
  readonly byId: Map<number, OrderView>;
  readonly version: number;
}

export function ordersFrom(list: readonly OrderView[]): OrdersTable {
  const byId = new Map<number, OrderView>();
  for (const o of list) byId.set(o.orderId, o);
  return { byId, version: 0 };
}

/** Merges changed orders into `table` (in place) and returns the next version. */
export function mergeOrders(table: OrdersTable, list: readonly OrderView[]): OrdersTable {
  if (list.length === 0) return table;
  for (const o of list) table.byId.set(o.orderId, o);
  return { byId: table.byId, version: table.version + 1 };
}

export interface OrdersSlice {
  orders: OrdersTable;
  orderFilter: OrderFilter;
  orderSort: OrderSort;
  selectedOrderId: number | undefined;
  setOrderFilter(patch: Partial<OrderFilter>): void;
  /** A header click: the same column flips direction, a new one starts descending for numbers and time. */
  sortOrdersBy(key: OrderSortKey): void;
  selectOrder(orderId: number | undefined): void;
}

const ASCENDING_FIRST = new Set<OrderSortKey>(['clientId', 'symbol', 'side', 'type', 'state', 'venue', 'timeInForce', 'rejectReason']);

export const createOrdersSlice: SliceCreator<OrdersSlice> = (set) => ({
  orders: ordersFrom([]),
  orderFilter: DEFAULT_ORDER_FILTER,
  orderSort: DEFAULT_ORDER_SORT,
  selectedOrderId: undefined,
  setOrderFilter: (patch) => set((s) => ({ orderFilter: { ...s.orderFilter, ...patch } })),
  sortOrdersBy: (key) =>
    set((s) => ({
      orderSort:
        s.orderSort.key === key
          ? { key, dir: s.orderSort.dir === 'asc' ? 'desc' : 'asc' }
          : { key, dir: ASCENDING_FIRST.has(key) ? 'asc' : 'desc' },
    })),
  selectOrder: (orderId) => set({ selectedOrderId: orderId }),
});
