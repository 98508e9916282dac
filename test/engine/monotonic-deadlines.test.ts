import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientProxyComponent } from '../../engine/oms/components/client-proxy.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { CommandBody } from '../../engine/protocol/events.ts';

afterEach(() => vi.restoreAllMocks());

/**
 * Decision 084, finished in round 3: request deadlines run on the monotonic
 * clock. A wall-clock step forward (NTP, an operator) must not time out a
 * request the sequencer is still answering.
 */
describe('client proxy deadlines are monotonic', () => {
  it('a 1-hour wall-clock step does not time out a pending request; it is answered when its event comes', async () => {
    const b = new LogBuilder().openSession({ reference: loadReferenceData() });
    const p = new OmsProjection();
    p.applyAll(b.events);
    const proxy = new ClientProxyComponent('proxy-1', p);
    const sent: CommandBody[] = [];
    proxy.onActivate({ send: (body) => (sent.push(body), sent.length) });
    let answer: unknown;
    const pending = proxy.submit({ clientId: 'ALPHA', clientOrderId: 'mono-1', symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 10, price: 228.45 })
      .then((r) => (answer = r));
    expect(sent).toHaveLength(1);
    const wall = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => wall + 3_600_000);
    // The sweeper runs every 250 ms: give it several turns with the stepped clock.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(answer).toBeUndefined();
    // Its event arrives: answered with the order id, not UNAVAILABLE.
    const body = sent[0] as Extract<CommandBody, { type: 'OrderPending' }>;
    const e = b.add(body, 'proxy-1');
    const stamped = { ...e, cseq: 1 };
    p.apply(stamped);
    proxy.apply(1, stamped);
    proxy.react(1, stamped);
    await pending;
    expect(answer).toMatchObject({ ok: true, value: { orderId: body.orderId } });
  });
});
