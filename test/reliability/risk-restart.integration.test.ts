import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, orderFor } from './helpers/http.ts';
import { cleanupAll, requireFreshBuild, startHostProc, tempDir, until } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

interface Position {
  clientId: string;
  symbol: string;
  quantity: number;
  avgCost: number;
  realizedPnl: number;
}
interface Risk {
  firmHalt: { by: string } | null;
  clients: { clientId: string; executedNotional: number; openNotional: number }[];
}

/** What survives a restart exactly (marks and unrealised P&L follow the venue's prices). */
const held = (ps: Position[]) => ps.map(({ clientId, symbol, quantity, avgCost, realizedPnl }) => ({ clientId, symbol, quantity, avgCost, realizedPnl }));

describe('one-pass start-up feeds risk', () => {
  it("a restarted host's positions, usage and halt equal those before the restart (the sequencer's recovery feeds risk's projection)", async () => {
    const dataDir = tempDir();
    // The venue ticks (the helper's default 0 has no market maker, so nothing would fill).
    let host = await startHostProc({ dataDir, venueTickMs: 100 });
    let api = new Api(host.port, host.token);
    // The venue's market maker quotes from its first ticks on.
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 40; i++) {
      // Resting orders (the halt cancels them) and marketable ioc ones (they fill against the market maker).
      const rest = await api.call('POST', '/api/orders', orderFor('rr', i, 'day'));
      expect(rest.status, rest.text).toBe(200);
      const o = orderFor('rx', i, 'ioc');
      if (o.orderType === 'limit') {
        const ref = o.price! / (1 + ((((i * 37) % 81) - 40) / 1000));
        o.price = Math.round(ref * (o.side === 'buy' ? 1.05 : 0.95) * 100) / 100;
      }
      const x = await api.call('POST', '/api/orders', o);
      expect(x.status, x.text).toBe(200);
    }
    await until(async () => ((await api.call('GET', '/api/positions')).json as Position[]).length > 0, 'some fills', 20_000, 100);
    // Firm halt: every live order cancelled, nothing more fills, so the positions are final.
    const halt = await api.call('POST', '/api/halt', { by: 'test' });
    expect(halt.status, halt.text).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const before = (await api.call('GET', '/api/positions')).json as Position[];
    const riskBefore = (await api.call('GET', '/api/risk')).json as Risk;
    expect(before.length).toBeGreaterThan(0);
    expect(riskBefore.firmHalt?.by).toBe('test');
    expect((await host.stop()).code).toBe(0);

    host = await startHostProc({ dataDir, venueTickMs: 100 });
    api = new Api(host.port, host.token);
    const after = (await api.call('GET', '/api/positions')).json as Position[];
    const riskAfter = (await api.call('GET', '/api/risk')).json as Risk;
    expect(held(after)).toEqual(held(before));
    expect(riskAfter.firmHalt?.by).toBe('test');
    expect(riskAfter.clients.map((c) => [c.clientId, c.executedNotional, c.openNotional])).toEqual(riskBefore.clients.map((c) => [c.clientId, c.executedNotional, c.openNotional]));
    await host.stop();
  }, 90_000);
});
