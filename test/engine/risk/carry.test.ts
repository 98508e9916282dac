import { describe, expect, it } from 'vitest';
import { RiskState } from '../../../engine/oms/exposure/risk-state.ts';
import { riskRestoreEvents } from '../../../engine/oms/exposure/snapshot.ts';
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
    expect(after.holding('ALPHA', 'AAPL')!.position).toMatchObject({ quantity: 60, avgCost: 228, realizedPnl: 80 });
    expect(after.holding('DELTA', 'AAPL 281215C230')!.position).toMatchObject({ quantity: 5, avgCost: 6.85 });
    expect(after.client('DELTA')!.limits.maxOrderNotional).toBe(50_000);
    expect(after.client('DELTA')!.executedNotional).toBe(0);
    expect(after.restricted('TSLA')).toMatchObject({ by: 'compliance', text: 'news' });
    expect(after.client('CHARLIE')!.halt).toMatchObject({ by: 'ops' });
    expect(after.mark('NVDA')).toBe(150);
    expect(after.mark('AAPL')).toBe(230);
  });

  it('an older snapshot without risk still parses and restores no risk events', () => {
    const snap = parseSnapshot({ version: 1, sessionId: 1, lastSeq: 5, nextOrderId: 9, orders: [] }, 'old');
    expect(snap.risk).toBeUndefined();
    const policy = new OmsSequencerPolicy(reference);
    expect(policy.openingEvents(snap).some((e) => e.type === 'PositionRestored' || e.type === 'LimitsChanged')).toBe(false);
  });
});
