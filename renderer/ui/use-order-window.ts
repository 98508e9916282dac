import { useEffect, useMemo, useRef, useState } from 'react';
import type { OrdoApi } from '../../contract/api.ts';
import type { OrderFilter, OrderSort } from '../lib/order-query.ts';
import { OrderWindowLoader, WINDOW_REFRESH_MS, windowQuery } from '../lib/order-window.ts';
import type { LoadedWindow } from '../lib/order-window.ts';
import type { OrdoStore } from '../store/types.ts';

/**
 * The blotter's rows in remote mode (decision 150): the window of the host's
 * filtered, sorted orders around the rows in view. Rows' contents come from
 * the store (windows and pushes merge into it), so a row in view changes with
 * every flush; which rows match and their order are asked again at most once a
 * second while orders change. `enabled` false: nothing is asked.
 */
export function useOrderWindow(
  api: OrdoApi,
  store: OrdoStore,
  enabled: boolean,
  filter: OrderFilter,
  sort: OrderSort,
): { window: LoadedWindow | undefined; setRange(start: number, end: number): void } {
  const [win, setWin] = useState<LoadedWindow | undefined>(undefined);
  const loaderRef = useRef<OrderWindowLoader | undefined>(undefined);
  const resets = useRef(-1);

  useEffect(() => {
    if (!enabled) {
      setWin(undefined);
      return;
    }
    let seen = store.getState().orders.version;
    const loader = new OrderWindowLoader({
      getOrderWindow: (q) => api.getOrderWindow(q),
      applyRows: (orders) => {
        if (orders.length > 0) store.getState().backfill({ orders });
        // The window's own rows are no reason to ask again.
        seen = store.getState().orders.version;
      },
      onWindow: setWin,
    });
    loaderRef.current = loader;
    // Refresh while pushes change orders (they bump the table's version), and after every reset.
    resets.current = store.getState().resets;
    const timer = setInterval(() => {
      const s = store.getState();
      if (s.orders.version !== seen || s.resets !== resets.current) {
        seen = s.orders.version;
        resets.current = s.resets;
        loader.refresh();
      }
    }, WINDOW_REFRESH_MS);
    return () => {
      clearInterval(timer);
      loader.close();
      loaderRef.current = undefined;
    };
  }, [api, store, enabled]);

  const q = useMemo(() => windowQuery(filter, sort), [filter, sort]);
  useEffect(() => {
    if (enabled) loaderRef.current?.setQuery(q);
  }, [q, enabled]);

  const setRange = useMemo(() => (start: number, end: number) => loaderRef.current?.setRange(start, end), []);
  return { window: enabled ? win : undefined, setRange };
}
