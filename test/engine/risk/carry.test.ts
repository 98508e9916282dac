import { describe, expect, it } from 'vitest';
import { RiskState } from '../../../engine/oms/exposure/risk-state.ts';
import { riskRestoreEvents } from '../../../engine/oms/exposure/snapshot.ts';
import { positionViews } from '../../../engine/oms/positions/views.ts';
import { loadReferenceData } from '../../../engine/oms/reference.ts';
import { OmsSequencerPolicy } from '../../../engine/oms/sequencer-policy.ts';
import { parseSnapshot } from '../../../engine/oms/snapshot.ts';
import { LogBuilder } from '../../../engine/oms/testkit.ts';
import type { OrdoEvent } from '../../../engine/protocol/events.ts';

const reference = loadReferenceData();

function fill(orderId: number, clientId: string, symbol: string, side: 'buy' | 'sell', qty: number, price: number): OrdoEvent[] {
  return [
    { type: 'OrderPending', orderId, clientId, clientOrderId: `c${orderId}`, symbol, side, orderType: 'limit', timeInForce: 'day', quantity: qty, price },
    { type: 'OrderAccepted', orderId },
    { type: 'OrderRouted', orderId, venue: 'XNAS' },
    { type: 'OrderExecuted', orderId, execId: orderId, fillQty: qty, fillPrice: price },
  ];
}

describe('risk state across sessions (the snapshot)', () => {
  it('carries positions, runtime limits, the restricted list, halts and marks; credit starts afresh', () => {
    const s1 = new LogBuilder().openSession({ reference });
    s1.addAll([
      ...fill(1, 'ALPHA', 'AAPL', 'buy', 100, 228),
      ...fill(2, 'ALPHA', 'AAPL', 'sell', 40, 230), // realised 40 × 2 = 80
      ...fill(3, 'DELTA', 'AAPL 281215C230', 'buy', 5, 6.85),
      { type: 'LimitsChanged', clientId: 'DELTA', by: 'cro', maxOrderNotional: 50_000 },
      { type: 'RestrictedListChanged', symbol: 'TSLA', restricted: true, by: 'compliance', text: 'news' },
      { type: 'TradingHalted', clientId: 'CHARLIE', by: 'ops', text: '' },
      { type: 'ReferencePriceMoved', symbol: 'NVDA', price: 150 },
    ]);
    const policy = new OmsSequencerPolicy(reference);
    const before = new RiskState();
    for (const e of s1.events) {
      policy.apply(1, e);
      before.apply(e);
    }
    // Through JSON and the validator, as the store keeps it.
    const snap = parseSnapshot(JSON.parse(JSON.stringify(policy.snapshot().body)), 'snapshot 1');
    expect(snap.risk!.positions).toEqual([
      { clientId: 'ALPHA', symbol: 'AAPL', quantity: 60, avgCost: 228, realizedPnl: 80 },
      { clientId: 'DELTA', symbol: 'AAPL 281215C230', quantity: 5, avgCost: 6.85, realizedPnl: 0 },
    ]);

    const s2 = new LogBuilder().openSession({ sessionId: 2, previousSessionId: 1, reference, restore: riskRestoreEvents(snap.risk) });
    // The policy's opening is the static data, then the carried orders, then exactly these.
    expect(policy.openingEvents(snap).slice(-riskRestoreEvents(snap.risk).length)).toEqual(riskRestoreEvents(snap.risk));
    const after = new RiskState();
    for (const e of s2.events) after.apply(e);
    // A new trading day: the position keeps its quantity and cost; today's realised P&L starts at 0, the 80 is prior.
    expect(after.holding('ALPHA', 'AAPL')!.position).toMatchObject({ quantity: 60, avgCost: 228, realizedPnl: 0, priorRealizedPnl: 80 });
    expect(after.holding('DELTA', 'AAPL 281215C230')!.position).toMatchObject({ quantity: 5, avgCost: 6.85 });
    expect(after.client('DELTA')!.limits.maxOrderNotional).toBe(50_000);
    expect(after.client('DELTA')!.executedNotional).toBe(0);
    expect(after.restricted('TSLA')).toMatchObject({ by: 'compliance', text: 'news' });
    expect(after.client('CHARLIE')!.halt).toMatchObject({ by: 'ops' });
    expect(after.mark('NVDA')).toBe(150);
    expect(after.mark('AAPL')).toBe(230);
  });

  it('daily P&L: realised resets at the session open, a carried position keeps its cost, the next snapshot carries the total', () => {
    const s1 = new LogBuilder().openSession({ reference });
    s1.addAll([...fill(1, 'ALPHA', 'AAPL', 'buy', 100, 228), ...fill(2, 'ALPHA', 'AAPL', 'sell', 40, 230)]); // day 1: +80 realised
    const policy = new OmsSequencerPolicy(reference);
    for (const e of s1.events) policy.apply(1, e);
    const snap1 = parseSnapshot(JSON.parse(JSON.stringify(policy.snapshot().body)), 'snapshot 1');
    const s2 = new LogBuilder().openSession({ sessionId: 2, previousSessionId: 1, reference, restore: riskRestoreEvents(snap1.risk) });
    const day2 = new RiskState();
    for (const e of s2.events) day2.apply(e);
    const row = (): ReturnType<typeof positionViews>[number] | undefined => positionViews(day2, () => 231).find((r) => r.symbol === 'AAPL');
    // Day 2 opens: nothing realised today; unrealised is against the carried cost 228: 60 × 3 = 180.
    expect(row()).toMatchObject({ quantity: 60, avgCost: 228, realizedPnl: 0, realizedPnlToDate: 80, unrealizedPnl: 180 });
    // Day 2 trades: sell 50 @ 229 realises 50 × (229 − 228) = 50 today; buy 20 @ 226 averages the cost of the 30 left.
    s2.addAll([...fill(10, 'ALPHA', 'AAPL', 'sell', 50, 229), ...fill(11, 'ALPHA', 'AAPL', 'buy', 20, 226)]);
    for (const e of s2.events.slice(-8)) day2.apply(e);
    expect(row()).toMatchObject({ quantity: 30, realizedPnl: 50, realizedPnlToDate: 130 });
    expect(row()!.avgCost).toBeCloseTo((10 * 228 + 20 * 226) / 30, 10);
    // A position closed flat on day 1 (nothing realised today) is not in day 2's view.
    const flat = new LogBuilder().openSession({ sessionId: 3, previousSessionId: 2, reference, restore: [{ type: 'PositionRestored', clientId: 'BRAVO', symbol: 'JPM', quantity: 0, avgCost: 0, realizedPnl: -40 }] });
    const day3 = new RiskState();
    for (const e of flat.events) day3.apply(e);
    expect(positionViews(day3).some((r) => r.clientId === 'BRAVO')).toBe(false);
  });

  it('an older snapshot without risk still parses and restores no risk events', () => {
    const snap = parseSnapshot({ version: 1, sessionId: 1, lastSeq: 5, nextOrderId: 9, orders: [] }, 'old');
    expect(snap.risk).toBeUndefined();
    const policy = new OmsSequencerPolicy(reference);
    expect(policy.openingEvents(snap).some((e) => e.type === 'PositionRestored' || e.type === 'LimitsChanged')).toBe(false);
  });
});
