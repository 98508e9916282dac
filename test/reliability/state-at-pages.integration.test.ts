import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { orderSession, storeSession } from '../../bench/session.ts';
import { boundedState, STATE_LIST_LIMIT } from '../../engine/host/host-api.ts';
import { projectionAt } from '../../engine/oms/projection-at.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { runOrdo } from '../engine/helpers/cli.ts';
import { Api } from './helpers/http.ts';
import { cleanupAll, requireFreshBuild, startHostProc, tempDir } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

interface PageOf<T> {
  items: T[];
  next?: number;
}

/**
 * The time machine over HTTP pages like the live state (issue 11): GET
 * /api/state?at=SEQ holds the first page and says where the rest start;
 * GET /api/orders?at=SEQ and /api/fills?at=SEQ walk the rest with the
 * cursor, and every page of one past state is the same state (built from a
 * checkpoint plus its tail, decision 085) as the replay from seq 1.
 */
describe('state at a past seq, paged', () => {
  it('pages orders and fills of a past seq with the cursor, equal to the replay from seq 1', async () => {
    const dir = tempDir();
    const w = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
    const last = storeSession(w, orderSession(60_000), undefined, [4, 7, 1]);
    w.close();
    expect((await runOrdo(['checkpoint', '--data-dir', dir, '--every', '20000'], 60_000)).code).toBe(0);
    const at = 50_001;
    expect(last).toBeGreaterThan(at);

    const log = openReadableLog(join(dir, 'ordo.db'));
    const past = projectionAt(log, 1, at);
    log.close();
    if (!past.ok) throw new Error(past.problem);
    expect(past.fromCheckpoint).toBe(40_000);
    const expected = boundedState(past.projection, 1_000_000);
    expect(expected.orders.length).toBeGreaterThan(10_000);

    const host = await startHostProc({ dataDir: dir });
    const api = new Api(host.port, host.token);
    const s = await api.call('GET', `/api/state?at=${at}`);
    expect(s.status, s.text).toBe(200);
    const state = s.json as { asOfSeq: number; orders: { orderId: number }[]; fills: { execId: number }[]; ordersAfter?: number; fillsAfter?: number };
    expect(state.asOfSeq).toBe(at);
    expect(state.orders).toHaveLength(STATE_LIST_LIMIT);
    expect(state.ordersAfter).toBe(STATE_LIST_LIMIT);

    const walk = async <T>(path: string, after: number | undefined): Promise<T[]> => {
      const out: T[] = [];
      for (let guard = 0; guard < 100; guard++) {
        const r = await api.call('GET', `${path}&limit=3000${after !== undefined ? `&after=${after}` : ''}`);
        expect(r.status, r.text).toBe(200);
        const page = r.json as PageOf<T>;
        out.push(...page.items);
        if (page.next === undefined) return out;
        after = page.next;
      }
      throw new Error('no last page');
    };
    const rest = await walk<{ orderId: number; state: string; filledQuantity: number }>(`/api/orders?at=${at}&session=1`, state.ordersAfter);
    const all = [...state.orders, ...rest] as { orderId: number; state: string; filledQuantity: number }[];
    expect(all.map((o) => [o.orderId, o.state, o.filledQuantity])).toEqual(expected.orders.map((o) => [o.orderId, o.state, o.filledQuantity]));
    const fills = await walk<{ execId: number; orderId: number }>(`/api/fills?at=${at}`, undefined);
    expect(fills.map((f) => [f.orderId, f.execId])).toEqual(expected.fills.map((f) => [f.orderId, f.execId]));
    // The live orders are another list: the past one stops at `at`.
    const live = await walk<{ orderId: number }>('/api/orders?state=filled', undefined);
    expect(live.length).toBeGreaterThanOrEqual(all.filter((o) => o.state === 'filled').length);

    for (const [path, status] of [[`/api/orders?at=${last + 10}`, 400], ['/api/orders?at=5&session=99', 404], ['/api/fills?at=x', 400]] as const) {
      const r = await api.call('GET', path);
      expect(r.status, path).toBe(status);
      expect(r.text).not.toContain('    at ');
    }
    await host.stop();
  }, 120_000);
});
