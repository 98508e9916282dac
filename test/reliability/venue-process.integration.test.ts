import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { order, startTestHost, unwrap, waitOrder } from '../engine/helpers/host.ts';
import { Api } from './helpers/http.ts';
import { childrenOf, cleanupAll, freePortRun, requireFreshBuild, startHostProc, tempDir, until } from './helpers/procs.ts';

/**
 * The simulated venue in its own process (decision 279), with real sockets and real processes: the host starts
 * it and stops it; a venue that dies is started again and the orders it held are answered as the order model says
 * (GatewayLogic.reconcile: an unfilled order the new venue does not know is sent again); a host that dies leaves
 * no venue behind.
 */

type TestHost = Awaited<ReturnType<typeof startTestHost>>;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

const ref = (h: TestHost, symbol: string): number => h.view.projection.instrument(symbol)!.referencePrice;
const px = (h: TestHost, symbol: string, f: number): number => Number((ref(h, symbol) * f).toFixed(2));

beforeAll(() => requireFreshBuild());
afterAll(() => cleanupAll());

describe('the simulated venue in a process of its own', () => {
  it('is started by the host, fills orders, and is stopped (with its socket folder) when the host closes', async () => {
    const host = await startTestHost();
    const vp = host.venueProcess!;
    expect(vp).toBeDefined();
    expect(host.localVenue).toBeUndefined();
    const pid = vp.pid!;
    expect(pid).not.toBe(process.pid);
    expect(alive(pid)).toBe(true);
    expect(commandOf(pid)).toContain('venue-child.js');
    expect(host.venue.routerEndpoint).toMatch(/^ipc:\/\//);
    const socketDir = dirname(host.venue.routerEndpoint.slice('ipc://'.length));
    expect(existsSync(socketDir)).toBe(true);

    const id = unwrap(await host.api.submitOrder(order('AAPL', 'buy', 10, undefined))).orderId;
    const o = await waitOrder(host, id, (v) => v.state === 'filled', 'market order filled by the venue process');
    expect(o.filledQuantity).toBe(10);
    expect((await host.venue.orderStatus(id)).state).toBe('filled');
    expect((await host.venue.venueStats()).framesIn).toBeGreaterThan(0);

    await host.dispose();
    expect(alive(pid)).toBe(false);
    expect(existsSync(socketDir)).toBe(false);
    expect([vp.restarts, vp.starts]).toEqual([0, 1]);
  });

  it('dies with orders in flight: it is started again, resting orders are sent again, orders sent meanwhile are answered', async () => {
    const host = await startTestHost();
    try {
      const vp = host.venueProcess!;
      const first = vp.pid!;
      // Resting orders well below the market: live at the venue, no fills.
      const resting: number[] = [];
      for (const s of ['AAPL', 'MSFT', 'NVDA', 'JPM']) resting.push(unwrap(await host.api.submitOrder(order(s, 'buy', 100, px(host, s, 0.93)))).orderId);
      for (const id of resting) await waitOrder(host, id, (v) => v.state === 'new', 'resting order acknowledged');
      for (const id of resting) expect((await host.venue.orderStatus(id)).state).toBe('open');

      process.kill(first, 'SIGKILL');
      // Orders while the venue is down: the API answers them (accepted, routed); they reach the venue when it is back
      // (a marketable limit: a market order reaching the fresh venue before its market maker quotes would expire).
      const meanwhile = [
        unwrap(await host.api.submitOrder(order('AAPL', 'buy', 5, px(host, 'AAPL', 1.03)))).orderId,
        unwrap(await host.api.submitOrder(order('MSFT', 'buy', 101, px(host, 'MSFT', 0.93)))).orderId,
      ];
      await until(() => vp.restarts === 1 && vp.starts === 2, 'the venue started again', 20_000);
      expect(vp.pid).not.toBe(first);
      expect(alive(first)).toBe(false);

      // The new venue remembers nothing; the gateway asks it about every order and sends the unfilled ones again.
      await until(async () => {
        for (const id of [...resting, meanwhile[1]!]) if ((await host.venue.orderStatus(id)).state !== 'open') return false;
        return true;
      }, 'resting orders open at the restarted venue', 20_000).catch(async (e: Error) => { throw new Error(e.message + ' ' + JSON.stringify(await Promise.all([...resting, meanwhile[1]!].map(async (id) => [id, host.view.projection.order(id)?.stage, host.view.projection.order(id)?.rejectReason, (await host.venue.orderStatus(id)).state])))); });
      for (const id of resting) expect(host.view.projection.order(id)!.stage).toBe('new');
      const market = await waitOrder(host, meanwhile[0]!, (v) => v.state === 'filled', 'order sent while the venue was down filled');
      expect(market.filledQuantity).toBe(5);

      // The venue is back for new orders, and a resting order re-sent to it can be cancelled there.
      const after = unwrap(await host.api.submitOrder(order('NVDA', 'buy', 3, undefined))).orderId;
      await waitOrder(host, after, (v) => v.state === 'filled', 'order after the restart filled');
      unwrap(await host.api.cancelOrder(resting[0]!));
      await waitOrder(host, resting[0]!, (v) => v.state === 'cancelled', 're-sent order cancelled at the new venue');
      expect((await host.venue.orderStatus(resting[0]!)).state).toBe('cancelled');
    } finally {
      await host.dispose();
    }
  });
});

describe('`ordo host` and its venue process', () => {
  it('stops the venue with the host on SIGTERM (clean exit, no crash at exit)', async () => {
    const h = await startHostProc({ dataDir: tempDir(), venueTickMs: 50 });
    const venues = childrenOf(h.pid).filter((p) => commandOf(p).includes('venue-child.js'));
    expect(venues).toHaveLength(1);
    const api = new Api(h.port, h.token);
    const r = await api.call('POST', '/api/orders', order('AAPL', 'buy', 7, undefined));
    expect(r.status).toBe(200);
    const exit = await h.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(h.stderr()).not.toMatch(/corrupted|Abort|Segmentation|double free/i);
    expect(alive(venues[0]!)).toBe(false);
  });

  it("stops cleanly on a SIGTERM to its whole process group (a service manager's stop): no child ends first, no error line", async () => {
    // Its log at info (under vitest a host logs nothing by default), as a service's journal would have it.
    process.env['ORDO_LOG_LEVEL'] = 'info';
    const h = await startHostProc({ dataDir: tempDir(), venueTickMs: 50, ownGroup: true }).finally(() => delete process.env['ORDO_LOG_LEVEL']);
    // The venue and the time machine's spare (decision 295): right after ready, the spare may still be starting.
    await until(() => childrenOf(h.pid).length >= 2, 'the venue process and the time machine spare');
    const children = childrenOf(h.pid);
    // The whole group, as a service manager stops it: the children, each in a group of its own, are the host's to stop.
    process.kill(-h.pid, 'SIGTERM');
    expect(await h.exited).toEqual({ code: 0, signal: null });
    for (const pid of children) await until(() => !alive(pid), `child ${pid} to end`, 10_000);
    // The host's last lines: its stderr pipe is read to its end, which may come after the exit.
    await until(() => h.stderr().includes('stopped cleanly'), 'the host to write its last line', 5_000);
    expect(h.stderr()).not.toMatch(/ERROR|starting it again|EPIPE/);
  });

  it('with a bus port (CURVE on the venue sockets) fills orders; a host killed with SIGKILL leaves no venue behind', async () => {
    const port = await freePortRun();
    const h = await startHostProc({ dataDir: tempDir(), busPort: port, venueTickMs: 50 });
    const venue = childrenOf(h.pid).find((p) => commandOf(p).includes('venue-child.js'))!;
    expect(venue).toBeDefined();
    const api = new Api(h.port, h.token);
    const r = await api.call('POST', '/api/orders', order('AAPL', 'buy', 7, undefined));
    expect(r.status).toBe(200);
    const orderId = (r.json as { orderId: number }).orderId;
    await until(async () => (await api.state()).orders.some((o) => o.orderId === orderId && o.state === 'filled'), 'the order filled through the venue process');
    const socketDir = commandOf(venue).trim().split(' ').pop()!;
    expect(socketDir).toMatch(/ordo-venue-/);
    expect(existsSync(socketDir)).toBe(true);
    await h.kill9();
    // Its IPC channel to the host is gone: it ends by itself, and removes the socket folder the host could not.
    await until(() => !alive(venue), 'the orphaned venue process to end', 10_000);
    expect(existsSync(socketDir)).toBe(false);
  });
});
