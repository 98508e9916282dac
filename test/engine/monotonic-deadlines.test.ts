import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientProxyComponent, REQUEST_TIMEOUT_MS } from '../../engine/oms/components/client-proxy.ts';
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

/**
 * Issue 15 (round 12): the proxy reads the clock once a sweep, not once an order; a request's deadline is set by
 * the first sweep after it. It must still never time out before REQUEST_TIMEOUT_MS on the monotonic clock, and
 * must time out soon after (within two sweeps).
 */
describe('client proxy request deadline', () => {
  afterEach(() => vi.useRealTimers());

  it('an unanswered request is answered UNAVAILABLE after REQUEST_TIMEOUT_MS, never before', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const b = new LogBuilder().openSession({ reference: loadReferenceData() });
    const p = new OmsProjection();
    p.applyAll(b.events);
    const proxy = new ClientProxyComponent('proxy-1', p);
    let cseq = 0;
    proxy.onActivate({ send: () => ++cseq });
    const made = new Map<string, number>();
    const answered = new Map<string, { at: number; r: unknown }>();
    const submit = (coid: string) => {
      made.set(coid, performance.now());
      void proxy
        .submit({ clientId: 'ALPHA', clientOrderId: coid, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 10, price: 228.45 })
        .then((r) => answered.set(coid, { at: performance.now(), r }));
    };
    // Requests at the sweeper's start, just before and just after a sweep, and between sweeps.
    submit('dl-0');
    for (const [coid, wait] of [['dl-249', 249], ['dl-251', 2], ['dl-400', 149]] as const) {
      await vi.advanceTimersByTimeAsync(wait);
      submit(coid);
    }
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 400 - 1);
    expect([...answered.keys()]).toEqual([]); // 4,999 ms after the first: none has timed out
    await vi.advanceTimersByTimeAsync(400 + 2 * 250 + 1);
    expect([...answered.keys()].sort()).toEqual(['dl-0', 'dl-249', 'dl-251', 'dl-400']);
    for (const [coid, a] of answered) {
      expect(a.r).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      const waited = a.at - made.get(coid)!;
      expect(waited).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
      expect(waited).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + 2 * 250);
    }
  });
});
