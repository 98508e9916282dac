import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, streamOrders, type StateLike, type StreamResult } from './helpers/http.ts';
import { auditLog, ofType, replay } from './helpers/log-checks.ts';
import { record } from './helpers/figures.ts';
import { cleanupAll, requireFreshBuild, runOrdo, sleep, startHostProc, tempDir, until } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

/** Waits until the log's head stops moving for `quietMs` (gateway reconciliation after a restart settles). */
async function quiesce(api: Api, quietMs = 600): Promise<number> {
  let last = await api.lastSeq();
  let since = Date.now();
  await until(async () => {
    const now = await api.lastSeq();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    return Date.now() - since >= quietMs;
  }, 'the log to go quiet', 15_000, 100);
  return last;
}

/** The parts of a state view that the log alone determines (no quotes, heartbeats or rates). */
function logPart(v: StateLike & { clients?: unknown }): unknown {
  return { session: { id: v.session.id, state: v.session.state, seq: v.session.seq }, orders: v.orders, fills: v.fills, clients: v.clients, alerts: v.alerts };
}

describe('host crash: kill -9 of `ordo host` while a client streams orders through the HTTP API', () => {
  it('keeps every acknowledged order; seqs stay gap-free; no command makes two events; a replay equals the restarted host', async () => {
    const dataDir = join(tempDir(), 'data');
    const CYCLES = 5;
    const all: StreamResult = { acked: new Map(), unanswered: new Set(), errors: new Map() };
    const inFlightAtKill: number[] = [];
    let sent = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const host = await startHostProc({ dataDir });
      const api = new Api(host.port, host.token);
      let stop = false;
      const unanswered0 = all.unanswered.size;
      const s = streamOrders(api, `c${cycle}`, 8, () => stop, all);
      const target = all.acked.size + 50 + Math.floor(Math.random() * 150);
      await until(() => all.acked.size >= target, `${target} acknowledged orders`);
      await sleep(Math.floor(Math.random() * 50));
      await host.kill9(); // eight requests are in flight right now
      stop = true;
      await s.done;
      inFlightAtKill.push(all.unanswered.size - unanswered0);
      sent += s.sent();
    }

    const host = await startHostProc({ dataDir });
    const api = new Api(host.port, host.token);
    const head = await quiesce(api);

    // 1. Every acknowledged order is in the log, under the orderId the API gave.
    const audit = auditLog(dataDir);
    expect(audit.sessions).toHaveLength(1);
    const events = audit.events.get(1)!;
    const pendingByClientOrderId = new Map<string, number[]>();
    for (const e of ofType(events, 'OrderPending')) {
      const ids = pendingByClientOrderId.get(e.event.clientOrderId) ?? [];
      ids.push(e.event.orderId);
      pendingByClientOrderId.set(e.event.clientOrderId, ids);
    }
    const missing = [...all.acked].filter(([cid, oid]) => pendingByClientOrderId.get(cid)?.[0] !== oid);
    expect(missing).toEqual([]);
    // An order whose answer was lost with the host is in the log at most once.
    expect([...pendingByClientOrderId.values()].filter((ids) => ids.length > 1)).toEqual([]);

    // 2. Gap-free, checksums good, one event per (src, cseq).
    expect(audit.problems).toEqual([]);
    expect(audit.seqGaps).toEqual([]);
    expect(audit.duplicateCommands).toEqual([]);
    const verify = await runOrdo(['verify', '--data-dir', dataDir]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^ok: 1 sessions, \d+ events/);

    // 3. A fresh replay of the log gives the same state as the restarted host shows, and the CLI's hash.
    let live: StateLike;
    let cli: { stateHash: string } & StateLike;
    for (;;) {
      live = await api.state();
      const r = await runOrdo(['state', '--data-dir', dataDir, '--at', String(live.session.seq), '--hash', '--all']);
      expect(r.code, r.stderr).toBe(0);
      cli = JSON.parse(r.stdout) as typeof cli;
      if ((await api.lastSeq()) === live.session.seq) break; // the log moved meanwhile: take both again
    }
    const mine = replay(auditLog(dataDir).events.get(1)!.filter((e) => e.seq <= live.session.seq));
    expect(cli.stateHash).toBe(mine.hash);
    expect(logPart(live)).toEqual(logPart(cli));
    // Every acknowledged order reached a decision after the restarts (risk rewound and answered what was pending).
    const undecided = live.orders.filter((o) => o.state === 'pending');
    expect(undecided).toEqual([]);

    record('host-crash', {
      cycles: CYCLES,
      ordersSent: sent,
      acknowledged: all.acked.size,
      inFlightAtKill,
      lostAcknowledged: missing.length,
      events: head,
      duplicateCommands: audit.duplicateCommands.length,
      stateHash: mine.hash.slice(0, 16),
    });
  }, 90_000);
});
