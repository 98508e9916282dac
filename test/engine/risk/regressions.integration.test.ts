import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { order, startTestHost, unwrap, waitFor, waitOrder } from '../helpers/host.ts';

type TestHost = Awaited<ReturnType<typeof startTestHost>>;
let host: TestHost;

beforeAll(async () => {
  host = await startTestHost({ venueIn: 'host' });
}, 60_000);
afterAll(async () => {
  await host?.dispose();
});

const terminal = (s: string): boolean => ['rejected', 'filled', 'cancelled', 'expired'].includes(s);

describe('issue 12 through a running host', () => {
  it('DELTA buys 14,000 AAPL calls @ 6.85: refused with the multiplier (9.59 M)', async () => {
    const { orderId } = unwrap(await host.api.submitOrder(order('AAPL 281215C230', 'buy', 14_000, 6.85, { clientId: 'DELTA' })));
    const o = await waitOrder(host, orderId, (x) => x.state === 'rejected');
    expect(o.rejectReason).toBe('ORDER_NOTIONAL_LIMIT: order notional 9590000.00 (14000 × 6.85 × 100) exceeds client DELTA limit 100000.00');
  });

  it('a market order is collared: valued at its protection price, and never filled beyond it', async () => {
    const big = unwrap(await host.api.submitOrder(order('NVDA', 'buy', 6900, undefined)));
    const refused = await waitOrder(host, big.orderId, (x) => x.state === 'rejected');
    expect(refused.rejectReason).toMatch(/^ORDER_NOTIONAL_LIMIT: order notional \d+\.\d\d \(6900 × [\d.]+\) exceeds client ALPHA limit 1000000\.00$/);

    const { orderId } = unwrap(await host.api.submitOrder(order('NVDA', 'buy', 3000, undefined)));
    const o = await waitOrder(host, orderId, (x) => terminal(x.state));
    const events = unwrap(await host.api.getEvents({ from: 1, limit: 1_000_000 }));
    const collar = events.find((e) => e.type === 'MarketOrderCollared' && e.orderId === orderId);
    expect(collar).toBeDefined();
    const accepted = events.find((e) => e.type === 'OrderAccepted' && e.orderId === orderId)!;
    expect(collar!.seq).toBeLessThan(accepted.seq);
    const protection = collar!.protectionPrice as number;
    for (const f of host.view.projection.fillsOf(orderId)) expect(f.price).toBeLessThanOrEqual(protection);
    expect(host.localVenue!.exchange.status(orderId).state).not.toBe('open');
    expect(['filled', 'expired']).toContain(o.state);
  });

  it('credit counts executions: DELTA cannot trade past 300k by letting orders fill', async () => {
    // DELTA buys AAPL with marketable IOC orders of ~67k each until risk refuses one on credit.
    const px = Number((host.view.projection.instrument('AAPL')!.referencePrice * 1.02).toFixed(2));
    const results: string[] = [];
    for (let i = 0; i < 12 && !results.includes('OPEN_NOTIONAL_LIMIT'); i++) {
      const { orderId } = unwrap(await host.api.submitOrder(order('AAPL', 'buy', 290 + i, px, { clientId: 'DELTA', timeInForce: 'ioc' })));
      const o = await waitOrder(host, orderId, (x) => terminal(x.state));
      results.push(o.state === 'rejected' ? (o.rejectReason ?? '').split(':')[0]! : o.state);
    }
    expect(results).toContain('OPEN_NOTIONAL_LIMIT');
    expect(results.filter((r) => r === 'filled').length).toBeGreaterThanOrEqual(2);
    const risk = host.risk.overview().clients.find((c) => c.clientId === 'DELTA')!;
    expect(risk.openNotional).toBe(0);
    // Nothing open, so only executions can have used the credit up.
    expect(risk.executedNotional).toBeGreaterThan(300_000 - 290 * px * 1.1);
    expect(risk.executedNotional).toBeLessThanOrEqual(300_000);
    await waitFor(() => host.risk.positions().some((p) => p.clientId === 'DELTA' && p.symbol === 'AAPL' && p.quantity > 0), 'DELTA position', 10_000);
  }, 60_000);

  it('restricted list and limits change at runtime, with who in the log', async () => {
    unwrap(await host.risk.setRestricted('TSLA', true, { by: 'compliance', reason: 'news pending' }));
    const { orderId } = unwrap(await host.api.submitOrder(order('TSLA', 'buy', 1, Number(host.view.projection.instrument('TSLA')!.referencePrice.toFixed(2)))));
    const o = await waitOrder(host, orderId, (x) => x.state === 'rejected');
    expect(o.rejectReason).toBe('RESTRICTED_INSTRUMENT: TSLA is on the restricted list (by compliance: news pending)');
    unwrap(await host.risk.setRestricted('TSLA', false, { by: 'compliance' }));
    unwrap(await host.risk.setLimits('CHARLIE', { maxOrderQuantity: 10, by: 'cro' }));
    const q = unwrap(await host.api.submitOrder(order('MSFT', 'buy', 11, 400, { clientId: 'CHARLIE' })));
    const r = await waitOrder(host, q.orderId, (x) => x.state === 'rejected');
    expect(r.rejectReason).toBe('ORDER_QUANTITY_LIMIT: quantity 11 exceeds client CHARLIE limit 10');
    const log = unwrap(await host.api.getEvents({ from: 1, limit: 1_000_000 }));
    expect(log.find((e) => e.type === 'LimitsChanged')).toMatchObject({ clientId: 'CHARLIE', by: 'cro', maxOrderQuantity: 10, src: 'host' });
  });
});
