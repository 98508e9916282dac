import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './helpers/backbone.ts';
import { runOrdo, startHostProcess, type HostProcess } from './helpers/cli.ts';
import { http, type ApiBody } from './helpers/host.ts';

/**
 * Roll durability (decisions 074, 077): the host process is killed (SIGKILL)
 * while a roll waits for the venue, with orders streaming in. Acknowledged
 * means answered 200 with an orderId; held requests are answered only once
 * sequenced, so a crash may lose only unanswered ones. After a restart the
 * host finishes the roll by itself, every acknowledged order is there under
 * its orderId, and clients that retry everything under the same
 * clientOrderId get the original orderId back: nothing is doubled.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

interface Body {
  clientId: string;
  clientOrderId: string;
  symbol: string;
  side: 'buy';
  orderType: 'limit';
  quantity: number;
  price: number;
  timeInForce: 'gtc' | 'day';
}

/** Waits until `cond` holds (checked every 20 ms). */
async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function post(h: HostProcess, path: string, body?: unknown): Promise<{ status: number; body: ApiBody } | undefined> {
  try {
    return await http(h, 'POST', path, body);
  } catch {
    return undefined; // the host died under the request: not acknowledged
  }
}

describe('a host killed in the middle of a session roll', () => {
  it('finishes the roll on restart; every acknowledged order is there once; retries get the original orderId', async () => {
    const base = tempDir('ordo-roll-crash-');
    dirs.push(base);
    const d = join(base, 'data');
    // A long force timeout in the first process: the roll is still waiting when it is killed, however loaded the machine is.
    const h1 = await startHostProcess(['--data-dir', d, '--venue-tick-ms', '50'], 30_000, { ORDO_ROLL_FORCE_MS: '60000' });
    const acked = new Map<string, number>();
    const bodies: Body[] = [];
    let killed = false;
    try {
      const st = await http(h1, 'GET', '/api/state');
      const msft = st.body.instruments.find((i: { symbol: string }) => i.symbol === 'MSFT');
      // Far below the market: the market maker never fills these, so nothing races the checks.
      const price = Number((msft.referencePrice * 0.93).toFixed(2));
      // Each order differs in price (one tick apart), so risk's duplicate-order check never takes one for a repeat.
      const body = (n: number, tif: 'gtc' | 'day' = 'gtc'): Body => ({
        clientId: 'ALPHA', clientOrderId: `crash-${n}`, symbol: 'MSFT', side: 'buy', orderType: 'limit', quantity: 5, price: Number((price - 0.01 * n).toFixed(2)), timeInForce: tif,
      });

      // A day order live at the venue, and no gateway to confirm its expiry: the roll waits (for 60 s here).
      const day = await http(h1, 'POST', '/api/orders', body(0, 'day'));
      expect(day.status).toBe(200);
      await waitFor(async () => (await http(h1, 'GET', '/api/state')).body.orders.find((o: { orderId: number }) => o.orderId === day.body.orderId)?.state === 'new', 20_000, 'day order live at the venue');
      expect((await http(h1, 'POST', '/api/components/gateway-1/deactivate')).status).toBe(200);

      // A steady stream of gtc orders from 4 concurrent clients, before, during and after the roll starts.
      let n = 1;
      let stop = false;
      const client = async () => {
        while (!stop) {
          const b = body(n++);
          bodies.push(b);
          const r = await post(h1, '/api/orders', b);
          if (r?.status === 200) acked.set(b.clientOrderId, r.body.orderId as number);
        }
      };
      const clients = [client(), client(), client(), client()];
      await waitFor(() => acked.size >= 20, 20_000, '20 orders acknowledged before the roll');
      void post(h1, '/api/session/roll');
      await waitFor(async () => (await http(h1, 'GET', '/api/state')).body.session.state === 'closing', 20_000, 'the roll under way');
      const sentAtRoll = bodies.length;
      await waitFor(() => bodies.length >= sentAtRoll + 8, 20_000, 'requests sent while the roll holds them');
      expect(bodies.length).toBeGreaterThan(acked.size); // some requests are unanswered when it dies
      h1.proc.kill('SIGKILL');
      killed = true;
      await new Promise<void>((res) => (h1.proc.exitCode !== null || h1.proc.signalCode !== null ? res() : h1.proc.once('exit', () => res())));
      stop = true;
      await Promise.all(clients);
    } finally {
      if (!killed) await h1.stop();
    }

    // The log the killed process left: session 1 closing with the roll, no session 2 yet (the kill was mid-roll).
    const left = await runOrdo(['sessions', '--data-dir', d]);
    expect(left.code).toBe(0);
    const lines = (await runOrdo(['events', '--data-dir', d, '--all-sessions'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((e) => e.type === 'SessionClosing' && e.roll === true)).toBe(true);
    expect(lines.some((e) => e.type === 'SessionClosed')).toBe(false);

    const h2 = await startHostProcess(['--data-dir', d, '--venue-tick-ms', '50'], 60_000);
    try {
      // The restarted host finished the roll before it served the API.
      const st = await http(h2, 'GET', '/api/state');
      expect(st.body.session).toMatchObject({ id: 2, state: 'open' });
      // Every acknowledged order is there, carried into session 2 under its orderId.
      const orders = new Map<number, { clientOrderId: string; state: string }>();
      let after: number | undefined;
      for (;;) {
        const page = await http(h2, 'GET', `/api/orders?limit=500${after !== undefined ? `&after=${after}` : ''}`);
        for (const o of page.body.items) orders.set(o.orderId, o);
        if (page.body.next === undefined) break;
        after = page.body.next;
      }
      for (const [coid, orderId] of acked) expect(orders.get(orderId)?.clientOrderId, coid).toBe(coid);
      // Clients retry everything (they cannot know what got in): the same clientOrderId answers the original orderId.
      for (const b of bodies) {
        const r = await http(h2, 'POST', '/api/orders', b);
        expect(r.status, `${b.clientOrderId}: ${JSON.stringify(r.body)}`).toBe(200);
        const first = acked.get(b.clientOrderId);
        if (first !== undefined) expect(r.body.orderId, b.clientOrderId).toBe(first);
      }
    } finally {
      expect(await h2.stop()).toBe(0);
    }
    // Nothing doubled: every clientOrderId entered exactly once across both sessions.
    const all = (await runOrdo(['events', '--data-dir', d, '--all-sessions'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const entered = new Map<string, number>();
    for (const e of all) if (e.type === 'OrderPending') entered.set(e.clientOrderId, (entered.get(e.clientOrderId) ?? 0) + 1);
    for (const b of bodies) expect(entered.get(b.clientOrderId), b.clientOrderId).toBe(1);
    expect(all.filter((e) => e.type === 'SessionClosed')).toHaveLength(1);
    expect(all.filter((e) => e.type === 'SessionOpened').map((e) => e.sessionId)).toEqual([1, 2]);
  }, 180_000);
});
