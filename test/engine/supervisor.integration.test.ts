import { afterEach, describe, expect, it } from 'vitest';
import { order, startTestHost, unwrap, waitFor, waitOrder } from './helpers/host.ts';

type TestHost = Awaited<ReturnType<typeof startTestHost>>;
let host: TestHost | undefined;
afterEach(async () => {
  await host?.dispose();
  host = undefined;
});

const ref = (h: TestHost, symbol: string) => h.view.projection.instrument(symbol)!.referencePrice;
const px = (h: TestHost, symbol: string, f: number) => Math.round(ref(h, symbol) * f * 100) / 100;
const components = (h: TestHost) => h.api.components();

describe('host supervision of in-process components (real ZeroMQ, real SQLite)', () => {
  it('a shut-down router is restarted: it rewinds, rejoins as the active router, and the stuck order proceeds', async () => {
    host = await startTestHost({ staleMs: 1000 });
    const h = host;
    unwrap(await h.api.componentAction('router-1', 'shutdown'));
    await waitFor(() => components(h).some((c) => c.id === 'router-1' && c.state === 'stopped'), 'router-1 stopped');
    const { orderId } = unwrap(await h.api.submitOrder(order('AAPL', 'buy', 10, px(h, 'AAPL', 1.02))));
    await waitOrder(h, orderId, (o) => o.state === 'pending_new', 'pending_new');
    await waitFor(() => [...h.view.projection.alerts()].some((a) => a.instance === 'role:router' && a.kind === 'unattended'), 'unattended alert');

    const r = await h.restart('router-1');
    expect(r).toEqual({ ok: true, componentId: 'router-1' });
    await waitOrder(h, orderId, (o) => o.state === 'filled', 'filled after the restart');
    await waitFor(() => components(h).some((c) => c.id === 'router-1' && c.state === 'active' && c.active), 'router-1 active again');
    await waitFor(() => ![...h.view.projection.alerts()].some((a) => a.instance === 'role:router' || a.instance === 'router-1'), 'alerts cleared');
    // The restarted instance numbered its commands on from the log: none was refused as a duplicate.
    expect(h.runtimes.find((rt) => rt.id === 'router-1')!.lifecycle).toBe('active');
  });

  it('a standby is added for a role; when the active one is shut down it can be activated and takes over', async () => {
    host = await startTestHost({ staleMs: 1000 });
    const h = host;
    const added = await h.addStandby('risk');
    expect(added).toEqual({ ok: true, componentId: 'risk-2' });
    await waitFor(() => components(h).some((c) => c.id === 'risk-2' && c.state === 'standby'), 'risk-2 standby');
    unwrap(await h.api.componentAction('risk-1', 'shutdown'));
    unwrap(await h.api.componentAction('risk-2', 'activate'));
    const { orderId } = unwrap(await h.api.submitOrder(order('MSFT', 'buy', 10, px(h, 'MSFT', 1.02))));
    await waitOrder(h, orderId, (o) => o.state === 'filled', 'filled with risk-2 active');
    expect(await h.addStandby('nonsense')).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await h.restart('risk-9')).toMatchObject({ ok: false, code: 'NOT_SUPERVISED' });
  });

  it('restarting a running client proxy keeps order entry working through the API', async () => {
    host = await startTestHost({ staleMs: 1000 });
    const h = host;
    expect(await h.restart('proxy-1')).toEqual({ ok: true, componentId: 'proxy-1' });
    await waitFor(() => components(h).some((c) => c.id === 'proxy-1' && c.state === 'active'), 'proxy-1 active again');
    const { orderId } = unwrap(await h.api.submitOrder(order('JPM', 'buy', 10, px(h, 'JPM', 1.02))));
    await waitOrder(h, orderId, (o) => o.state === 'filled', 'filled through the restarted proxy');
  });
});

describe('restart from the API and the CLI against a host process', () => {
  it('REST restart and standby, `ordo admin restart`, and one clear line for bad input', async () => {
    const { startHostProcess, runOrdo } = await import('./helpers/cli.ts');
    const { http, tempDir, removeDir } = await import('./helpers/host.ts');
    const dir = tempDir('ordo-admin-');
    const hp = await startHostProcess(['--data-dir', dir, '--venue-tick-ms', '50']);
    try {
      const comps = async () => (await http(hp, 'GET', '/api/state')).body.components as { id: string; state: string; active: boolean }[];
      expect((await http(hp, 'POST', '/api/components/router-1/shutdown')).status).toBe(200);
      await expect.poll(async () => (await comps()).some((c) => c.id === 'router-1' && c.state === 'stopped'), { timeout: 15_000 }).toBe(true);
      const refused = await http(hp, 'POST', '/api/components/router-1/activate');
      expect(refused.body.error.message).toMatch(/restart it first/);
      const cli = await runOrdo(['admin', 'restart', 'router-1', '--url', hp.url]);
      expect(cli).toMatchObject({ code: 0, stdout: 'restart router-1: ok\n' });
      await expect.poll(async () => (await comps()).some((c) => c.id === 'router-1' && c.state === 'active' && c.active), { timeout: 15_000 }).toBe(true);
      const standby = await http(hp, 'POST', '/api/roles/gateway/standby');
      expect(standby).toMatchObject({ status: 200, body: { componentId: 'gateway-2' } });
      await expect.poll(async () => (await comps()).some((c) => c.id === 'gateway-2' && c.state === 'standby'), { timeout: 15_000 }).toBe(true);
      const viaRest = await http(hp, 'POST', '/api/components/gateway-1/restart');
      expect(viaRest).toMatchObject({ status: 200, body: { componentId: 'gateway-1' } });
      const unknown = await runOrdo(['admin', 'restart', 'risk-9', '--data-dir', dir, '--url', `http://127.0.0.1:${hp.port}`]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr.trim().split('\n')).toEqual(['ordo: admin restart risk-9: NOT_SUPERVISED: risk-9 does not run in this host; restart it where it runs']);
      const usage = await runOrdo(['admin', 'reboot', 'x', '--url', hp.url]);
      expect(usage.code).toBe(2);
      expect(usage.stderr.trim().split('\n')).toHaveLength(1);
      const badRole = await http(hp, 'POST', '/api/roles/Bad%20Role/standby');
      expect(badRole.status).toBe(400);
    } finally {
      expect(await hp.stop()).toBe(0);
      removeDir(dir);
    }
  });
});
