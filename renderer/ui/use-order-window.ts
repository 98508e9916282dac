import { useEffect, useMemo, useRef, useState } from 'react';
import type { OrdoApi } from '../../contract/api.ts';
import type { OrderFilter, OrderSort } from '../lib/order-query.ts';
import { OrderWindowLoader, WINDOW_REFRESH_MS, windowQuery } from '../lib/order-window.ts';
import type { LoadedWindow } from '../lib/order-window.ts';
import type { PastAt } from '../lib/fill-window.ts';
import type { OrdoStore } from '../store/types.ts';

/**
 * The blotter's rows in remote mode (decision 150): the window of the host's
 * filtered, sorted orders around the rows in view. Rows' contents come from
 * the store (windows and pushes merge into it), so a row in view changes with
 * every flush; which rows match and their order are asked again at most once a
 * second while orders change. `enabled` false: nothing is asked. With
 * `past`, the window is the time machine's state at that seq (decision 166):
 * its rows go into the past view, and it is never asked again (the past does
 * not change).
 */
export function useOrderWindow(
  api: OrdoApi,
  store: OrdoStore,
  enabled: boolean,
  filter: OrderFilter,
  sort: OrderSort,
  past?: PastAt,
): { window: LoadedWindow | undefined; setRange(start: number, end: number): void } {
  const [win, setWin] = useState<LoadedWindow | undefined>(undefined);
  const loaderRef = useRef<OrderWindowLoader | undefined>(undefined);
  const resets = useRef(-1);
  const pastSeq = past?.at;

  useEffect(() => {
    if (!enabled) {
      setWin(undefined);
      return;
    }
    let seen = store.getState().orders.version;
    const loader = new OrderWindowLoader({
      getOrderWindow: (q) => api.getOrderWindow(q),
      applyRows: (orders) => {
        if (pastSeq !== undefined) {
          store.getState().backfillPast(pastSeq, orders);
          return;
        }
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
      if (pastSeq !== undefined) return;
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
  }, [api, store, enabled, pastSeq]);

  const pastSession = past?.session;
  const q = useMemo(() => {
    const w = windowQuery(filter, sort);
    if (pastSeq !== undefined) {
      w.at = pastSeq;
      if (pastSession !== undefined) w.session = pastSession;
    }
    return w;
  }, [filter, sort, pastSeq, pastSession]);
  useEffect(() => {
    if (enabled) loaderRef.current?.setQuery(q);
  }, [q, enabled]);

  const setRange = useMemo(() => (start: number, end: number) => loaderRef.current?.setRange(start, end), []);
  return { window: enabled ? win : undefined, setRange };
}
