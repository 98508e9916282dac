import { describe, expect, it } from 'vitest';
import { RiskState } from '../../../engine/oms/exposure/risk-state.ts';
import { positionViews } from '../../../engine/oms/positions/views.ts';
import type { ReferenceData } from '../../../engine/oms/reference.ts';
import { LogBuilder } from '../../../engine/oms/testkit.ts';

const option = (symbol: string, putCall: 'call' | 'put', strike: number, referencePrice: number) => ({
  symbol, name: symbol, instrumentType: 'option' as const, venue: 'V1', currency: 'USD', tickSize: 0.05, lotSize: 1,
  referencePrice, underlying: 'X', strike, expiry: '2028-12-15', putCall, multiplier: 100,
});
const ref: ReferenceData = {
  venues: [{ venueId: 'V1', name: 'One' }],
  instruments: [
    { symbol: 'X', name: 'X Corp', instrumentType: 'equity', venue: 'V1', currency: 'USD', tickSize: 0.01, lotSize: 1, referencePrice: 100 },
    option('X C100', 'call', 100, 6.85),
    option('X P90', 'put', 90, 3.4),
    option('X P120', 'put', 120, 5),
  ],
  clients: ['A', 'B'].map((clientId) => ({ clientId, name: clientId, maxOrderNotional: 1e12, maxOpenNotional: 1e12, allowedSymbols: ['*'] })),
};

let nextId = 1;
function trade(log: LogBuilder, clientId: string, symbol: string, side: 'buy' | 'sell', quantity: number, price: number): void {
  const orderId = nextId++;
  log.addAll([
    { type: 'OrderPending', orderId, clientId, clientOrderId: `c${orderId}`, symbol, side, orderType: 'limit', timeInForce: 'day', quantity, price, locate: true },
    { type: 'OrderAccepted', orderId },
    { type: 'OrderRouted', orderId, venue: 'V1' },
    { type: 'OrderExecuted', orderId, execId: orderId, fillQty: quantity, fillPrice: price },
  ]);
}

function fold(log: LogBuilder): RiskState {
  const rs = new RiskState();
  for (const e of log.events) rs.apply(e);
  return rs;
}

describe('options at expiry: exercise, assignment, worthless (decision 096)', () => {
  it('in the money at the underlying mark: long exercised and short assigned into the underlying at the strike; out of the money expires worthless', () => {
    const log = new LogBuilder().openSession({ reference: ref });
    trade(log, 'A', 'X C100', 'buy', 5, 6.85); // long 5 calls
    trade(log, 'B', 'X C100', 'sell', 3, 6.85); // short 3 calls
    trade(log, 'A', 'X P90', 'buy', 2, 3.4); // long 2 puts, out of the money at 110
    trade(log, 'A', 'X P120', 'buy', 1, 5); // long 1 put, in the money at 110
    trade(log, 'A', 'X', 'buy', 50, 104); // an existing stock position the exercise adds to
    log.add({ type: 'ReferencePriceMoved', symbol: 'X', price: 110 }); // the underlying's mark at expiry
    const before = fold(log);
    expect(before.holding('A', 'X C100')!.position.quantity).toBe(5);

    for (const symbol of ['X C100', 'X P90', 'X P120']) log.add({ type: 'InstrumentExpired', symbol });
    const rs = fold(log);
    const pos = (c: string, s: string) => rs.holding(c, s)!.position;
    // A's 5 calls: exercised, 500 X bought at 100; the premium 5 × 6.85 × 100 = 3,425 realised as a loss.
    expect(pos('A', 'X C100')).toMatchObject({ quantity: 0 });
    expect(pos('A', 'X C100').realizedPnl).toBeCloseTo(-3425, 8);
    // B's short 3 calls: assigned, 300 X sold at 100; the premium 2,055 realised as a gain.
    expect(pos('B', 'X C100')).toMatchObject({ quantity: 0 });
    expect(pos('B', 'X C100').realizedPnl).toBeCloseTo(2055, 8);
    expect(pos('B', 'X')).toMatchObject({ quantity: -300, avgCost: 100 });
    // A's 2 puts struck 90: worthless at 110, the 680 premium lost, nothing delivered.
    expect(pos('A', 'X P90').quantity).toBe(0);
    expect(pos('A', 'X P90').realizedPnl).toBeCloseTo(-680, 8);
    // A's put struck 120: exercised, 100 X sold at 120. X: +50 @ 104, +500 @ 100, then −100 @ 120.
    expect(pos('A', 'X P120').realizedPnl).toBeCloseTo(-500, 8);
    const x = pos('A', 'X');
    expect(x.quantity).toBe(450);
    const avg = (50 * 104 + 500 * 100) / 550;
    expect(x.avgCost).toBeCloseTo(avg, 10);
    expect(x.realizedPnl).toBeCloseTo(100 * (120 - avg), 8);

    // Mark-to-market is continuous through the expiry: A's total P&L at the mark equals the options'
    // intrinsic value at 110 (calls 10, put 120: 10, put 90: 0) less premiums, plus the stock's 50 × (110 − 104).
    const total = (c: string) => positionViews(rs).filter((r) => r.clientId === c).reduce((s, r) => s + r.realizedPnl + r.unrealizedPnl, 0);
    expect(total('A')).toBeCloseTo(5 * (10 - 6.85) * 100 + 1 * (10 - 5) * 100 + 2 * (0 - 3.4) * 100 + 50 * (110 - 104), 6);
    expect(total('B')).toBeCloseTo(3 * (6.85 - 10) * 100, 6);

    // Determinism and once only: a second InstrumentExpired (e.g. repeated in the log) changes nothing.
    const hash = rs.stateHash();
    log.add({ type: 'InstrumentExpired', symbol: 'X C100' });
    const again = fold(log);
    expect(again.holding('A', 'X')!.position).toEqual(x);
    expect(fold(log).stateHash()).toBe(again.stateHash());
    expect(hash).not.toBe(before.stateHash());
  });

  it('at the money is not exercised', () => {
    const log = new LogBuilder().openSession({ reference: ref });
    trade(log, 'A', 'X C100', 'buy', 1, 6.85);
    log.add({ type: 'ReferencePriceMoved', symbol: 'X', price: 100 });
    log.add({ type: 'InstrumentExpired', symbol: 'X C100' });
    const rs = fold(log);
    expect(rs.holding('A', 'X C100')!.position.quantity).toBe(0);
    expect(rs.holding('A', 'X')).toBeUndefined();
  });
});
