import type { PositionView } from '../../../contract/risk.ts';

/**
 * A position re-marked at the live last trade the push stream brought (the
 * host marks at the same venue last trade when it answers; between answers
 * the quotes move on): unrealised = quantity × (last − avgCost) × multiplier,
 * notional = quantity × last × multiplier. Rows without a live last stay as given.
 */
export function remark(rows: readonly PositionView[], lastOf: (symbol: string) => number | undefined): PositionView[] {
  return rows.map((r) => {
    const last = lastOf(r.symbol);
    if (last === undefined || !(last > 0) || last === r.lastPrice) return r;
    const notional = r.quantity * last * r.multiplier;
    return { ...r, lastPrice: last, unrealizedPnl: r.quantity === 0 ? 0 : r.quantity * (last - r.avgCost) * r.multiplier, notional, grossNotional: Math.abs(notional) };
  });
}
