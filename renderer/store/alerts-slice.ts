import type { AlertView } from '../../contract/api.ts';
import type { SliceCreator } from './types.ts';

export const MAX_ALERTS = 500;

function alertKey(a: AlertView): string {
  return `${a.seq}\u0000${a.instance}\u0000${a.kind}`;
}

/** Appends alerts (oldest first), dropping repeats of one already held and the oldest beyond `max`. */
export function mergeAlerts(current: readonly AlertView[], incoming: readonly AlertView[], max = MAX_ALERTS): readonly AlertView[] {
  if (incoming.length === 0) return current;
  const seen = new Set(current.map(alertKey));
  const next = [...current];
  for (const a of incoming) {
    const k = alertKey(a);
    if (seen.has(k)) continue;
    seen.add(k);
    next.push(a);
  }
  return next.length > max ? next.slice(next.length - max) : next;
}

export interface AlertsSlice {
  /** Oldest first. */
  alerts: readonly AlertView[];
  /** How many alerts the trader has seen (opened the list); the rest count as new. */
  alertsSeen: number;
  markAlertsSeen(): void;
}

export const createAlertsSlice: SliceCreator<AlertsSlice> = (set) => ({
  alerts: [],
  alertsSeen: 0,
  markAlertsSeen: () => set((s) => ({ alertsSeen: s.alerts.length })),
});
