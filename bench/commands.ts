import type { CommandBody } from '../engine/protocol/events.ts';

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'JPM', 'XOM', 'SPY', 'GOOGL'];
const VENUES = ['XNAS', 'XNAS', 'XNAS', 'XNAS', 'XNYS', 'XNYS', 'ARCX', 'XNAS'];

/**
 * What each of the four sending components asks for, as in a live OMS: the
 * proxy new orders, risk accepts, the router routes, the gateway fills. The
 * k-th command of each role is about order k.
 */
export function commandFor(role: number, k: number): CommandBody {
  const s = k & 7;
  switch (role) {
    case 0:
      return {
        type: 'OrderPending',
        orderId: k,
        clientId: (k & 1) === 0 ? 'ALPHA' : 'CHARLIE',
        clientOrderId: `B${k.toString(36).toUpperCase()}`,
        symbol: SYMBOLS[s]!,
        side: (k & 2) === 0 ? 'buy' : 'sell',
        orderType: 'limit',
        timeInForce: 'day',
        quantity: 100 + (k % 400),
        price: 100 + (k % 997) / 100,
      };
    case 1:
      return { type: 'OrderAccepted', orderId: k };
    case 2:
      return { type: 'OrderRouted', orderId: k, venue: VENUES[s]! };
    default:
      return { type: 'OrderExecuted', orderId: k, execId: 5_000_000_000 + k, fillQty: 100 + (k % 400), fillPrice: 100 + (k % 997) / 100 };
  }
}
