import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskState } from '../../../engine/oms/exposure/risk-state.ts';
import { applyFill, newPosition, unrealizedPnl } from '../../../engine/oms/positions/position.ts';
import type { ReferenceData } from '../../../engine/oms/reference.ts';
import { LogBuilder } from '../../../engine/oms/testkit.ts';
import type { OrdoEvent } from '../../../engine/protocol/events.ts';
import { positionViews } from '../../../engine/oms/positions/views.ts';

const ref: ReferenceData = {
  venues: [{ venueId: 'V1', name: 'One' }],
  instruments: [
    { symbol: 'X', name: 'X Corp', instrumentType: 'equity', venue: 'V1', currency: 'USD', tickSize: 0.01, lotSize: 1, referencePrice: 100 },
    {
      symbol: 'X 281215C100', name: 'X call', instrumentType: 'option', venue: 'V1', currency: 'USD', tickSize: 0.05, lotSize: 1,
      referencePrice: 2.05, underlying: 'X', strike: 100, expiry: '2028-12-15', putCall: 'call', multiplier: 100,
    },
  ],
  clients: [{ clientId: 'A', name: 'A', maxOrderNotional: 1e12, maxOpenNotional: 1e12, allowedSymbols: ['*'] }],
};

/** A routed order and its fills, as the log would hold them. */
function trade(log: LogBuilder, orderId: number, symbol: string, side: 'buy' | 'sell', fills: [number, number][]): void {
  const quantity = fills.reduce((s, [q]) => s + q, 0);
  log.add({ type: 'OrderPending', orderId, clientId: 'A', clientOrderId: `c${orderId}`, symbol, side, orderType: 'limit', timeInForce: 'day', quantity, price: fills[0]![1] });
  log.add({ type: 'OrderAccepted', orderId });
  log.add({ type: 'OrderRouted', orderId, venue: 'V1' });
  fills.forEach(([q, p], i) => log.add({ type: 'OrderExecuted', orderId, execId: orderId * 100 + i, fillQty: q, fillPrice: p }));
}

function fold(build: (log: LogBuilder) => void): RiskState {
  const log = new LogBuilder().openSession({ reference: ref });
  build(log);
  const rs = new RiskState();
  for (const e of log.events) rs.apply(e);
  return rs;
}

describe('positions and P&L, hand-computed', () => {
  it('buys average, a partial sell realises against the average cost', () => {
    const rs = fold((log) => {
      trade(log, 1, 'X', 'buy', [[100, 10], [100, 12]]); // 200 @ avg 11
      trade(log, 2, 'X', 'sell', [[50, 15]]); // realise 50 × (15 − 11) = 200
    });
    const p = rs.holding('A', 'X')!.position;
    expect(p.quantity).toBe(150);
    expect(p.avgCost).toBeCloseTo(11, 10);
    expect(p.realizedPnl).toBeCloseTo(200, 10);
    // Mark = last fill 15: unrealised 150 × (15 − 11) = 600.
    expect(rs.mark('X')).toBe(15);
    expect(unrealizedPnl(p, 15, 1)).toBeCloseTo(600, 10);
    expect(rs.client('A')!.executedNotional).toBeCloseTo(100 * 10 + 100 * 12 + 50 * 15, 6);
  });

  it('a sell through zero flips long to short: closes at the average, opens the rest at the fill price', () => {
    const rs = fold((log) => {
      trade(log, 1, 'X', 'buy', [[100, 10]]);
      trade(log, 2, 'X', 'sell', [[60, 9], [90, 9]]); // close 100 @ 9 (−100), short 50 @ 9
      trade(log, 3, 'X', 'buy', [[20, 8]]); // cover 20: 20 × (9 − 8) = +20
    });
    const p = rs.holding('A', 'X')!.position;
    expect(p.quantity).toBe(-30);
    expect(p.avgCost).toBeCloseTo(9, 10);
    expect(p.realizedPnl).toBeCloseTo(-100 + 20, 10);
    expect(unrealizedPnl(p, 8, 1)).toBeCloseTo(-30 * (8 - 9), 10); // short gains +30 as price falls
  });

  it('options carry the multiplier into notional and P&L', () => {
    const rs = fold((log) => {
      trade(log, 1, 'X 281215C100', 'buy', [[10, 2.05]]);
      trade(log, 2, 'X 281215C100', 'sell', [[4, 2.5]]); // 4 × 0.45 × 100 = 180
    });
    const p = rs.holding('A', 'X 281215C100')!.position;
    expect(p.quantity).toBe(6);
    expect(p.realizedPnl).toBeCloseTo(180, 8);
    expect(rs.client('A')!.executedNotional).toBeCloseTo(10 * 2.05 * 100 + 4 * 2.5 * 100, 6); // 2,050 + 1,000
    const [view] = positionViews(rs);
    expect(view).toMatchObject({ clientId: 'A', symbol: 'X 281215C100', quantity: 6, multiplier: 100, lastPrice: 2.5 });
    expect(view!.unrealizedPnl).toBeCloseTo(6 * (2.5 - 2.05) * 100, 8); // 270
    expect(view!.notional).toBeCloseTo(6 * 2.5 * 100, 8); // 1,500
  });

  it('ignores repeated execIds, overfills and fills on orders never routed', () => {
    const rs = fold((log) => {
      trade(log, 1, 'X', 'buy', [[10, 10]]);
      log.add({ type: 'OrderExecuted', orderId: 1, execId: 100, fillQty: 10, fillPrice: 10 }); // repeat (and order is filled)
      log.add({ type: 'OrderPending', orderId: 2, clientId: 'A', clientOrderId: 'c2', symbol: 'X', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 5, price: 10 });
      log.add({ type: 'OrderExecuted', orderId: 2, execId: 200, fillQty: 5, fillPrice: 10 }); // not routed
    });
    expect(rs.holding('A', 'X')!.position.quantity).toBe(10);
  });

  it('ignores a repeat of an open order\'s first or later execId (the first is kept apart from the rest)', () => {
    const rs = fold((log) => {
      log.add({ type: 'OrderPending', orderId: 1, clientId: 'A', clientOrderId: 'c1', symbol: 'X', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 40, price: 10 });
      log.add({ type: 'OrderAccepted', orderId: 1 });
      log.add({ type: 'OrderRouted', orderId: 1, venue: 'V1' });
      log.add({ type: 'OrderExecuted', orderId: 1, execId: 0, fillQty: 10, fillPrice: 10 });
      log.add({ type: 'OrderExecuted', orderId: 1, execId: 0, fillQty: 10, fillPrice: 10 }); // repeat of the first
      log.add({ type: 'OrderExecuted', orderId: 1, execId: 7, fillQty: 10, fillPrice: 10 });
      log.add({ type: 'OrderExecuted', orderId: 1, execId: 7, fillQty: 10, fillPrice: 10 }); // repeat of the second
      log.add({ type: 'OrderExecuted', orderId: 1, execId: 0, fillQty: 10, fillPrice: 10 }); // the first again
    });
    expect(rs.holding('A', 'X')!.position.quantity).toBe(20);
  });

  it('folds on from an order decoded from a checkpoint written before exec1 (its execIds all in the Set): same hash, repeats ignored', () => {
    const log = new LogBuilder().openSession({ reference: ref });
    log.add({ type: 'OrderPending', orderId: 1, clientId: 'A', clientOrderId: 'c1', symbol: 'X', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 40, price: 10 });
    log.add({ type: 'OrderAccepted', orderId: 1 });
    log.add({ type: 'OrderRouted', orderId: 1, venue: 'V1' });
    log.add({ type: 'OrderExecuted', orderId: 1, execId: 5, fillQty: 10, fillPrice: 10 });
    const upTo = log.events.length;
    log.add({ type: 'OrderExecuted', orderId: 1, execId: 9, fillQty: 10, fillPrice: 10 });
    const fresh = new RiskState();
    for (const e of log.events) fresh.apply(e);
    const old = new RiskState();
    for (const e of log.events.slice(0, upTo)) old.apply(e);
    // What such a checkpoint decodes to: no exec1 field, the first fill's execId in the Set.
    const order = (old as unknown as { orderMap: Map<number, { exec1?: number; execs?: Set<number> }> }).orderMap.get(1)!;
    delete order.exec1;
    order.execs = new Set([5]);
    for (const e of log.events.slice(upTo)) old.apply(e);
    expect(old.stateHash()).toBe(fresh.stateHash());
    log.add({ type: 'OrderExecuted', orderId: 1, execId: 5, fillQty: 10, fillPrice: 10 }); // a repeat of the Set's id
    log.add({ type: 'OrderExecuted', orderId: 1, execId: 9, fillQty: 10, fillPrice: 10 }); // and of exec1's
    for (const e of log.events.slice(upTo + 1)) old.apply(e);
    expect(old.holding('A', 'X')!.position.quantity).toBe(20);
  });
});

describe('positions, properties', () => {
  const fillArb = fc.record({
    side: fc.constantFrom('buy' as const, 'sell' as const),
    qty: fc.integer({ min: 1, max: 500 }),
    ticks: fc.integer({ min: 1, max: 5000 }),
    option: fc.boolean(),
  });

  it('positions equal a fold of the fills; realised + unrealised equals the mark-to-market of the fills', () => {
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5000 }), (fills, markTicks) => {
        const events: OrdoEvent[] = [];
        fills.forEach((f, i) => {
          const symbol = f.option ? 'X 281215C100' : 'X';
          const price = f.option ? f.ticks * 0.05 : f.ticks * 0.01;
          const orderId = i + 1;
          events.push(
            { type: 'OrderPending', orderId, clientId: 'A', clientOrderId: `c${orderId}`, symbol, side: f.side, orderType: 'limit', timeInForce: 'day', quantity: f.qty, price },
            { type: 'OrderAccepted', orderId },
            { type: 'OrderRouted', orderId, venue: 'V1' },
            { type: 'OrderExecuted', orderId, execId: orderId, fillQty: f.qty, fillPrice: price },
          );
        });
        const log = new LogBuilder().openSession({ reference: ref });
        log.addAll(events);
        const rs = new RiskState();
        for (const e of log.events) rs.apply(e);
        for (const [symbol, mult, tick] of [['X', 1, 0.01], ['X 281215C100', 100, 0.05]] as const) {
          const mine = fills.filter((f) => f.option === (symbol !== 'X'));
          const netQty = mine.reduce((s, f) => s + (f.side === 'buy' ? f.qty : -f.qty), 0);
          const p = rs.holding('A', symbol)?.position;
          expect(p?.quantity ?? 0).toBe(netQty);
          const mark = markTicks * tick;
          // Cash flows of the fills plus the open quantity at the mark.
          const cash = mine.reduce((s, f) => s + (f.side === 'buy' ? -1 : 1) * f.qty * f.ticks * tick * mult, 0);
          const mtm = cash + netQty * mark * mult;
          const pnl = (p?.realizedPnl ?? 0) + (p ? unrealizedPnl(p, mark, mult) : 0);
          expect(Math.abs(pnl - mtm)).toBeLessThan(1e-6 * Math.max(1, Math.abs(mtm)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('applyFill: a short covered in part realises, then a buy through zero opens a long at the fill price', () => {
    const p = newPosition('A', 'X');
    applyFill(p, -100, 50, 1); // short 100 @ 50
    applyFill(p, 40, 45, 1); // cover 40: +200
    expect(p).toMatchObject({ quantity: -60, avgCost: 50, realizedPnl: 200, boughtQuantity: 40, soldQuantity: 100 });
    applyFill(p, 100, 40, 1); // cover 60 (+600), long 40 @ 40
    expect(p).toMatchObject({ quantity: 40, avgCost: 40, realizedPnl: 800 });
  });
});
