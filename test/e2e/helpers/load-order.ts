/** An instrument as the load generators need it. */
export interface LoadInstrument {
  readonly symbol: string;
  readonly referencePrice: number;
  readonly tickSize: number;
  readonly lotSize: number;
}

/**
 * The `n`th order of the screen's load stream: half cross the spread and
 * fill, half rest in the book (both move rows). A load generator repeats the
 * same order on purpose and sells short: flagged for risk's checks.
 */
export function loadOrder(symbols: readonly LoadInstrument[], n: number, clientOrderId: string): Record<string, unknown> {
  const s = symbols[n % symbols.length]!;
  const side = n % 2 === 0 ? 'buy' : 'sell';
  const f = n % 4 < 2 ? (side === 'buy' ? 1.01 : 0.99) : side === 'buy' ? 0.97 : 1.03;
  const price = Number((Math.round((s.referencePrice * f) / s.tickSize) * s.tickSize).toFixed(2));
  return { clientId: 'ALPHA', clientOrderId, symbol: s.symbol, side, orderType: 'limit', quantity: s.lotSize, price, timeInForce: 'day', intentional: true, ...(side === 'sell' ? { locate: true } : {}) };
}
