import type { RiskState } from '../exposure/risk-state.ts';
import { unrealizedPnl } from './position.ts';

/** One position as the API shows it (money in the instrument's currency, multiplier applied). */
export interface PositionRow {
  clientId: string;
  symbol: string;
  /** Signed: < 0 short. */
  quantity: number;
  avgCost: number;
  /** Realised today (this session). */
  realizedPnl: number;
  /** Realised since the position was opened: earlier days (carried) plus today. */
  realizedPnlToDate: number;
  unrealizedPnl: number;
  lastPrice: number;
  /** Signed market value: quantity × lastPrice × multiplier (net exposure). */
  notional: number;
  /** |notional| (gross exposure). */
  grossNotional: number;
  multiplier: number;
  currency: string;
}

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
