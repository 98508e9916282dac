import type { PositionView } from '../../../contract/risk.ts';

/** Per-client totals of the positions panel. */
export interface PositionTotals {
  clientId: string;
  realizedPnl: number;
  unrealizedPnl: number;
  netNotional: number;
  grossNotional: number;
  positions: number;
}

/** Sums positions per client, by clientId. */
export function positionTotals(rows: readonly PositionView[]): PositionTotals[] {
  const by = new Map<string, PositionTotals>();
  for (const r of rows) {
    let t = by.get(r.clientId);
    if (!t) {
      t = { clientId: r.clientId, realizedPnl: 0, unrealizedPnl: 0, netNotional: 0, grossNotional: 0, positions: 0 };
      by.set(r.clientId, t);
    }
    t.realizedPnl += r.realizedPnl;
    t.unrealizedPnl += r.unrealizedPnl;
    t.netNotional += r.notional;
    t.grossNotional += r.grossNotional;
    if (r.quantity !== 0) t.positions++;
  }
  return [...by.values()].sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
}

/** Money for the panel: two decimals with thousands separators, a minus for negatives. */
export function formatMoney(n: number): string {
  const s = Math.abs(n).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}
