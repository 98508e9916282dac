import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { waitsOnRole } from '../../contract/roles.ts';
import { MonitorComponent } from '../../engine/oms/components/monitor.ts';
import { WaitingRoles } from '../../engine/oms/components/waiting-roles.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { OrdoEvent } from '../../engine/protocol/events.ts';
import { ONE_INSTRUMENT_REFERENCE } from './helpers/one-instrument-reference.ts';

/**
 * Issue 15: the heartbeat monitor keeps the role each order waits on in a byte table (WaitingRoles) and reads it
 * from the projection without a view object (OmsProjection.waitsOn). Held here against the former reading (the
 * order's view: waitsOnRole(stage, state), else the gateway while a cancel or replace is in flight) over random
 * flows, legal or not, with sessions opening at other order-id bases and orders restored below them.
 */

const reference = ONE_INSTRUMENT_REFERENCE;

const id = fc.integer({ min: 1, max: 12 });
const qty = fc.integer({ min: 1, max: 120 });
const orderEvent: fc.Arbitrary<OrdoEvent> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(id, qty).map(([orderId, quantity]): OrdoEvent => ({ type: 'OrderPending', orderId, clientId: 'A', clientOrderId: `c${orderId}`, symbol: 'X', side: 'buy', orderType: 'limit', timeInForce: 'gtc', quantity, price: 100 })) },
  { weight: 5, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderAccepted', orderId })) },
  { weight: 5, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderRouted', orderId, venue: 'V1' })) },
  { weight: 4, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderAcknowledged', orderId })) },
  { weight: 2, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderParked', orderId })) },
  { weight: 6, arbitrary: fc.tuple(id, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 60 })).map(([orderId, execId, fillQty]): OrdoEvent => ({ type: 'OrderExecuted', orderId, execId, fillQty, fillPrice: 100 })) },
  { weight: 1, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderRejected', orderId, reason: 104, text: '' })) },
  { weight: 1, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'VenueRejected', orderId, reason: 202, text: 'no' })) },
  { weight: 1, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderCancelled', orderId, reason: 405 })) },
  { weight: 3, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'CancelRequested', orderId })) },
  { weight: 1, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'CancelRejected', orderId, reason: 401, text: '' })) },
  { weight: 3, arbitrary: fc.tuple(id, qty).map(([orderId, quantity]): OrdoEvent => ({ type: 'ReplaceRequested', orderId, quantity, price: 100 })) },
  { weight: 2, arbitrary: fc.tuple(id, qty).map(([orderId, quantity]): OrdoEvent => ({ type: 'OrderReplaced', orderId, quantity, price: 100 })) },
  { weight: 1, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'ReplaceRejected', orderId, reason: 401, text: '' })) },
  { weight: 2, arbitrary: fc.record({
    orderId: id, filledQuantity: fc.integer({ min: 0, max: 60 }),
    state: fc.constantFrom('accepted' as const, 'new' as const, 'partially_filled' as const, 'routed' as const, 'pending' as const),
    cancelPending: fc.boolean(), replace: fc.boolean(),
  }).map((f): OrdoEvent => {
    const e: OrdoEvent = {
      type: 'OrderRestored', orderId: f.orderId, clientId: 'A', clientOrderId: `r${f.orderId}`, symbol: 'X', side: 'sell', orderType: 'limit',
      timeInForce: 'gtc', quantity: 100, price: 100, state: f.state, filledQuantity: f.filledQuantity, avgPrice: f.filledQuantity > 0 ? 100 : 0,
    };
    if (f.state !== 'accepted' && f.state !== 'pending') e.venue = 'V1';
    if (f.cancelPending) e.cancelPending = true;
    if (f.replace) Object.assign(e, { replacePendingClientOrderId: `r${f.orderId}~R1`, replacePendingQuantity: 101, replacePendingPrice: 101 });
    return e;
  }) },
);
const opened = fc.integer({ min: 0, max: 9 }).map((orderIdBase): OrdoEvent => ({ type: 'SessionOpened', sessionId: 2, previousSessionId: 1, orderIdBase }));
const flowArb = fc.array(fc.oneof({ weight: 30, arbitrary: orderEvent }, { weight: 1, arbitrary: opened }), { maxLength: 160 }).map((evs) => {
  const log = new LogBuilder().openSession({ reference, orderIdBase: 1 });
  for (const e of evs) log.add(e, 'gw');
  return log.events;
});

const ROLES = ['risk', 'router', 'gateway'];

describe("the monitor's record of what each order waits on (issue 15)", () => {
  it('gives the same role per order and the same counts per role as the former view-based reading, after every event of random flows', () => {
    fc.assert(
      fc.property(flowArb, (events) => {
        const monitor = new MonitorComponent({ source: { components: new Map() }, staleMs: 1000 });
        for (const e of events) {
          monitor.apply(1, e);
          const p = monitor.projection;
          const expected = new Map<string, number>();
          for (const o of p.orders()) {
            const former = waitsOnRole(o.stage, o.state) ?? (o.cancelPending || o.replacePending ? 'gateway' : undefined);
            expect(p.waitsOn(o.orderId)).toBe(former);
            if (former !== undefined) expected.set(former, (expected.get(former) ?? 0) + 1);
          }
          for (const role of ROLES) expect(monitor.waitingOn(role)).toBe(expected.get(role) ?? 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('an unknown order waits on nothing', () => {
    expect(new OmsProjection().waitsOn(7)).toBeUndefined();
  });

  it('keeps ids below the first one seen and far above it (outside its table) as exactly as those inside', () => {
    const w = new WaitingRoles();
    const base = 1_000;
    const far = base + (1 << 24) + 5;
    w.set(base, 'risk');
    w.set(3, 'router'); // carried from an earlier session: below the table
    w.set(far, 'gateway'); // beyond the largest table: kept in the Map
    w.set(base + 5000, 'risk'); // grows the table
    expect([...w.roles()]).toEqual([['risk', 2], ['router', 1], ['gateway', 1]]);
    w.set(3, undefined);
    w.set(far, 'risk');
    w.set(base, 'router');
    expect([...w.roles()]).toEqual([['risk', 2], ['router', 1], ['gateway', 0]]);
    w.set(far, undefined);
    w.set(base + 5000, undefined);
    w.set(base, undefined);
    expect(['risk', 'router', 'gateway'].map((r) => w.waitingOn(r))).toEqual([0, 0, 0]);
    expect(w.waitingOn('fix')).toBe(0);
    w.clear();
    expect([...w.roles()]).toEqual([]);
  });
});
