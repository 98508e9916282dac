import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatIfRisk, type DecisionDiff } from '../../../engine/oms/exposure/what-if.ts';
import { openReadableLog } from '../../../engine/store/log.ts';
import { runOrdo } from '../helpers/cli.ts';
import { order, removeDir, startTestHost, tempDir, unwrap, waitFor } from '../helpers/host.ts';

const dir = tempDir('ordo-whatif-');
const accepted: { orderId: number; notional: number }[] = [];
let rejectedInLog: number[] = [];

beforeAll(async () => {
  // Record a session: DELTA orders of 8k to 65k notional (all within its 100k order and 300k credit limits), one over 100k.
  const host = await startTestHost({ dataDir: join(dir, 'data') });
  const px = Number((host.view.projection.instrument('AAPL')!.referencePrice * 0.95).toFixed(2));
  const ids: { orderId: number; notional: number }[] = [];
  for (const qty of [40, 100, 200, 250, 300, 500]) {
    const { orderId } = unwrap(await host.api.submitOrder(order('AAPL', 'buy', qty, px, { clientId: 'DELTA', timeInForce: 'day' })));
    ids.push({ orderId, notional: qty * px });
  }
  const p = host.view.projection;
  await waitFor(() => ids.every(({ orderId }) => ['new', 'rejected', 'filled', 'partially_filled'].includes(p.order(orderId)!.state)), 'decisions', 20_000);
  for (const o of ids) if (p.order(o.orderId)!.state !== 'rejected') accepted.push(o);
  rejectedInLog = ids.filter((o) => p.order(o.orderId)!.state === 'rejected').map((o) => o.orderId);
  await host.close();
}, 60_000);
afterAll(() => removeDir(dir));

describe('what-if replay of risk', () => {
  it('with a tighter order limit, reports exactly the orders the new limit refuses', async () => {
    const limit = 50_000;
    const log = openReadableLog(join(dir, 'data', 'ordo.db'));
    let diffs: DecisionDiff[];
    try {
      const last = log.sessions().find((s) => s.id === 1)!.lastSeq;
      diffs = [...whatIfRisk(() => log.events(1, 1, last), { limits: { clients: { DELTA: { maxOrderNotional: limit } }, restricted: [] } })];
    } finally {
      log.close();
    }
    const expected = accepted.filter((o) => o.notional > limit).map((o) => o.orderId);
    expect(expected.length).toBe(2); // 250 and 300 shares (~54k, ~65k)
    expect(diffs.map((d) => d.orderId)).toEqual(expected);
    for (const d of diffs) {
      expect(d.logged).toEqual({ decision: 'accepted' });
      expect(d.new).toMatchObject({ decision: 'rejected', reason: 'ORDER_NOTIONAL_LIMIT', code: 106 });
      expect(d.new.text).toMatch(/exceeds client DELTA limit 50000\.00$/);
      expect(d.clientId).toBe('DELTA');
      expect(d.seq).toBeGreaterThan(0);
    }
    // The 500-share order (over 100k) was rejected in the log too, for the same reason: no difference.
    expect(rejectedInLog.length).toBe(1);
    expect(diffs.some((d) => rejectedInLog.includes(d.orderId))).toBe(false);
  });

  it('the same limits replay unchanged: no differences', () => {
    const log = openReadableLog(join(dir, 'data', 'ordo.db'));
    try {
      const last = log.sessions().find((s) => s.id === 1)!.lastSeq;
      expect([...whatIfRisk(() => log.events(1, 1, last))]).toEqual([]);
    } finally {
      log.close();
    }
  });

  it('ordo replay prints the differences as JSON Lines; bad input is one line', async () => {
    const limits = join(dir, 'tight.json');
    writeFileSync(limits, JSON.stringify({ clients: { DELTA: { maxOrderNotional: 50_000 } } }));
    const r = await runOrdo(['replay', '--data-dir', join(dir, 'data'), '--session', '1', '--component', 'risk', '--limits', limits]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as DecisionDiff);
    expect(lines.map((l) => l.orderId)).toEqual(accepted.filter((o) => o.notional > 50_000).map((o) => o.orderId));
    writeFileSync(limits, JSON.stringify({ clients: { DELTA: { maxOrderNotionl: 5 } } }));
    const bad = await runOrdo(['replay', '--data-dir', join(dir, 'data'), '--component', 'risk', '--limits', limits]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/clients\.DELTA\.maxOrderNotionl: unknown limit/);
    const comp = await runOrdo(['replay', '--data-dir', join(dir, 'data'), '--component', 'router']);
    expect(comp.code).not.toBe(0);
    expect(comp.stderr).toMatch(/--component must be one of risk/);
  }, 60_000);
});
