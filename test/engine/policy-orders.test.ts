import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectionBook, trackAwaiting, type CloseBook } from '../../engine/oms/close-book.ts';
import { deferCancel } from '../../engine/oms/deferred-cancels.ts';
import { RiskState } from '../../engine/oms/exposure/risk-state.ts';
import { takeRiskSnapshot } from '../../engine/oms/exposure/snapshot.ts';
import { PolicyOrders } from '../../engine/oms/policy-orders.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { OmsSequencerPolicy } from '../../engine/oms/sequencer-policy.ts';
import { expiryAtClose, expiryBeforeVenue, takeSnapshot } from '../../engine/oms/snapshot.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import { Reason } from '../../engine/protocol/reasons.ts';
import type { CommandBody, OrdoEvent, Sequenced } from '../../engine/protocol/events.ts';
import { ONE_INSTRUMENT_REFERENCE } from './helpers/one-instrument-reference.ts';

/**
 * Decision 169: the sequencer policy keeps a slim record of the session's
 * orders (PolicyOrders) and a projection of the carried orders only, instead
 * of a whole OmsProjection. Held here against the former policy (a whole
 * OmsProjection read through the same rules) over random flows, legal or
 * not: every answer the sequencer asks of it, after every event, is the same.
 */

const reference = ONE_INSTRUMENT_REFERENCE;

const id = fc.integer({ min: 1, max: 10 });
const qty = fc.integer({ min: 0, max: 120 });
const price = fc.constantFrom(0, 99.5, 100, 100.25);
const tif = fc.constantFrom('day' as const, 'ioc' as const, 'gtc' as const, 'gtd' as const);

const orderEvent: fc.Arbitrary<OrdoEvent> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ orderId: id, orderType: fc.constantFrom('limit' as const, 'market' as const), timeInForce: tif, quantity: qty, price })
    .map((f): OrdoEvent => ({ type: 'OrderPending', clientId: 'A', clientOrderId: `c${f.orderId}`, symbol: 'X', side: 'buy', ...f })) },
  { weight: 5, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderAccepted', orderId })) },
  { weight: 5, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderRouted', orderId, venue: 'V1' })) },
  { weight: 4, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderAcknowledged', orderId })) },
  { weight: 2, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderParked', orderId })) },
  { weight: 8, arbitrary: fc.tuple(id, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 60 }), price)
    .map(([orderId, execId, fillQty, fillPrice]): OrdoEvent => ({ type: 'OrderExecuted', orderId, execId, fillQty, fillPrice })) },
  { weight: 1, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderRejected', orderId, reason: 104, text: '' })) },
  { weight: 1, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'VenueRejected', orderId, reason: 202, text: 'no' })) },
  { weight: 1, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderCancelled', orderId, reason: 405 })) },
  { weight: 2, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'OrderExpired', orderId, reason: 303 })) },
  { weight: 3, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'CancelRequested', orderId })) },
  { weight: 1, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'CancelRejected', orderId, reason: 401, text: '' })) },
  { weight: 3, arbitrary: fc.tuple(id, qty, price).map(([orderId, quantity, p]): OrdoEvent => ({ type: 'ReplaceRequested', orderId, quantity, price: p })) },
  { weight: 2, arbitrary: fc.tuple(id, qty, price).map(([orderId, quantity, p]): OrdoEvent => ({ type: 'OrderReplaced', orderId, quantity, price: p })) },
  { weight: 1, arbitrary: id.map((orderId): OrdoEvent => ({ type: 'ReplaceRejected', orderId, reason: 401, text: '' })) },
  { weight: 2, arbitrary: fc.record({
    orderId: fc.integer({ min: 1, max: 14 }), timeInForce: tif, quantity: qty, filledQuantity: fc.integer({ min: 0, max: 60 }),
    state: fc.constantFrom('accepted' as const, 'new' as const, 'partially_filled' as const, 'filled' as const, 'routed' as const),
    cancelPending: fc.boolean(), replace: fc.boolean(),
  }).map((f): OrdoEvent => {
    const e: OrdoEvent = {
      type: 'OrderRestored', orderId: f.orderId, clientId: 'A', clientOrderId: `r${f.orderId}`, symbol: 'X', side: 'sell', orderType: 'limit',
      timeInForce: f.timeInForce, quantity: f.quantity, price: 100, state: f.state, filledQuantity: f.filledQuantity, avgPrice: f.filledQuantity > 0 ? 100 : 0,
    };
    if (f.state !== 'accepted') e.venue = 'V1';
    if (f.cancelPending) e.cancelPending = true;
    if (f.replace) Object.assign(e, { replacePendingClientOrderId: `r${f.orderId}~R1`, replacePendingQuantity: f.quantity + 1, replacePendingPrice: 101 });
    return e;
  }) },
);

const sessionEvent: fc.Arbitrary<OrdoEvent> = fc.oneof(
  fc.constant<OrdoEvent>({ type: 'SessionClosing' }),
  fc.constant<OrdoEvent>({ type: 'SessionClosing', roll: true }),
  fc.constant<OrdoEvent>({ type: 'SessionClosed', carriedOrders: 0 }),
  fc.constant<OrdoEvent>({ type: 'SessionReady', restoredOrders: 0 }),
  fc.integer({ min: 0, max: 6 }).map((orderIdBase): OrdoEvent => ({ type: 'SessionOpened', sessionId: 2, previousSessionId: 1, orderIdBase })),
);

const flowArb = fc.array(fc.oneof({ weight: 30, arbitrary: orderEvent }, { weight: 1, arbitrary: sessionEvent }), { maxLength: 160 }).map((evs) => {
  const log = new LogBuilder().openSession({ reference, orderIdBase: 1 });
  for (const e of evs) log.add(e, 'gw');
  return log.events;
});

/** The policy as it was before decision 169: a whole OmsProjection, read through the same rules. */
class FormerPolicy {
  readonly projection = new OmsProjection();
  readonly risk = new RiskState();
  private readonly book: CloseBook = projectionBook(this.projection);
  awaiting = new Set<number>();

  apply(e: Sequenced): void {
    this.projection.apply(e);
    this.awaiting = trackAwaiting(this.awaiting, this.book, e);
    this.risk.apply(e);
  }

  route(orderId: number): string {
    const o = this.projection.order(orderId);
    return o?.stage !== 'accepted' ? `order ${orderId} is ${o?.stage ?? 'unknown'}, not waiting for a route` : 'ok';
  }

  snapshot(): unknown {
    return { ...takeSnapshot(this.projection), risk: takeRiskSnapshot(this.risk) };
  }
}

function answers(p: OmsSequencerPolicy, ids: readonly number[]): unknown {
  const route = (orderId: number) => p.authorize('router-1', 'router', { type: 'OrderRouted', orderId, venue: 'V1' })?.message ?? 'ok';
  const cancel = (orderId: number): CommandBody => ({ type: 'CancelRequested', orderId });
  return {
    routes: ids.map(route),
    deferred: ids.map((i) => p.deferWhileClosed('proxy-1', 'proxy', cancel(i))),
    closing: p.closingEvents(),
    forced: p.forcedClosingEvents(),
    refusal: [p.closingRefusal({ type: 'OrderRouted', orderId: 1, venue: 'V1' }), p.closingRefusal(cancel(1))],
    awaiting: p.awaitingOrders(),
    ready: p.readyToClose(),
    snapshot: p.snapshot(),
    nextOrderId: p.orderIdBase(p.snapshot().body),
  };
}

function formerAnswers(f: FormerPolicy, ids: readonly number[]): unknown {
  const book = projectionBook(f.projection);
  const refusal = (routing: boolean) =>
    routing && f.projection.session.rolling !== true ? { code: 'SESSION_CLOSING', message: `session ${f.projection.session.id} is closing` } : undefined;
  const snap = f.snapshot() as { orders: unknown[]; nextOrderId: number };
  return {
    routes: ids.map((i) => f.route(i)),
    deferred: ids.map((i) => deferCancel(book, 'proxy', { type: 'CancelRequested', orderId: i })),
    closing: expiryBeforeVenue(f.projection),
    forced: expiryAtClose(f.projection, Reason.SESSION_CLOSE_FORCED),
    refusal: [refusal(true), refusal(false)],
    awaiting: [...f.awaiting].sort((a, b) => a - b),
    ready: f.awaiting.size === 0,
    snapshot: { body: snap, carriedOrders: snap.orders.length },
    nextOrderId: snap.nextOrderId,
  };
}

const IDS = Array.from({ length: 15 }, (_, i) => i);

/** A policy that folded `events` from the first. */
function refold(events: readonly Sequenced[]): OmsSequencerPolicy {
  const p = new OmsSequencerPolicy(reference);
  for (const e of events) p.apply(1, e);
  return p;
}

describe('the sequencer policy keeps a slim order record (decision 169)', () => {
  it('answers every question exactly as the former whole-projection policy did, after every event of random flows', () => {
    fc.assert(
      fc.property(flowArb, (events) => {
        const now = new OmsSequencerPolicy(reference);
        const former = new FormerPolicy();
        for (const e of events) {
          now.apply(1, e);
          former.apply(e);
          expect(answers(now, IDS)).toEqual(formerAnswers(former, IDS));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps each order's stage, pending flags, quantity and filled quantity as OmsProjection does", () => {
    fc.assert(
      fc.property(flowArb, (events) => {
        const slim = new PolicyOrders();
        const p = new OmsProjection();
        for (const e of events) {
          slim.apply(e);
          p.apply(e);
        }
        expect(slim.orderCount).toBe(p.orderCount);
        expect(slim.nextOrderId).toBe(p.nextOrderId);
        for (const o of p.orders()) {
          expect(slim.order(o.orderId)).toEqual({
            stage: o.stage, carries: o.timeInForce === 'gtc' || o.timeInForce === 'gtd', cancelPending: o.cancelPending,
            replacePending: o.replacePending, quantity: o.quantity, filledQuantity: o.filledQuantity,
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('restored from a checkpoint (a whole projection at some seq) it answers as one that folded every event', () => {
    fc.assert(
      fc.property(flowArb, fc.nat(), (events, cut) => {
        const k = cut % (events.length + 1);
        const folded = new OmsSequencerPolicy(reference);
        for (const e of events) folded.apply(1, e);
        // The checkpoint: a projection, a risk state and the awaiting set at seq k (CheckpointFold's fold).
        const p = new OmsProjection();
        const risk = new RiskState();
        let awaiting = new Set<number>();
        const book = projectionBook(p);
        for (const e of events.slice(0, k)) {
          p.apply(e);
          awaiting = trackAwaiting(awaiting, book, e);
          risk.apply(e);
        }
        const restored = new OmsSequencerPolicy(reference);
        restored.restore(p, risk, [...awaiting]);
        for (const e of events.slice(k)) restored.apply(1, e);
        expect(answers(restored, IDS)).toEqual(answers(folded, IDS));
        expect(restored.orders.stateHash()).toBe(folded.orders.stateHash());
      }),
      { numRuns: 300 },
    );
  });

  it('restored from the host\'s one decoded copy (restoreSharing), that copy then folding the tail, it answers as one that folded every event', () => {
    fc.assert(
      fc.property(flowArb, fc.nat(), fc.nat(), (events, cut, cut2) => {
        const k = cut % (events.length + 1);
        const k2 = k + (cut2 % (events.length - k + 1));
        const folded = new OmsSequencerPolicy(reference);
        for (const e of events) folded.apply(1, e);
        // The host's shared states at the checkpoint: the view's projection and risk's state (with its duplicate memory).
        const p = new OmsProjection();
        const risk = new RiskState();
        let awaiting = new Set<number>();
        const book = projectionBook(p);
        for (const e of events.slice(0, k)) {
          p.apply(e);
          awaiting = trackAwaiting(awaiting, book, e);
          risk.apply(e);
        }
        // The carried-orders record is built from the orders the slim book names as live and carried: the same snapshot.
        expect(takeSnapshot(p, PolicyOrders.fromProjection(p).liveCarriedOrderIds())).toEqual(takeSnapshot(p));
        const restored = new OmsSequencerPolicy(reference);
        restored.restoreSharing(p, risk, [...awaiting]);
        // The sequencer's recovery of the tail: the policy applies each event, then the host folds it into both copies,
        // so the policy must keep nothing of `p` that the fold changes.
        for (const e of events.slice(k, k2)) {
          restored.apply(1, e);
          p.apply(e);
          risk.apply(e);
        }
        expect(answers(restored, IDS)).toEqual(answers(refold(events.slice(0, k2)), IDS));
        // Then live, as the host: the policy reads risk's state for good, the stream delivering each event after it.
        restored.shareRisk(risk);
        for (const e of events.slice(k2)) {
          restored.apply(1, e);
          risk.apply(e);
        }
        expect(answers(restored, IDS)).toEqual(answers(folded, IDS));
        expect(restored.orders.stateHash()).toBe(folded.orders.stateHash());
        // It kept no duplicate memory of its own, and took none from the host's risk state it read.
        expect((restored as unknown as { risk: RiskState }).risk.rememberedOrders).toBe(0);
        const whole = new RiskState();
        for (const e of events) whole.apply(e);
        expect(risk.rememberedOrders).toBe(whole.rememberedOrders);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to restore beside a risk state at another seq than the checkpoint', () => {
    const log = new LogBuilder().openSession({ reference, orderIdBase: 1 });
    log.add({ type: 'OrderPending', orderId: 1, clientId: 'A', clientOrderId: 'c1', symbol: 'X', side: 'buy', orderType: 'limit', timeInForce: 'gtc', quantity: 2, price: 100 }, 'proxy');
    const p = new OmsProjection();
    const risk = new RiskState();
    for (const e of log.events) p.apply(e);
    for (const e of log.events.slice(0, -1)) risk.apply(e);
    expect(() => new OmsSequencerPolicy(reference).restoreSharing(p, risk, [])).toThrow(
      `risk state to share is at session 1 seq ${p.lastSeq - 1}, the checkpoint at session 1 seq ${p.lastSeq}`,
    );
  });

  it('keeps a session of 10,000 day orders in typed-array chunks, with no full projection and no duplicate memory behind it', () => {
    const log = new LogBuilder().openSession({ reference, orderIdBase: 1 });
    for (let i = 1; i <= 10_000; i++) {
      log.add({ type: 'OrderPending', orderId: i, clientId: 'A', clientOrderId: `c${i}`, symbol: 'X', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 2, price: 100 }, 'proxy');
      log.add({ type: 'OrderAccepted', orderId: i }, 'risk');
      log.add({ type: 'OrderRouted', orderId: i, venue: 'V1' }, 'router');
      log.add({ type: 'OrderExecuted', orderId: i, execId: 1, fillQty: 1, fillPrice: 100 }, 'gw');
      if (i % 2 === 0) log.add({ type: 'OrderExecuted', orderId: i, execId: 2, fillQty: 1, fillPrice: 100 }, 'gw');
    }
    const policy = new OmsSequencerPolicy(reference);
    for (const e of log.events) policy.apply(1, e);
    expect(policy.orders.orderCount).toBe(10_000);
    const own = policy as unknown as { carried: OmsProjection; risk: RiskState };
    expect(own.carried.orderCount).toBe(0);
    // Its risk state is for the snapshot only: no duplicate memory (a risk state that checks duplicates remembers them all here).
    expect(own.risk.rememberedOrders).toBe(0);
    const checking = new RiskState();
    for (const e of log.events) checking.apply(e);
    expect(checking.rememberedOrders).toBe(10_000);
    // The odd ones are partially filled at the venue: the close waits for them.
    policy.apply(1, log.add({ type: 'SessionClosing' }));
    expect(policy.awaitingOrders()).toHaveLength(5_000);
    expect(policy.orders.order(9_999)).toMatchObject({ stage: 'partially_filled', filledQuantity: 1 });
    expect(policy.orders.order(10_000)).toMatchObject({ stage: 'filled', filledQuantity: 2 });
  });
});
