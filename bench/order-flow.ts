import type { NewOrderRequest } from '../contract/api.ts';
import { loadReferenceData } from '../engine/oms/reference.ts';

/** An instrument the orders bench trades, with its marketable buy and sell limit prices. */
export interface Tradable {
  readonly symbol: string;
  readonly buy: number;
  readonly sell: number;
}

/** Equities with lot 1 under $250: small notional per order keeps many in flight inside client limits. */
export function tradable(): Tradable[] {
  return loadReferenceData()
    .instruments.filter((i) => i.instrumentType === 'equity' && i.lotSize === 1 && i.referencePrice < 250)
    .map((i) => {
      const ref = Math.round(i.referencePrice / i.tickSize);
      // 5% through the reference price: marketable against every quoted level, inside the ±10% band.
      const off = Math.round(ref * 0.05);
      return { symbol: i.symbol, buy: Number(((ref + off) * i.tickSize).toFixed(2)), sell: Number(((ref - off) * i.tickSize).toFixed(2)) };
    });
}

/**
 * The bench's order flow: marketable 1-lot day limit orders over `symbols`, buys then sells per pass, two
 * clients alternating, clientOrderIds P1, P2, … Each call of the returned function is the next order.
 */
export function makeOrders(symbols: readonly Tradable[]): () => NewOrderRequest {
  const clients = ['ALPHA', 'CHARLIE'];
  let n = 0;
  return () => {
    const s = symbols[n % symbols.length]!;
    const buy = (Math.floor(n / symbols.length) & 1) === 0;
    n++;
    return {
      clientId: clients[n & 1]!,
      clientOrderId: `P${n}`,
      symbol: s.symbol,
      side: buy ? 'buy' : 'sell',
      orderType: 'limit',
      quantity: 1,
      price: buy ? s.buy : s.sell,
      timeInForce: 'day',
      // The flow repeats the same 1-lot orders on purpose and sells what it may not hold yet (a program with a
      // borrow): risk's duplicate and short-sale checks run, and these flags are the honest answer to them.
      intentional: true,
      ...(buy ? {} : { locate: true }),
    };
  };
}
