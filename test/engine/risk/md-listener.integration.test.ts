import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RiskComponent } from '../../../engine/oms/components/risk.ts';
import { startTestHost, waitFor } from '../helpers/host.ts';

type TestHost = Awaited<ReturnType<typeof startTestHost>>;
let host: TestHost;

beforeAll(async () => {
  host = await startTestHost();
}, 60_000);
afterAll(async () => {
  await host?.dispose();
});

const riskLogic = (): RiskComponent => {
  const logic = host.supervisor.get('risk-1')?.logic;
  if (!(logic instanceof RiskComponent)) throw new Error('risk-1 is not an in-process RiskComponent');
  return logic;
};

describe('risk and the venue market data across restarts', () => {
  it('a restarted risk takes over the market-data listener instead of adding one; the stopped one hears nothing more', async () => {
    // The view and the in-process risk listen: two handlers.
    const before = host.marketData.handlerCount;
    expect(before).toBe(2);
    const stopped: RiskComponent[] = [];
    for (let i = 0; i < 3; i++) {
      stopped.push(riskLogic());
      const r = await host.restart('risk-1');
      expect(r).toEqual({ ok: true, componentId: 'risk-1' });
      expect(host.marketData.handlerCount).toBe(before);
    }
    const current = riskLogic();
    expect(stopped).not.toContain(current);
    const heard = vi.spyOn(current, 'onMarketData');
    const old = stopped.map((s) => vi.spyOn(s, 'onMarketData'));
    // The simulated venue publishes market data as its liquidity trades (every 50 ms tick here).
    await waitFor(() => heard.mock.calls.length >= 5, 'market data reaching the restarted risk', 30_000);
    for (const o of old) expect(o).not.toHaveBeenCalled();
  }, 120_000);
});
