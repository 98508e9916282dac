import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { FillView, OrderView } from '../../contract/api.ts';
import { fillFilterOf, type FillWindow, type FillWindowQuery } from '../../contract/fill-window.ts';
import { orderFilterOf, type OrderWindow, type OrderWindowQuery } from '../../contract/order-window.ts';
import { orderSession, storeSession } from '../../bench/session.ts';
import { projectionAt } from '../../engine/oms/projection-at.ts';
import type { OmsProjection } from '../../engine/oms/projection.ts';
import { fillViews, orderViews } from '../../engine/oms/views.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { runOrdo } from '../engine/helpers/cli.ts';
import { Api } from './helpers/http.ts';
import { cleanupAll, requireFreshBuild, startHostProc, tempDir } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

/** The naive reference of an order window: every order of the replayed state, filtered, sorted by the key then the id. */
function ordersSorted(p: OmsProjection, q: OrderWindowQuery): OrderView[] {
  const match = orderFilterOf(q);
  const key = q.sort ?? 'createdTs';
  const sign = (q.dir ?? 'desc') === 'asc' ? 1 : -1;
  const val = (o: OrderView) => o[key] ?? '';
  return orderViews(p)
    .filter(match)
    .sort((a, b) => (val(a) < val(b) ? -sign : val(a) > val(b) ? sign : sign * (a.orderId - b.orderId)));
}

function fillsSorted(p: OmsProjection, q: FillWindowQuery): FillView[] {
  const match = fillFilterOf(q);
  const clientOf = (f: FillView) => p.order(f.orderId)?.clientId;
  const key = q.sort ?? 'seq';
  const sign = (q.dir ?? 'desc') === 'asc' ? 1 : -1;
  const val = (f: FillView) => (key === 'clientId' ? (clientOf(f) ?? '') : key === 'notional' ? f.quantity * f.price : f[key]);
  return fillViews(p)
    .filter((f) => match(f, clientOf(f)))
    .sort((a, b) => (val(a) < val(b) ? -sign : val(a) > val(b) ? sign : sign * (a.seq - b.seq)));
}

const qs = (q: Record<string, string | number>) => new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();

/**
 * The time machine's blotters page through the whole past state (decision
 * 166): GET /api/order-window and /api/fill-window with `at` filter, sort and
 * slice the state as of that seq on the host, so a past state with more
 * orders than a window (or than getState's first page) is reachable to its
 * last row, equal to the replay from seq 1; scrubbing forward and back gives
 * each seq's own state.
 */
describe('order and fill windows at a past seq', () => {
  it('pages a past state to its last row, sorted and filtered like the live blotter, at any seq', async () => {
    const dir = tempDir();
    const w = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
    const last = storeSession(w, orderSession(60_000), undefined, [4, 7, 1]);
    w.close();
    expect((await runOrdo(['checkpoint', '--data-dir', dir, '--every', '20000'], 60_000)).code).toBe(0);

    const log = openReadableLog(join(dir, 'ordo.db'));
    const stateAt = (seq: number) => {
      const r = projectionAt(log, 1, seq);
      if (!r.ok) throw new Error(r.problem);
      return r.projection;
    };
    const host = await startHostProc({ dataDir: dir });
    const api = new Api(host.port, host.token);
    const orderWindow = async (q: OrderWindowQuery) => {
      const r = await api.call('GET', `/api/order-window?${qs(q as Record<string, string | number>)}`);
      expect(r.status, r.text).toBe(200);
      return r.json as OrderWindow;
    };
    const fillWindow = async (q: FillWindowQuery) => {
      const r = await api.call('GET', `/api/fill-window?${qs(q as Record<string, string | number>)}`);
      expect(r.status, r.text).toBe(200);
      return r.json as FillWindow;
    };
    try {
      // 50,001 first (from the checkpoint at 40,000), then forward (played on from the kept state), then back.
      for (const at of [50_001, 52_345, 31_000]) {
        const p = stateAt(at);
        expect(p.orderCount).toBeGreaterThan(2000);
        for (const q of [{ sort: 'quantity', dir: 'asc' }, { state: 'open', sort: 'symbol' }, { clientId: p.order(1)!.clientId }] as OrderWindowQuery[]) {
          const all = ordersSorted(p, q);
          expect(all.length, JSON.stringify(q)).toBeGreaterThan(0);
          const first = await orderWindow({ ...q, at, session: 1, limit: 50 });
          expect(first.total).toBe(all.length);
          expect(first.orderCount).toBe(p.orderCount);
          expect(first.seq).toBe(at);
          expect(first.orders.map((o) => o.orderId)).toEqual(all.slice(0, 50).map((o) => o.orderId));
          // The last page: past the 2,000 a window holds and the 10,000 getState's first page holds.
          const offset = Math.max(0, all.length - 75);
          const lastPage = await orderWindow({ ...q, at, offset, limit: 2000 });
          expect(lastPage.orders.map((o) => [o.orderId, o.state, o.filledQuantity])).toEqual(all.slice(offset).map((o) => [o.orderId, o.state, o.filledQuantity]));
        }
        for (const q of [{}, { sort: 'price', dir: 'asc' }, { side: 'sell', sort: 'clientId' }] as FillWindowQuery[]) {
          const all = fillsSorted(p, q);
          const offset = Math.max(0, all.length - 60);
          const page = await fillWindow({ ...q, at, offset, limit: 2000 });
          expect(page.total).toBe(all.length);
          expect(page.fillCount).toBe(p.fillCount);
          expect(page.fills).toEqual(all.slice(offset));
          expect(page.clients).toEqual(all.slice(offset).map((f) => p.order(f.orderId)?.clientId ?? ''));
        }
      }
      // The live window is another list: it ends at the log's end, not at a past seq.
      const live = await orderWindow({ limit: 1 });
      expect(live.seq).toBe(last);
      for (const [path, status] of [
        [`/api/order-window?at=${last + 10}`, 400],
        ['/api/fill-window?at=5&session=99', 404],
        ['/api/fill-window?sort=colour', 400],
        ['/api/fill-window?state=open', 400],
      ] as const) {
        const r = await api.call('GET', path);
        expect(r.status, path).toBe(status);
        expect(r.text).not.toContain('    at ');
      }
    } finally {
      log.close();
      await host.stop();
    }
  }, 180_000);
});
