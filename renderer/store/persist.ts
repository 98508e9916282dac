import { savePref } from '../lib/settings.ts';
import { ORDER_VIEW_KEY } from './orders-slice.ts';
import type { OrdoStore } from './types.ts';

/** Saves the orders blotter's filter and sort whenever they change, so a reload keeps them. Returns the unsubscribe. */
export function persistViewPrefs(store: OrdoStore): () => void {
  return store.subscribe((s, prev) => {
    if (s.orderFilter !== prev.orderFilter || s.orderSort !== prev.orderSort) {
      savePref(ORDER_VIEW_KEY, { filter: s.orderFilter, sort: s.orderSort });
    }
  });
}
