import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import type { VenuePeer } from '../../engine/venue/venue.ts';
import type { VenueRequest } from '../../engine/venue/protocol.ts';
import { record } from './helpers/figures.ts';
import { Api, streamOrders } from './helpers/http.ts';
import { auditLog, decisionsPerOrder, ofType } from './helpers/log-checks.ts';
import { cleanupAll, freePortRun, requireFreshBuild, sleep, spawnOrdo, tempDir, until, type Proc } from './helpers/procs.ts';

let host: Host | undefined;
beforeAll(() => requireFreshBuild());
afterEach(async () => {
  await cleanupAll();
  await host?.close();
  host = undefined;
});

/** Who the log says was active for `role` at each seq: the latest ComponentActivated before it. */
function activeAt(events: readonly Sequenced[], role: string): (seq: number) => string | undefined {
  const changes = events.filter((e) => e.event.type === 'ComponentActivated' && e.event.role === role).map((e) => ({ seq: e.seq, instance: (e.event as { instance: string }).instance }));
  return (seq) => changes.filter((c) => c.seq < seq).at(-1)?.instance;
}

describe('hot standby failover', () => {
  it('standbys stay passive; kill -9 of the active risk and gateway: the monitor raises alerts and activates standbys, an admin activates another, orders keep flowing, the venue never sees an order twice', async () => {
    const dataDir = join(tempDir(), 'data');
    const port = await freePortRun();
    // In process, so the test can count what reaches the venue; risk and gateway instances as their own processes.
    host = await startHost({ dataDir, port: 0, busPort: port, staleMs: 1000, venueTickMs: 100, venueIn: 'host' });
    const api = new Api(host.port, host.token);
    const newOrders = new Map<number, number>();
    /** Which gateway connections (ZeroMQ routing ids) sent each NewOrder. */
    const senders = new Map<number, string[]>();
    const exchange = host.localVenue!.exchange;
    const handle = exchange.handle.bind(exchange);
    exchange.handle = (peer: VenuePeer, msg: VenueRequest) => {
      if (msg.type === 'NewOrder') {
        newOrders.set(msg.orderId, (newOrders.get(msg.orderId) ?? 0) + 1);
        senders.set(msg.orderId, [...(senders.get(msg.orderId) ?? []), peer.id.toString('hex')]);
      }
      handle(peer, msg);
    };
    const start = (role: string, id: string): Proc => spawnOrdo(['component', role, '--connect', `127.0.0.1:${port}`, '--id', id, '--data-dir', dataDir]);
    const procs = { 'risk-2': start('risk', 'risk-2'), 'risk-3': start('risk', 'risk-3'), 'gateway-2': start('gateway', 'gateway-2') };
    for (const p of Object.values(procs)) await p.waitFor(/caught up at seq \d+, standby/);
    const heard = async (id: string, state?: string) => (await api.state()).components.some((c) => c.id === id && (state === undefined || c.state === state));
    for (const id of Object.keys(procs)) await until(() => heard(id), `the host to hear ${id}`);
    for (const id of ['risk-2', 'gateway-2']) {
      expect((await api.call('POST', `/api/components/${id}/activate`)).status).toBe(200);
      await until(() => heard(id, 'active'), `${id} active`);
    }

    let stop = false;
    const s = streamOrders(api, 'fo', 2, () => stop);
    await sleep(1000);
    const ackedBeforeKill = s.sent();
    const killedAt = host.sequencer.position.seq;
    await procs['risk-2'].kill9();
    await procs['gateway-2'].kill9();
    // The monitor notices (stale after 1 s) and hands both roles to healthy standbys.
    const taken = (role: string, dead: string) => () => {
      const e = auditLog(dataDir).events.get(1)!;
      return e.some((x) => x.seq > killedAt && x.src === 'monitor-1' && x.event.type === 'ComponentActivated' && x.event.role === role && x.event.instance !== dead);
    };
    await until(taken('risk', 'risk-2'), 'the monitor to activate a risk standby', 10_000);
    await until(taken('gateway', 'gateway-2'), 'the monitor to activate a gateway standby', 10_000);
    const afterFailover = s.sent();
    await sleep(700);
    expect(s.sent()).toBeGreaterThan(afterFailover); // orders keep flowing
    // An operator moves risk to risk-3 (a process that stood by all along).
    expect((await api.call('POST', '/api/components/risk-3/activate')).status).toBe(200);
    await until(() => heard('risk-3', 'active'), 'risk-3 active');
    await sleep(700);
    stop = true;
    await s.done;
    await until(async () => (await api.state()).orders.every((o) => o.state !== 'pending_new'), 'every order decided and routed', 15_000);
    await sleep(500);

    const audit = auditLog(dataDir);
    const events = audit.events.get(1)!;
    expect(audit.duplicateCommands).toEqual([]);
    expect(audit.seqGaps).toEqual([]);
    // Alerts for both dead instances, in the log.
    const alerts = ofType(events, 'AlertRaised').filter((e) => e.seq > killedAt).map((e) => e.event.instance);
    expect(alerts).toEqual(expect.arrayContaining(['risk-2', 'gateway-2']));
    // Exactly one decision per order, each by the instance the log names active for risk at that point.
    const orders = ofType(events, 'OrderPending').map((e) => e.event.orderId);
    const decisions = decisionsPerOrder(events);
    expect(orders.filter((id) => decisions.get(id) !== 1)).toEqual([]);
    const riskAt = activeAt(events, 'risk');
    const gatewayAt = activeAt(events, 'gateway');
    const outOfTurn = events.filter(
      (e) =>
        ((e.event.type === 'OrderAccepted' || e.event.type === 'OrderRejected') && e.src !== riskAt(e.seq)) ||
        ((e.event.type === 'OrderExecuted' || e.event.type === 'OrderCancelled') && e.src.startsWith('gateway') && e.src !== gatewayAt(e.seq)),
    );
    expect(outOfTurn).toEqual([]);
    // Passive means silent: risk-3 sent nothing before it was activated.
    const risk3On = events.find((e) => e.event.type === 'ComponentActivated' && e.event.instance === 'risk-3')!.seq;
    expect(events.filter((e) => e.src === 'risk-3' && e.seq < risk3On)).toEqual([]);
    // Every routed order reached the venue and was booked once, across the gateway takeover. An order the killed
    // gateway sent whose acknowledgement it never lived to report is sent again by its successor (it cannot know);
    // the venue answers that repeat with the order's status instead of booking it twice. So a repeat is allowed only
    // from another gateway connection, and each one is counted by the venue as a duplicate it answered.
    const routed = [...new Set(ofType(events, 'OrderRouted').map((e) => e.event.orderId))];
    expect(routed.filter((id) => (newOrders.get(id) ?? 0) === 0)).toEqual([]);
    const repeatedBySameGateway = [...senders].filter(([, peers]) => new Set(peers).size !== peers.length).map(([id, peers]) => `${id}: ${peers.join(',')}`);
    expect(repeatedBySameGateway).toEqual([]);
    const repeats = [...newOrders.values()].reduce((a, n) => a + n - 1, 0);
    expect(host.localVenue!.stats().duplicates).toBe(repeats);
    // Only orders in flight at the kill can be repeated: a handful, not the stream.
    expect(repeats).toBeLessThanOrEqual(10);

    const timeline = ofType(events, 'ComponentActivated').map((e) => `${e.seq}:${e.event.role}=${e.event.instance} by ${e.src}`);
    record('failover', {
      ordersSent: s.sent(),
      ordersBeforeKill: ackedBeforeKill,
      orders: orders.length,
      routed: routed.length,
      venueNewOrders: [...newOrders.values()].reduce((a, b) => a + b, 0),
      venueDuplicates: host.localVenue!.stats().duplicates,
      alerts: alerts.join(','),
      timeline: timeline.slice(-5),
    });
  }, 90_000);
});
