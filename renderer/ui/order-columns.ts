import { useCallback, useEffect, useState } from 'react';
import type { OrderView } from '../../contract/api.ts';
import { defaultPrefs, parsePrefs } from '../lib/columns.ts';
import type { ColumnDef, ColumnPrefs } from '../lib/columns.ts';
import type { CsvValue } from '../lib/csv.ts';
import { formatTime, stateLabel } from '../lib/format.ts';
import type { OrderSortKey } from '../lib/order-query.ts';
import { waitingHint } from '../lib/waiting.ts';
import { loadPref, savePref } from '../lib/settings.ts';

export interface OrderColumn extends ColumnDef {
  sort?: OrderSortKey;
}

/**
 * The orders blotter's columns. Widths fit the longest values traders see
 * (option symbols such as "AAPL 281215C230", 100,000,000 quantities,
 * 7-digit order ids); anything longer shows in full in the cell's tooltip.
 */
export const ORDER_COLUMNS: readonly OrderColumn[] = [
  { key: 'time', title: 'Time', width: 66, sort: 'createdTs' },
  { key: 'orderId', title: 'Order', width: 66, sort: 'orderId', align: 'right' },
  { key: 'client', title: 'Client', width: 60, sort: 'clientId' },
  { key: 'symbol', title: 'Symbol', width: 120, sort: 'symbol' },
  { key: 'side', title: 'Side', width: 42, sort: 'side' },
  { key: 'qty', title: 'Qty', width: 88, sort: 'quantity', align: 'right' },
  { key: 'price', title: 'Price', width: 72, sort: 'price', align: 'right' },
  { key: 'state', title: 'State', width: 100, sort: 'state' },
  // Right after the state: why an order is rejected or stuck is read with its state, at any width.
  { key: 'reason', title: 'Reason / waiting on', width: 170, sort: 'rejectReason', grow: true },
  { key: 'filled', title: 'Filled', width: 80, sort: 'filledQuantity', align: 'right' },
  { key: 'leaves', title: 'Leaves', width: 80, sort: 'leavesQuantity', align: 'right' },
  { key: 'avg', title: 'Avg Px', width: 76, sort: 'avgPrice', align: 'right' },
  { key: 'venue', title: 'Venue', width: 52, sort: 'venue' },
  { key: 'tif', title: 'TIF', width: 36, sort: 'timeInForce' },
  { key: 'type', title: 'Type', width: 38, sort: 'orderType', hiddenByDefault: true },
  { key: 'clOrdId', title: 'ClOrdID', width: 140, hiddenByDefault: true },
  { key: 'actions', title: '', width: 116, fixed: true },
];

const TZ = new Date().getTimezoneOffset();

/** A cell's value in the CSV export: raw numbers, times as shown. */
export function orderCsvValue(col: string, o: OrderView, roles: ReadonlySet<string> | undefined): CsvValue {
  switch (col) {
    case 'time':
      return formatTime(o.createdTs, TZ);
    case 'orderId':
      return o.orderId;
    case 'client':
      return o.clientId;
    case 'symbol':
      return o.symbol;
    case 'side':
      return o.side.toUpperCase();
    case 'type':
      return o.orderType === 'limit' ? 'LMT' : 'MKT';
    case 'qty':
      return o.quantity;
    case 'price':
      return o.orderType === 'market' ? 'MKT' : o.price;
    case 'state':
      return stateLabel(o.state);
    case 'filled':
      return o.filledQuantity;
    case 'leaves':
      return o.leavesQuantity;
    case 'avg':
      return o.avgPrice > 0 ? o.avgPrice : undefined;
    case 'venue':
      return o.venue;
    case 'tif':
      return o.timeInForce.toUpperCase();
    case 'clOrdId':
      return o.clientOrderId;
    case 'reason':
      return o.rejectReason ?? (roles ? waitingHint(o.stage, o.state, roles) : undefined);
    default:
      return undefined;
  }
}

const COLUMNS_KEY = 'ordo.orders.columns.v2';

/** The trader's column layout for the orders blotter, persisted; `set(undefined)` restores the default. */
export function useColumnPrefs(): [ColumnPrefs, (p: ColumnPrefs | undefined) => void] {
  const [prefs, setPrefs] = useState<ColumnPrefs>(() => parsePrefs(ORDER_COLUMNS, loadPref<object>(COLUMNS_KEY, defaultPrefs(ORDER_COLUMNS))));
  useEffect(() => savePref(COLUMNS_KEY, prefs), [prefs]);
  // Stable, so that the memoised grid header does not re-render with every flush.
  const set = useCallback((p: ColumnPrefs | undefined) => setPrefs(p ?? defaultPrefs(ORDER_COLUMNS)), []);
  return [prefs, set];
}
