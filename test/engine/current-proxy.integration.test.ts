import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../engine/host/host.ts';
import { order, startTestHost, unwrap, waitFor, waitOrder } from './helpers/host.ts';

/**
 * Issue 15: the host finds the client proxy orders go through by trying the last one it found first (no copy of
 * every runtime per order). A restarted proxy is a new runtime with the same id: orders entered after it must go
 * through it (or the first proxy while none is active), never through the stopped one.
 */
describe('the client proxy orders go through, across a restart of the proxy', () => {
  let host: Host & { dispose(): Promise<void> };
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host.dispose();
  });

  // 2 % above the reference price: fills against the market maker's offer (quoted within ±3 % of it, ±10 % risk band).
  // Different quantities: not duplicates of each other.
  const marketable = (coid: string, quantity: number) => order('AAPL', 'buy', quantity, Number((host.view.projection.instrument('AAPL')!.referencePrice * 1.02).toFixed(2)), { clientOrderId: coid });

  it('answers and fills orders before and after proxy-1 is restarted, each once', async () => {
    const first = unwrap(await host.api.submitOrder(marketable('CP-1', 10)));
    await waitOrder(host, first.orderId, (o) => o.state === 'filled');
    unwrap(await host.api.restartComponent('proxy-1'));
    await waitFor(() => host.supervisor.get('proxy-1')?.lifecycle === 'active', 'proxy-1 active again', 20_000);
    const ids: number[] = [];
    for (let i = 2; i <= 6; i++) ids.push(unwrap(await host.api.submitOrder(marketable(`CP-${i}`, 10 + i))).orderId);
    for (const id of ids) await waitOrder(host, id, (o) => o.state === 'filled');
    expect(new Set([first.orderId, ...ids]).size).toBe(6);
    // A repeat of an order entered before the restart is answered with its first id, through the new proxy.
    expect(unwrap(await host.api.submitOrder(marketable('CP-1', 10))).orderId).toBe(first.orderId);
  });
});
