import type { PositionView } from '../../../contract/risk.ts';
import type { RiskState } from '../exposure/risk-state.ts';
import { unrealizedPnl } from './position.ts';

/**
 * One position as the API shows it: the contract's PositionView (one list of
 * its fields), with realizedPnlToDate always set by this build (the contract
 * has it optional for older hosts).
 */
export type PositionRow = PositionView & { realizedPnlToDate: number };

/**
 * Every position with a quantity or realised P&L today, by client then symbol,
 * marked at `lastPrice(symbol)` when given (e.g. the venue's live last
 * trade), else at risk's sequenced mark.
 */
export function positionViews(rs: RiskState, lastPrice?: (symbol: string) => number | undefined): PositionRow[] {
  const out: PositionRow[] = [];
  for (const h of rs.holdings()) {
    const p = h.position;
    if (p.quantity === 0 && p.realizedPnl === 0) continue;
    const inst = rs.instrument(p.symbol);
    const mult = inst?.multiplier ?? 1;
    const last = lastPrice?.(p.symbol) ?? rs.mark(p.symbol) ?? p.avgCost;
    const notional = p.quantity * last * mult;
    out.push({
      clientId: p.clientId,
      symbol: p.symbol,
      quantity: p.quantity,
      avgCost: p.avgCost,
      realizedPnl: p.realizedPnl,
      realizedPnlToDate: p.priorRealizedPnl + p.realizedPnl,
      unrealizedPnl: unrealizedPnl(p, last, mult),
      lastPrice: last,
      notional,
      grossNotional: Math.abs(notional),
      multiplier: mult,
      currency: inst?.currency ?? '',
    });
  }
  return out.sort((a, b) => (a.clientId === b.clientId ? (a.symbol < b.symbol ? -1 : 1) : a.clientId < b.clientId ? -1 : 1));
}
