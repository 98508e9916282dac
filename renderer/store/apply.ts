import type { StateUpdate } from '../../contract/api.ts';
import { mergeAlerts } from './alerts-slice.ts';
import { componentsFrom, mergeComponents } from './components-slice.ts';
import { EMPTY_EVENTS, mergeEvents } from './events-slice.ts';
import { fillsFrom, mergeFills } from './fills-slice.ts';
import { instrumentsFrom, mergeQuotes } from './instruments-slice.ts';
import { mergeOrders, orderSourceOf, ordersFrom } from './orders-slice.ts';
import type { OrdoState } from './types.ts';

/** The part of the state that pushes write. */
export type LiveState = Pick<
  OrdoState,
  'session' | 'resets' | 'instruments' | 'clients' | 'orders' | 'orderSource' | 'fills' | 'components' | 'alerts' | 'events'
>;

/**
 * Applies a frame's worth of pushes in order: a `reset` replaces the whole
 * live state (and makes everything buffered before it moot); orders, fills,
 * quotes and components merge by key; `session` and `alerts` (the current
 * set) replace; event lines append to the tail. Returns only the fields that changed, for one
 * `setState`.
 */
export function applyUpdates(current: LiveState, updates: readonly StateUpdate[], receivedAt: number): Partial<LiveState> {
  let from = 0;
  for (let i = updates.length - 1; i >= 0; i--) {
    if (updates[i]?.reset) {
      from = i;
      break;
    }
  }
  const next: LiveState = { ...current };
  const changed = new Set<keyof LiveState>();
  // Quotes and event lines are gathered and merged once per flush: merging them per push copied
  // the instruments map and the event tail once for every push of the frame.
  const quotes: NonNullable<StateUpdate['instruments']>[number][] = [];
  const lines: NonNullable<StateUpdate['events']>[number][] = [];
  for (let i = from; i < updates.length; i++) {
    const u = updates[i] as StateUpdate;
    if (u.reset) {
      const r = u.reset;
      if (r.session.id !== next.session.id) {
        next.events = EMPTY_EVENTS;
        changed.add('events');
      }
      next.session = r.session;
      next.resets = next.resets + 1;
      next.instruments = instrumentsFrom(r.instruments);
      next.clients = r.clients;
      next.orders = ordersFrom(r.orders);
      next.orderSource = orderSourceOf(r);
      // The reset carries only the newest fills of a larger session: the blotter windows the rest (decision 166).
      next.fills = fillsFrom(r.fills, (r.fillCount ?? r.fills.length) > (r.fillsShown ?? r.fills.length));
      next.components = componentsFrom(r.components, receivedAt);
      next.alerts = mergeAlerts([], r.alerts);
      for (const k of ['session', 'resets', 'instruments', 'clients', 'orders', 'orderSource', 'fills', 'components', 'alerts'] as const) changed.add(k);
    }
    if (u.session) {
      next.session = u.session;
      changed.add('session');
    }
    if (u.orders && u.orders.length > 0) {
      next.orders = mergeOrders(next.orders, u.orders);
      changed.add('orders');
    }
    if (u.fills && u.fills.length > 0) {
      next.fills = mergeFills(next.fills, u.fills);
      changed.add('fills');
    }
    if (u.instruments) for (const q of u.instruments) quotes.push(q);
    if (u.components && u.components.length > 0) {
      next.components = mergeComponents(next.components, u.components, receivedAt);
      changed.add('components');
    }
    if (u.alerts) {
      // The host sends the current set of alerts, so a cleared one goes away.
      next.alerts = mergeAlerts([], u.alerts);
      changed.add('alerts');
    }
    if (u.events) for (const l of u.events) lines.push(l);
  }
  if (quotes.length > 0) {
    next.instruments = mergeQuotes(next.instruments, quotes);
    changed.add('instruments');
  }
  if (lines.length > 0) {
    next.events = mergeEvents(next.events, lines);
    changed.add('events');
  }
  const out: Partial<LiveState> = {};
  for (const k of changed) (out as Record<string, unknown>)[k] = next[k];
  return out;
}
