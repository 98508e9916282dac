import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatIf, type DecisionDiff } from '../../../engine/oms/what-if/what-if.ts';
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
      diffs = [...whatIf('risk', () => log.events(1, 1, last), { limits: { clients: { DELTA: { maxOrderNotional: limit } }, restricted: [] } })];
    } finally {
      log.close();
    }
    const expected = accepted.filter((o) => o.notional > limit).map((o) => o.orderId);
    expect(expected.length).toBe(2); // 250 and 300 shares (~54k, ~65k)
    expect(diffs.map((d) => d.orderId)).toEqual(expected);
    for (const d of diffs) {
      expect(d.component).toBe('risk');
      expect(d.logged).toEqual({ decision: 'accepted' });
      expect(d.new).toMatchObject({ decision: 'rejected', reason: 'ORDER_NOTIONAL_LIMIT', code: 106 });
      expect(d.new.text).toMatch(/exceeds client DELTA limit 50000\.00$/);
      expect(d.clientId).toBe('DELTA');
      expect(d.seq).toBeGreaterThan(0);
    }
    // The 500-share order (over 100k) was rejected in the log too, for the same reason: no difference.
    expect(rejectedInLog.length).toBe(1);
    expect(diffs.some((d) => rejectedInLog.includes(d.orderId ?? -1))).toBe(false);
  });

  it('the same limits replay unchanged: no differences', () => {
    const log = openReadableLog(join(dir, 'data', 'ordo.db'));
    try {
      const last = log.sessions().find((s) => s.id === 1)!.lastSeq;
      expect([...whatIf('risk', () => log.events(1, 1, last))]).toEqual([]);
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
    for (const [args, msg] of [
      [['--component', 'gateway'], /^ordo: replay: cannot replay 'gateway': the gateway's decisions are the venue's replies.*\(replayable: risk, router\)/],
      [['--component', 'nonsense'], /^ordo: replay: --component must be one of risk, router, got 'nonsense'/],
      [['--component', 'router', '--limits', limits], /^ordo: replay: --limits applies to --component risk only/],
      [['--component', 'router', '--reference', join(dir, 'missing.json')], /missing\.json/],
      [['--component', 'router', '--session', '7'], /^ordo: no session 7 in /],
    ] as const) {
      const r2 = await runOrdo(['replay', '--data-dir', join(dir, 'data'), ...args]);
      expect(r2.code, args.join(' ')).not.toBe(0);
      const line = r2.stderr.trim();
      expect(line.split('\n'), args.join(' ')).toHaveLength(1);
      expect(line, args.join(' ')).toMatch(msg);
    }
  }, 60_000);
});

describe('what-if replay of the router (the same machinery)', () => {
  const defaultRef = (): { instruments: { symbol: string; venue: string }[]; clients: { clientId: string; maxOrderNotional?: number }[] } =>
    JSON.parse(readFileSync(new URL('../../../engine/oms/reference/default.json', import.meta.url), 'utf8'));

  it('the recorded reference replays unchanged; AAPL moved to another venue reports every AAPL order the router routed', async () => {
    const log = openReadableLog(join(dir, 'data', 'ordo.db'));
    let same: DecisionDiff[];
    let moved: DecisionDiff[];
    let routed: number[];
    const ref = defaultRef();
    ref.instruments.find((i) => i.symbol === 'AAPL')!.venue = 'XNYS';
    const file = join(dir, 'moved.json');
    writeFileSync(file, JSON.stringify(ref));
    try {
      const last = log.sessions().find((s) => s.id === 1)!.lastSeq;
      const events = () => log.events(1, 1, last);
      routed = [...events()].flatMap((e) => (e.event.type === 'OrderRouted' && e.src.startsWith('router-') ? [e.event.orderId] : []));
      same = [...whatIf('router', events)];
      const { loadReferenceData } = await import('../../../engine/oms/reference.ts');
      moved = [...whatIf('router', events, { reference: loadReferenceData(file) })];
    } finally {
      log.close();
    }
    expect(same).toEqual([]);
    expect(routed.length).toBe(accepted.length);
    expect(moved.map((d) => d.orderId)).toEqual(routed);
    for (const d of moved) {
      expect(d).toMatchObject({ component: 'router', clientId: 'DELTA', symbol: 'AAPL', logged: { decision: 'routed', venue: 'XNAS' }, new: { decision: 'routed', venue: 'XNYS' } });
    }
    // The CLI prints the same.
    const r = await runOrdo(['replay', '--data-dir', join(dir, 'data'), '--component', 'router', '--reference', file]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as DecisionDiff).orderId)).toEqual(routed);
  }, 60_000);

  it('risk with --reference: a reference with a lower DELTA order limit reports the orders it refuses', () => {
    const ref = defaultRef();
    ref.clients.find((c) => c.clientId === 'DELTA')!.maxOrderNotional = 50_000;
    const file = join(dir, 'tight-ref.json');
    writeFileSync(file, JSON.stringify(ref));
    return import('../../../engine/oms/reference.ts').then(({ loadReferenceData }) => {
      const log = openReadableLog(join(dir, 'data', 'ordo.db'));
      try {
        const last = log.sessions().find((s) => s.id === 1)!.lastSeq;
        const diffs = [...whatIf('risk', () => log.events(1, 1, last), { reference: loadReferenceData(file) })];
        expect(diffs.map((d) => d.orderId)).toEqual(accepted.filter((o) => o.notional > 50_000).map((o) => o.orderId));
        for (const d of diffs) expect(d.new).toMatchObject({ decision: 'rejected', reason: 'ORDER_NOTIONAL_LIMIT' });
      } finally {
        log.close();
      }
    });
  });
});
