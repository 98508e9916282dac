import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { orderSession } from '../../bench/session.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { boundedState } from '../../engine/host/host-api.ts';
import { Api, orderFor } from './helpers/http.ts';
import { cleanupAll, requireFreshBuild, startHostProc, tempDir } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

interface PageOf<T> {
  items: T[];
  next?: number;
}

describe('state at scale: bounded state, paginated orders and fills', () => {
  it('the state holds at most one page of orders and fills and says where the rest start', () => {
    const p = new OmsProjection();
    for (const e of orderSession(60_000)) p.apply(e);
    expect(p.orderCount).toBeGreaterThan(5000);
    const v = boundedState(p, 1000);
    expect(v.orders).toHaveLength(1000);
    expect(v.ordersAfter).toBe(1000);
    expect(v.fills).toHaveLength(1000);
    expect(v.fillsAfter).toBe(1000);
    const all = boundedState(p, 1_000_000);
    expect(all.orders).toHaveLength(p.orderCount);
    expect(all.ordersAfter).toBeUndefined();
  });

  it('GET /api/orders and /api/fills page by cursor and filter by state, client, symbol; bad parameters are refused', async () => {
    const host = await startHostProc({ dataDir: tempDir() });
    const api = new Api(host.port, host.token);
    for (let i = 0; i < 60; i++) expect((await api.call('POST', '/api/orders', orderFor('pages', i))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const state = await api.state();

    const walk = async <T>(path: string): Promise<T[]> => {
      const out: T[] = [];
      let after: number | undefined;
      for (let guard = 0; guard < 100; guard++) {
        const r = await api.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=7${after !== undefined ? `&after=${after}` : ''}`);
        expect(r.status, r.text).toBe(200);
        const page = r.json as PageOf<T>;
        expect(page.items.length).toBeLessThanOrEqual(7);
        out.push(...page.items);
        if (page.next === undefined) return out;
        after = page.next;
      }
      throw new Error('no last page');
    };
    type O = { orderId: number; state: string; clientId: string; symbol: string };
    const orders = await walk<O>('/api/orders');
    expect(orders.map((o) => o.orderId)).toEqual(state.orders.map((o) => o.orderId));
    const charlie = await walk<O>('/api/orders?clientId=CHARLIE');
    expect(charlie.length).toBeGreaterThan(0);
    expect(charlie.map((o) => o.orderId)).toEqual(orders.filter((o) => o.clientId === 'CHARLIE').map((o) => o.orderId));
    const filled = await walk<O>('/api/orders?state=filled&symbol=AAPL');
    expect(filled.map((o) => o.orderId)).toEqual(orders.filter((o) => o.state === 'filled' && o.symbol === 'AAPL').map((o) => o.orderId));
    const fills = await walk<{ execId: number; symbol: string }>('/api/fills');
    expect(fills.map((f) => f.execId)).toEqual((state.fills as { execId: number }[]).map((f) => f.execId));
    const aapl = await walk<{ execId: number; symbol: string }>('/api/fills?symbol=AAPL');
    expect(aapl.every((f) => f.symbol === 'AAPL')).toBe(true);

    for (const bad of ['/api/orders?state=bogus', '/api/orders?limit=0', '/api/orders?after=-1', '/api/fills?colour=red', '/api/orders?limit=20000']) {
      const r = await api.call('GET', bad);
      expect(r.status, bad).toBe(400);
      expect((r.json as { error: { message: string } }).error.message, bad).toMatch(/query\.|orderQuery\.|fillQuery\./);
    }
    await host.stop();
  }, 60_000);
});
