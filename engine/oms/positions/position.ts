/**
 * One client's position in one instrument, by the average-cost method:
 * buying adds to a long at a new average cost; selling out of a long realises
 * (price − avgCost) × quantity × multiplier; a trade that crosses zero closes
 * the old side at avgCost and opens the rest at the trade price. Shorts
 * mirror longs. Money is in the instrument's currency, multiplier applied.
 * Realised P&L is the trading day's (a session is a trading day): a position
 * carried into a new session keeps its quantity and average cost, its
 * earlier realised P&L moves to `priorRealizedPnl` (docs/decisions/095).
 */
export interface Position {
  readonly clientId: string;
  readonly symbol: string;
  /** Signed: > 0 long, < 0 short. */
  quantity: number;
  /** Average cost per unit of the open quantity (0 when flat). */
  avgCost: number;
  /** Realised today (this session). */
  realizedPnl: number;
  /** Realised before today (carried in the snapshot); to date = prior + today. */
  priorRealizedPnl: number;
  /** Σ |fill quantity| bought / sold since the position was created (this session and carried). */
  boughtQuantity: number;
  soldQuantity: number;
}

export function newPosition(clientId: string, symbol: string): Position {
  return { clientId, symbol, quantity: 0, avgCost: 0, realizedPnl: 0, priorRealizedPnl: 0, boughtQuantity: 0, soldQuantity: 0 };
}

/**
 * Applies one fill to the position. `signedQty` > 0 buys, < 0 sells.
 * Pure arithmetic on the arguments: the same fills in the same order give
 * the same position on every replica.
 */
export function applyFill(p: Position, signedQty: number, price: number, multiplier: number): void {
  if (signedQty === 0) return;
  if (signedQty > 0) p.boughtQuantity += signedQty;
  else p.soldQuantity -= signedQty;
  const q0 = p.quantity;
  if (q0 === 0 || Math.sign(q0) === Math.sign(signedQty)) {
    const total = Math.abs(q0) + Math.abs(signedQty);
    p.avgCost = (Math.abs(q0) * p.avgCost + Math.abs(signedQty) * price) / total;
    p.quantity = q0 + signedQty;
    return;
  }
  const closing = Math.min(Math.abs(q0), Math.abs(signedQty));
  p.realizedPnl += closing * (price - p.avgCost) * Math.sign(q0) * multiplier;
  p.quantity = q0 + signedQty;
  if (p.quantity === 0) p.avgCost = 0;
  else if (Math.sign(p.quantity) !== Math.sign(q0)) p.avgCost = price; // flipped: the rest opened at this price
}

/** Unrealised P&L of the position marked at `mark`: quantity × (mark − avgCost) × multiplier. */
export function unrealizedPnl(p: Position, mark: number, multiplier: number): number {
  return p.quantity === 0 ? 0 : p.quantity * (mark - p.avgCost) * multiplier;
}
