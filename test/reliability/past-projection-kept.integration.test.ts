import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import { Api } from './helpers/http.ts';
import { cleanupAll, tempDir, until } from './helpers/procs.ts';

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
  await cleanupAll();
});

describe("the time machine's kept projection is bounded in time too", () => {
  // One past projection is kept so the pages of one past state cost one rebuild; at 1 M orders it is ~0.5 GiB
  // (bench/mem.ts), so it is let go once unused for pastKeptMs, and a later call rebuilds it.
  it('keeps the past projection while its pages are read, lets it go when unused, and rebuilds it alike', async () => {
    host = await startHost({ dataDir: join(tempDir(), 'data'), port: 0, venueTickMs: 0 });
    const h = host;
    const api = new Api(h.port, h.token);
    for (let i = 0; i < 6; i++) {
      const r = await api.call('POST', '/api/orders', { clientId: 'ALPHA', clientOrderId: `k-${i}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 1 + i, price: 221.6, timeInForce: 'day' });
      expect(r.status, r.text).toBe(200);
    }
    const seq = h.sequencer.position.seq;
    // Long enough that a loaded machine does not let it go between a call and the check after it.
    h.api.pastKeptMs = 2_000;
    const first = await api.call('GET', `/api/orders?at=${seq}&limit=2`);
    expect(first.status, first.text).toBe(200);
    expect(h.api.keepsPastProjection).toBe(true);
    // Rebuilt in the time machine's own process (decisions 167, 295), not on the host's event loop.
    expect(h.api.pastApart).toBe(true);
    expect(h.api.lastPastBuild?.from).toBe('checkpoint');
    const page = first.json as { items: { orderId: number }[]; next?: number };
    expect(page.items).toHaveLength(2);
    // Unused past its keep time: let go.
    await until(() => !h.api.keepsPastProjection, 'the kept past projection to be let go', 30_000);
    // Kept from now on for the rest of the test, however slow the machine.
    h.api.pastKeptMs = 600_000;
    // Asked again: rebuilt, and the same pages.
    const again = await api.call('GET', `/api/orders?at=${seq}&limit=2`);
    expect(again.json).toEqual(first.json);
    expect(h.api.keepsPastProjection).toBe(true);
    const next = await api.call('GET', `/api/orders?at=${seq}&limit=10&after=${page.next}`);
    expect((next.json as { items: unknown[] }).items).toHaveLength(4);
    // The same state's next page reuses it; a later seq is played forward from it, not rebuilt.
    expect(h.api.lastPastBuild?.from).toBe('reuse');
    const r = await api.call('POST', '/api/orders', { clientId: 'ALPHA', clientOrderId: 'k-later', symbol: 'AAPL', side: 'sell', orderType: 'limit', quantity: 3, price: 221.6, timeInForce: 'day' });
    expect(r.status, r.text).toBe(200);
    const later = h.sequencer.position.seq;
    const forward = await api.call('GET', `/api/order-window?at=${later}&sort=orderId&dir=asc&limit=50`);
    expect(forward.status, forward.text).toBe(200);
    expect(h.api.lastPastBuild).toMatchObject({ from: 'kept', seq });
    const win = forward.json as { total: number; seq: number; orders: { orderId: number; clientOrderId: string }[] };
    expect(win.seq).toBe(later);
    expect(win.total).toBe(7);
    expect(win.orders.map((o) => o.clientOrderId)).toEqual(['k-0', 'k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-later']);
  }, 60_000);
});
