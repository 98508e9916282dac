import { useCallback, useEffect, useState } from 'react';
import type { FillView } from '../../contract/api.ts';
import { defaultPrefs, parsePrefs } from '../lib/columns.ts';
import type { ColumnDef, ColumnPrefs } from '../lib/columns.ts';
import type { CsvValue } from '../lib/csv.ts';
import type { FillSortKey } from '../lib/fill-query.ts';
import { formatTime } from '../lib/format.ts';
import { loadPref, savePref } from '../lib/settings.ts';

export interface FillColumn extends ColumnDef {
  sort?: FillSortKey;
}

/**
 * The fills blotter's columns: what a trader reads first comes first (the
 * first five fit the narrow panel at 1366 px); client, order id and seq come last (and the exec id and notional are there to
 * show from the column chooser).
 */
export const FILL_COLUMNS: readonly FillColumn[] = [
  // Seconds in the cell, milliseconds and the date in its tooltip (as in the orders grid): an option symbol
  // ("AAPL 281215C230") fits whole in the narrow panel at 1366 px (decision 216).
  { key: 'time', title: 'Time', width: 66, sort: 'ts' },
  { key: 'symbol', title: 'Symbol', width: 124, sort: 'symbol', grow: true },
  { key: 'side', title: 'Side', width: 42, sort: 'side' },
  { key: 'qty', title: 'Qty', width: 72, sort: 'quantity', align: 'right' },
  { key: 'price', title: 'Price', width: 70, sort: 'price', align: 'right' },
  { key: 'client', title: 'Client', width: 66, sort: 'clientId' },
  { key: 'notional', title: 'Notional', width: 96, sort: 'notional', align: 'right', hiddenByDefault: true },
  { key: 'orderId', title: 'Order', width: 62, sort: 'orderId', align: 'right' },
  { key: 'execId', title: 'Exec', width: 62, sort: 'execId', align: 'right', hiddenByDefault: true },
  { key: 'seq', title: 'Seq', width: 70, sort: 'seq', align: 'right' },
];

const TZ = new Date().getTimezoneOffset();

/** A cell's value in the CSV export: raw numbers, the time as shown. */
export function fillCsvValue(col: string, f: FillView, clientId: string | undefined): CsvValue {
  switch (col) {
    case 'time':
      return formatTime(f.ts, TZ);
    case 'client':
      return clientId;
    case 'symbol':
      return f.symbol;
    case 'side':
      return f.side.toUpperCase();
    case 'qty':
      return f.quantity;
    case 'price':
      return f.price;
    case 'notional':
      return f.quantity * f.price;
    case 'orderId':
      return f.orderId;
    case 'execId':
      return f.execId;
    case 'seq':
      return f.seq;
    default:
      return undefined;
  }
}

const COLUMNS_KEY = 'ordo.fills.columns.v1';

/** The trader's column layout for the fills blotter, persisted; `set(undefined)` restores the default. */
export function useFillColumnPrefs(): [ColumnPrefs, (p: ColumnPrefs | undefined) => void] {
  const [prefs, setPrefs] = useState<ColumnPrefs>(() => parsePrefs(FILL_COLUMNS, loadPref<object>(COLUMNS_KEY, defaultPrefs(FILL_COLUMNS))));
  useEffect(() => savePref(COLUMNS_KEY, prefs), [prefs]);
  // Stable, so that the memoised grid header does not re-render with every flush.
  const set = useCallback((p: ColumnPrefs | undefined) => setPrefs(p ?? defaultPrefs(FILL_COLUMNS)), []);
  return [prefs, set];
}
