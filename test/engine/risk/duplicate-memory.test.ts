import { describe, expect, it } from 'vitest';
import { duplicateKey, RiskState } from '../../../engine/oms/exposure/risk-state.ts';
import type { Sequenced } from '../../../engine/protocol/events.ts';

/** One 1-lot buy of AAPL at 100 by ALPHA: every order has the same duplicate key. */
function pending(orderId: number, ts: number): Sequenced {
  return {
    seq: orderId,
    ts,
    src: 'proxy',
    cseq: orderId,
    event: {
      type: 'OrderPending', orderId, clientId: 'ALPHA', clientOrderId: `c${orderId}`, symbol: 'AAPL', side: 'buy',
      orderType: 'limit', timeInForce: 'day', quantity: 1, price: 100, intentional: true,
    },
  };
}

describe('risk duplicate memory under a long busy session', () => {
  // Regression (bench rss, r3): the memory forgot its oldest order with Array.shift(), which copies a list past
  // ~16 k entries; one key remembering a minute of a busy flow made every order O(list), the event loop stalled
  // for seconds and the host stopped answering submitOrder. 200 k orders, 60 k of them in the window at a time:
  // minutes with the copying shift, well under a second without. Counts, not times, are asserted.
  it('forgets what left the minute in order and still finds the oldest duplicate inside it', () => {
    const rs = new RiskState();
    const stepUs = 1000;
    const total = 200_000;
    const t0 = 1_800_000_000_000_000;
    for (let id = 1; id <= total; id++) rs.apply(pending(id, t0 + id * stepUs));
    // The memory keeps 60 s of sequencer time: orders whose ts is within 60,000,000 µs of the newest.
    expect(rs.rememberedOrders).toBe(60_001);
    const key = duplicateKey('ALPHA', 'AAPL', 'buy', 'limit', 1, 100);
    const now = t0 + total * stepUs;
    // Oldest remembered order inside a 60 s window: the one exactly 60 s older than the newest.
    expect(rs.duplicateOf(total, key, now, 60_000_000)).toBe(total - 60_000);
    // A 1 s window: the oldest order at most 1 s older than the newest.
    expect(rs.duplicateOf(total, key, now, 1_000_000)).toBe(total - 1000);
    // A copy carries the same memory.
    const copy = rs.copy();
    expect(copy.rememberedOrders).toBe(60_001);
    expect(copy.duplicateOf(total, key, now, 60_000_000)).toBe(total - 60_000);
    expect(copy.stateHash()).toBe(rs.stateHash());
  }, 60_000);
});
