import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './helpers/backbone.ts';
import { runOrdo, startHostProcess, type HostProcess } from './helpers/cli.ts';
import { http, type ApiBody } from './helpers/host.ts';
import { Reason } from '../../engine/protocol/reasons.ts';

/**
 * A cancel taken between sessions is durable (decision 130): the host process
 * is killed (SIGKILL) right after it answered a cancel of a parked order while
 * no session was open. After a restart the cancel is still there (a repeat is
 * answered the same and stored once), and when the next session opens the
 * order is cancelled by the opening events, before anything routes it: the
 * venue never gets it again.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

async function waitFor(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function orderOf(h: HostProcess, orderId: number): Promise<ApiBody> {
  return (await http(h, 'GET', '/api/state')).body.orders.find((o: { orderId: number }) => o.orderId === orderId);
}

describe('a host killed right after it queued a cancel between sessions', () => {
  it('keeps the cancel: the next open cancels the parked order before routing it (TRADER_REQUEST), never re-sent to the venue', async () => {
    const base = tempDir('ordo-deferred-cancel-');
    dirs.push(base);
    const d = join(base, 'data');
    const h1 = await startHostProcess(['--data-dir', d, '--venue-tick-ms', '50'], 30_000);
    let orderId = 0;
    let keptId = 0;
    let killed = false;
    try {
      const st = await http(h1, 'GET', '/api/state');
      const msft = st.body.instruments.find((i: { symbol: string }) => i.symbol === 'MSFT');
      // Far below the market: the market maker never fills these, so nothing races the checks.
      const price = Number((msft.referencePrice * 0.93).toFixed(2));
      const body = (n: number) => ({ clientId: 'ALPHA', clientOrderId: `dc-${n}`, symbol: 'MSFT', side: 'buy', orderType: 'limit', quantity: 5 + n, price, timeInForce: 'gtc' });
      const a = await http(h1, 'POST', '/api/orders', body(1));
      const b = await http(h1, 'POST', '/api/orders', body(2));
      expect([a.status, b.status]).toEqual([200, 200]);
      orderId = a.body.orderId;
      keptId = b.body.orderId;
      for (const id of [orderId, keptId]) await waitFor(async () => (await orderOf(h1, id))?.state === 'new', 20_000, `order ${id} live at the venue`);
      expect((await http(h1, 'POST', '/api/session/close')).status).toBe(200);
      await waitFor(async () => (await orderOf(h1, orderId))?.parked === true, 20_000, 'the view shows it parked');
      const r = await http(h1, 'POST', `/api/orders/${orderId}/cancel`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ orderId, queuedForOpen: true });
      // Acknowledged: kill the host at once, before anything else can happen.
      h1.proc.kill('SIGKILL');
      killed = true;
      await new Promise<void>((res) => (h1.proc.exitCode !== null || h1.proc.signalCode !== null ? res() : h1.proc.once('exit', () => res())));
    } finally {
      if (!killed) await h1.stop();
    }

    const h2 = await startHostProcess(['--data-dir', d, '--venue-tick-ms', '50'], 60_000);
    try {
      expect((await http(h2, 'GET', '/api/state')).body.session).toMatchObject({ id: 1, state: 'closed' });
      // The same cancel again after the restart: answered the same (the stored one is the one applied).
      const again = await http(h2, 'POST', `/api/orders/${orderId}/cancel`);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ orderId, queuedForOpen: true });
      expect((await http(h2, 'POST', '/api/session/open')).status).toBe(200);
      await waitFor(async () => (await orderOf(h2, orderId))?.state === 'cancelled', 20_000, 'cancelled at the open');
      await waitFor(async () => (await orderOf(h2, keptId))?.state === 'new', 20_000, 'the other order re-entered');
    } finally {
      expect(await h2.stop()).toBe(0);
    }

    const lines = (await runOrdo(['events', '--data-dir', d, '--session', '2'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const at = (type: string, id = orderId) => lines.findIndex((e) => e.type === type && e.orderId === id);
    const ready = lines.findIndex((e) => e.type === 'SessionReady');
    expect(at('OrderRestored')).toBeGreaterThan(0);
    expect(at('CancelRequested')).toBeGreaterThan(at('OrderRestored'));
    expect(at('OrderCancelled')).toBeGreaterThan(at('CancelRequested'));
    expect(at('OrderCancelled')).toBeLessThan(ready);
    expect(lines[at('OrderCancelled')]).toMatchObject({ src: 'sequencer', reason: Reason.TRADER_REQUEST });
    // Applied once (the repeat was the same request), and never routed.
    expect(lines.filter((e) => e.type === 'CancelRequested' && e.orderId === orderId)).toHaveLength(1);
    expect(at('OrderRouted')).toBe(-1);
    expect(lines.filter((e) => e.type === 'OrderRouted' && e.orderId === keptId)).toHaveLength(1);
    // The log checks out whole, and a what-if replay of the router through session 2 decides as the log says (it
    // never decided to route the cancelled order: restored orders are routed at SessionReady, after the opening).
    const verify = await runOrdo(['verify', '--data-dir', d]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const whatIf = await runOrdo(['replay', '--data-dir', d, '--session', '2', '--component', 'router']);
    expect(whatIf.code, whatIf.stderr).toBe(0);
    expect(whatIf.stdout.trim()).toBe('');
  }, 180_000);
});
