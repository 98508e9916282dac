import { describe, expect, it } from 'vitest';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { OmsSequencerPolicy } from '../../engine/oms/sequencer-policy.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';

const reference = loadReferenceData();

describe('the sequencer policy routes an order once per entry', () => {
  it('takes the first OrderRouted of an accepted order and refuses a second (DUPLICATE) and one for an unknown order', () => {
    const log = new LogBuilder().openSession({ reference });
    log.addAll([
      { type: 'OrderPending', orderId: 1, clientId: 'ALPHA', clientOrderId: 'c1', symbol: 'MSFT', side: 'buy', orderType: 'limit', timeInForce: 'gtc', quantity: 10, price: 400 },
      { type: 'OrderAccepted', orderId: 1 },
    ]);
    const policy = new OmsSequencerPolicy(reference);
    for (const e of log.events) policy.apply(1, e);
    const route = { type: 'OrderRouted' as const, orderId: 1, venue: 'XNAS' };
    expect(policy.authorize('router-1', 'router', route)).toBeUndefined();
    log.add(route);
    policy.apply(1, log.events.at(-1)!);
    const again = policy.authorize('router-1', 'router', route);
    expect(again?.code).toBe('DUPLICATE');
    expect(again?.message).toBe('order 1 is routed, not waiting for a route');
    expect(policy.authorize('router-1', 'router', { ...route, orderId: 99 })?.code).toBe('DUPLICATE');
  });
});
