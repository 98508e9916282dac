import { describe, expect, it } from 'vitest';
import type { Heartbeat } from '../../engine/component/heartbeat.ts';
import type { CommandBody as Command } from '../../engine/protocol/events.ts';
import { MonitorComponent, roleInstance, STOPPED, UNATTENDED } from '../../engine/oms/components/monitor.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { OrdoEvent } from '../../engine/protocol/events.ts';

const reference = loadReferenceData();

/** A monitor fed from a hand-built log and heartbeat table, with a clock the test moves. */
function rig() {
  const log = new LogBuilder().openSession({ reference });
  const beats = new Map<string, { hb: Heartbeat; receivedMs: number }>();
  let now = 10_000;
  const monitor = new MonitorComponent({ source: { components: beats }, staleMs: 1000, now: () => now });
  for (const e of log.events) monitor.apply(1, e);
  const sent: Command[] = [];
  const out = { send: (c: Command) => sent.push(c) };
  const step = (event: OrdoEvent, src = 'sequencer') => {
    const e = log.add(event, src);
    monitor.apply(1, e);
    monitor.react(1, e);
  };
  const beat = (id: string, role: string, state: Heartbeat['state'] = 'active') =>
    beats.set(id, { hb: { id, role, state, session: 1, lastSeq: 0, sentMs: now, pid: 1 }, receivedMs: now });
  const alerts = () => sent.filter((c) => c.type === 'AlertRaised' || c.type === 'AlertCleared');
  /** Sequences what the monitor asked for, as the sequencer would. */
  const commit = () => {
    for (const c of sent.splice(0)) step(c as OrdoEvent, 'monitor-1');
  };
  return { monitor, step, beat, sent, out, alerts, commit, tick: (ms: number) => (now += ms) };
}

const pending = (orderId: number): OrdoEvent => ({
  type: 'OrderPending', orderId, clientId: 'ALPHA', clientOrderId: `c-${orderId}`, symbol: 'AAPL', side: 'buy',
  orderType: 'limit', timeInForce: 'day', quantity: 100, price: 228.45,
});

describe('heartbeat monitor: alerts a user cannot miss', () => {
  it('raises `stopped` when a component reports itself stopped, and clears it when it runs again', () => {
    const r = rig();
    r.beat('monitor-1', 'monitor');
    r.step({ type: 'ComponentActivated', role: 'monitor', instance: 'monitor-1' });
    r.beat('router-1', 'router', 'stopped');
    r.monitor.check(r.out);
    expect(r.alerts()).toEqual([{ type: 'AlertRaised', instance: 'router-1', kind: STOPPED, message: 'router-1 (router) stopped' }]);
    r.commit();
    r.monitor.check(r.out);
    expect(r.alerts()).toEqual([]);
    r.beat('router-1', 'router', 'standby');
    r.monitor.check(r.out);
    expect(r.alerts()).toEqual([{ type: 'AlertCleared', instance: 'router-1', kind: STOPPED }]);
  });

  it('raises `unattended` when orders wait on a role with nobody active, clears it when someone takes over', () => {
    const r = rig();
    r.beat('risk-1', 'risk');
    r.step({ type: 'ComponentActivated', role: 'risk', instance: 'risk-1' });
    r.step(pending(1), 'proxy-1');
    r.monitor.check(r.out);
    expect(r.alerts()).toEqual([]);
    expect(r.monitor.waitingOn('risk')).toBe(1);
    r.step({ type: 'ComponentDeactivated', role: 'risk', instance: 'risk-1' });
    r.beat('risk-1', 'risk', 'standby');
    r.step(pending(2), 'proxy-1');
    r.monitor.check(r.out);
    expect(r.alerts()).toEqual([{ type: 'AlertRaised', instance: roleInstance('risk'), kind: UNATTENDED, message: '2 orders waiting on risk: no active risk' }]);
    r.commit();
    r.step({ type: 'ComponentActivated', role: 'risk', instance: 'risk-1' });
    r.beat('risk-1', 'risk');
    r.monitor.check(r.out);
    expect(r.alerts()).toEqual([{ type: 'AlertCleared', instance: roleInstance('risk'), kind: UNATTENDED }]);
  });

  it('an order that moves on stops waiting; an active instance that went silent does not count as attending', () => {
    const r = rig();
    r.beat('router-1', 'router');
    r.step({ type: 'ComponentActivated', role: 'router', instance: 'router-1' });
    r.step(pending(1), 'proxy-1');
    r.step({ type: 'OrderAccepted', orderId: 1 }, 'risk-1');
    expect(r.monitor.waitingOn('risk')).toBe(0);
    expect(r.monitor.waitingOn('router')).toBe(1);
    r.tick(5000);
    r.monitor.check(r.out);
    expect(r.alerts()).toContainEqual({
      type: 'AlertRaised', instance: roleInstance('router'), kind: UNATTENDED, message: '1 order waiting on router: router-1 (active router) is not running',
    });
    r.step({ type: 'OrderRouted', orderId: 1, venue: 'XNAS' }, 'router-1');
    expect(r.monitor.waitingOn('router')).toBe(0);
  });
});
