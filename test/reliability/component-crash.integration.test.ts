import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { record } from './helpers/figures.ts';
import { Api, streamOrders } from './helpers/http.ts';
import { auditLog, decisionsPerOrder, ofType } from './helpers/log-checks.ts';
import { cleanupAll, freePortRun, requireFreshBuild, sleep, spawnOrdo, startHostProc, tempDir, until, type Proc } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

describe('component crash: risk as its own process, kill -9 mid-stream and restart', () => {
  it('rewinds, resumes, and every order gets exactly one decision, also after a freeze longer than its resend interval', async () => {
    const dataDir = join(tempDir(), 'data');
    const port = await freePortRun();
    // A long stale time: the monitor must not hand risk to risk-1 meanwhile (failover has its own test).
    const host = await startHostProc({ dataDir, busPort: port, staleMs: 60_000 });
    const api = new Api(host.port, host.token);
    const startRisk = (): Proc => spawnOrdo(['component', 'risk', '--connect', `127.0.0.1:${port}`, '--id', 'risk-2', '--data-dir', dataDir]);
    let risk = startRisk();
    await risk.waitFor(/caught up at seq \d+, standby/);
    await until(async () => (await api.state()).components.some((c) => c.id === 'risk-2'), 'the host to hear risk-2');
    expect((await api.call('POST', '/api/components/risk-2/activate')).status).toBe(200);
    await until(async () => (await api.state()).components.some((c) => c.id === 'risk-2' && c.state === 'active'), 'risk-2 active');

    let stop = false;
    const s = streamOrders(api, 'cc', 4, () => stop);
    const restarts: { rewoundTo: number; pendingAtRestart: number }[] = [];
    const KILLS = 3;
    for (let k = 0; k < KILLS; k++) {
      await sleep(300 + Math.floor(Math.random() * 400));
      await risk.kill9(); // mid-stream: decisions in flight are lost with it
      await sleep(400); // orders keep arriving and wait, pending
      const before = await api.state();
      const pendingAtRestart = before.orders.filter((o) => o.state === 'pending').length;
      risk = startRisk();
      const m = await risk.waitFor(/caught up at seq (\d+), (\w+)/);
      // It says it caught up only once it has rewound at least to where the log stood when it started.
      expect(Number(m[1])).toBeGreaterThanOrEqual(before.session.seq);
      restarts.push({ rewoundTo: Number(m[1]), pendingAtRestart });
    }
    // Freeze it longer than its resend interval (1 s): on waking, it resends commands whose events it has not read yet.
    await sleep(300);
    risk.child.kill('SIGSTOP');
    await sleep(1500);
    risk.child.kill('SIGCONT');
    await sleep(500);
    stop = true;
    await s.done;
    // Counted over the whole session by the order window: the state's order list is one page (the first 2,000
    // orders), so waiting on it let the audit start while risk-2 was still deciding its backlog of later orders.
    const undecided = async () => ((await api.call('GET', '/api/order-window?state=pending_new&limit=1')).json as { total: number }).total;
    await until(async () => (await undecided()) === 0, 'every order decided', 20_000);

    const audit = auditLog(dataDir);
    const events = audit.events.get(1)!;
    const orders = ofType(events, 'OrderPending').map((e) => e.event.orderId);
    const decisions = decisionsPerOrder(events);
    expect(orders.filter((id) => decisions.get(id) !== 1)).toEqual([]);
    expect(audit.duplicateCommands).toEqual([]);
    expect(audit.seqGaps).toEqual([]);
    expect(audit.problems).toEqual([]);
    // After activation every decision is risk-2's, and its command seqs go on across restarts, never reused.
    const activatedAt = events.find((e) => e.event.type === 'ComponentActivated' && e.event.instance === 'risk-2')!.seq;
    const deciders = new Set(events.filter((e) => e.seq > activatedAt && (e.event.type === 'OrderAccepted' || e.event.type === 'OrderRejected')).map((e) => e.src));
    expect([...deciders]).toEqual(['risk-2']);
    const cseqs = events.filter((e) => e.src === 'risk-2').map((e) => e.cseq);
    expect(cseqs).toEqual([...cseqs].sort((a, b) => a - b));
    expect(restarts.every((r) => r.pendingAtRestart >= 0)).toBe(true);
    await risk.stop();

    record('component-crash', {
      kills: KILLS,
      freezeMs: 1500,
      ordersSent: s.sent(),
      orders: orders.length,
      restarts,
      decisionsByRisk2: cseqs.length,
      ordersWithoutExactlyOneDecision: orders.filter((id) => decisions.get(id) !== 1).length,
    });
  }, 90_000);
});
