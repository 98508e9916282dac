import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOrdo } from '../helpers/cli.ts';
import { http, order, startTestHost, unwrap, waitFor, waitOrder } from '../helpers/host.ts';

type TestHost = Awaited<ReturnType<typeof startTestHost>>;
let host: TestHost;

beforeAll(async () => {
  host = await startTestHost();
}, 60_000);
afterAll(async () => {
  await host?.dispose();
});

describe('risk over HTTP and the CLI', () => {
  it('PUT /api/clients/:id/limits changes limits (sequenced, with who); bad bodies are one-line 4xx', async () => {
    const r = await http(host, 'PUT', '/api/clients/BRAVO/limits', { maxOrderNotional: 1234, by: 'risk-officer' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ clientId: 'BRAVO', limits: { maxOrderNotional: 1234, maxOpenNotional: 2_000_000 } });
    const risk = await http(host, 'GET', '/api/risk');
    expect(risk.body.clients.find((c: { clientId: string }) => c.clientId === 'BRAVO').limits.maxOrderNotional).toBe(1234);
    const state = await http(host, 'GET', '/api/state');
    expect(state.body.clients.find((c: { clientId: string }) => c.clientId === 'BRAVO').maxOrderNotional).toBe(1234);
    const ev = (await http(host, 'GET', '/api/events?limit=50')).body.find((e: { type: string }) => e.type === 'LimitsChanged');
    expect(ev).toMatchObject({ clientId: 'BRAVO', by: 'risk-officer', maxOrderNotional: 1234 });

    const bad = await http(host, 'PUT', '/api/clients/BRAVO/limits', { maxOrderNotional: 'lots' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('limits.maxOrderNotional: must be a number >= 0');
    expect((await http(host, 'PUT', '/api/clients/BRAVO/limits', {})).status).toBe(400);
    expect((await http(host, 'PUT', '/api/clients/NOBODY/limits', { maxOrderNotional: 1 })).status).toBe(404);
    expect((await http(host, 'PUT', '/api/clients/BRAVO/limits', 'not json')).status).toBe(400);
  });

  it('PUT /api/restricted/:symbol, GET /api/positions with the multiplier', async () => {
    expect((await http(host, 'PUT', '/api/restricted/TSLA', { restricted: true, reason: 'news' })).status).toBe(200);
    expect((await http(host, 'GET', '/api/risk')).body.restricted).toMatchObject([{ symbol: 'TSLA', by: 'api', text: 'news' }]);
    expect((await http(host, 'PUT', '/api/restricted/TSLA', { restricted: false })).status).toBe(200);
    expect((await http(host, 'PUT', '/api/restricted/TSLA', { restricted: 'yes' })).status).toBe(400);
    expect((await http(host, 'PUT', `/api/restricted/${encodeURIComponent('NOPE X')}`, { restricted: true })).status).toBe(404);

    // A filled option buy shows with multiplier 100 in positions.
    const px = Number((host.view.projection.instrument('AAPL 281215C230')!.referencePrice * 1.3).toFixed(2));
    const tick = 0.05;
    const limit = Math.round(px / tick) * tick;
    const { orderId } = unwrap(await host.api.submitOrder(order('AAPL 281215C230', 'buy', 3, Number(limit.toFixed(2)), { timeInForce: 'ioc' })));
    const o = await waitOrder(host, orderId, (x) => ['filled', 'expired', 'rejected'].includes(x.state));
    expect(o.filledQuantity).toBeGreaterThan(0); // the simulated market maker quotes around the reference
    {
      await waitFor(() => host.risk.positions().some((p) => p.symbol === 'AAPL 281215C230'), 'option position');
      const rows = (await http(host, 'GET', '/api/positions')).body as { clientId: string; symbol: string; quantity: number; multiplier: number; notional: number; lastPrice: number }[];
      const row = rows.find((r) => r.clientId === 'ALPHA' && r.symbol === 'AAPL 281215C230')!;
      expect(row.multiplier).toBe(100);
      expect(row.quantity).toBe(o.filledQuantity);
      expect(row.notional).toBeCloseTo(row.quantity * row.lastPrice * 100, 6);
    }
  });

  it('POST /api/clients/:id/halt and /resume, POST /api/halt; ordo halt / ordo resume', async () => {
    expect((await http(host, 'POST', '/api/clients/CHARLIE/halt', { by: 'desk', reason: 'test' })).body).toEqual({ clientId: 'CHARLIE' });
    const { orderId } = unwrap(await host.api.submitOrder(order('MSFT', 'buy', 1, 400, { clientId: 'CHARLIE' })));
    expect((await waitOrder(host, orderId, (x) => x.state === 'rejected')).rejectReason).toBe('CLIENT_HALTED: client CHARLIE is halted (by desk: test)');
    expect((await http(host, 'POST', '/api/clients/CHARLIE/resume')).status).toBe(200);
    expect((await http(host, 'POST', '/api/clients/CHARLIE/halt', { color: 'red' })).status).toBe(400);

    const cli = await runOrdo(['halt', '--data-dir', host.dir, '--port', String(host.port), '--reason', 'fire drill']);
    expect(cli).toMatchObject({ code: 0, stdout: 'firm-wide: halted\n' });
    expect((await http(host, 'GET', '/api/risk')).body.firmHalt).toMatchObject({ text: 'fire drill' });
    expect((await http(host, 'GET', '/api/risk')).body.firmHalt.by).toMatch(/^cli:/);
    const again = await runOrdo(['resume', '--data-dir', host.dir, '--port', String(host.port)]);
    expect(again).toMatchObject({ code: 0, stdout: 'firm-wide: resumed\n' });
    expect((await http(host, 'POST', '/api/resume')).status).toBe(200);
    const bad = await runOrdo(['halt', '--data-dir', host.dir, '--port', String(host.port), '--client', 'NOBODY']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('ordo: halt refused (404): unknown client "NOBODY"');
  }, 60_000);
});
