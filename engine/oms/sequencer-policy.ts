import type { SequencerPolicy } from '../sequencer/policy.ts';
import type { CommandBody, EventType, OrdoEvent, Sequenced } from '../protocol/events.ts';
import type { SequencerRefusalCode } from '../../contract/api-errors.ts';
import { OmsProjection } from './projection.ts';
import { RiskState } from './exposure/risk-state.ts';
import { riskRestoreEvents, takeRiskSnapshot } from './exposure/snapshot.ts';
import { referenceEvents, type ReferenceData } from './reference.ts';
import { Reason } from '../protocol/reasons.ts';
import { isTerminalStage, mayBeAtVenue } from './order-state.ts';
import type { ReadonlyOrder } from './projection.ts';
import { deferCancel, deferredCancelEvents } from './deferred-cancels.ts';
import { carriesOver, endingWithSession, expiryAtClose, expiryBeforeVenue, parseSnapshot, restoreEvents, takeSnapshot, type Snapshot } from './snapshot.ts';

/** Which events each role may ask for; the host may ask for anything. */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly EventType[]>> = {
  proxy: ['OrderPending', 'CancelRequested', 'ReplaceRequested'],
  risk: ['OrderAccepted', 'OrderRejected', 'MarketOrderCollared', 'ReferencePriceMoved', 'InstrumentExpired'],
  router: ['OrderRouted', 'VenueRejected'],
  gateway: ['OrderParked', 'OrderAcknowledged', 'OrderExecuted', 'OrderCancelled', 'OrderExpired', 'VenueRejected', 'OrderReplaced', 'ReplaceRejected', 'CancelRejected'],
  monitor: ['AlertRaised', 'AlertCleared', 'ComponentActivated'],
};

/** Carried orders (gtc, gtd) the venue may hold: an explicit close parks them there (decision 075). */
function parkedAtClose(p: OmsProjection): number[] {
  const ids: number[] = [];
  for (const o of p.orders()) if (mayBeAtVenue(o.stage) && carriesOver(o.timeInForce)) ids.push(o.orderId);
  return ids;
}

/**
 * Whether the close need not wait for the order any more: it ended, or it is
 * off the venue (never sent, or parked) with no cancel or replace waiting for
 * the venue's answer.
 */
function settledForClose(o: ReadonlyOrder | undefined): boolean {
  if (o === undefined || isTerminalStage(o.stage)) return true;
  return !mayBeAtVenue(o.stage) && !o.cancelPending && !o.replacePending;
}

/**
 * The close's awaiting set after `e` (already applied to `projection`): at
 * SessionClosing the orders that end with the session (and, on an explicit
 * close, the carried ones the venue may hold); each leaves once settled.
 * Returns the set to keep (a new one at SessionClosing). Shared by the policy
 * and the checkpoint fold, so a checkpoint's set is the policy's.
 */
export function trackAwaiting(awaiting: Set<number>, projection: OmsProjection, e: Sequenced): Set<number> {
  const ev = e.event;
  if (ev.type === 'SessionClosing') {
    const next = new Set(endingWithSession(projection));
    // An explicit close also parks every carried order the venue may hold (decision 075); a roll keeps them live.
    if (ev.roll !== true) for (const id of parkedAtClose(projection)) next.add(id);
    return next;
  }
  if (ev.type === 'SessionOpened') awaiting.clear();
  else if (awaiting.size > 0 && 'orderId' in ev && awaiting.has(ev.orderId)) {
    if (settledForClose(projection.order(ev.orderId))) awaiting.delete(ev.orderId);
  }
  return awaiting;
}

/** The OMS's rules for the sequencer: permissions, session opening and closing. */
export class OmsSequencerPolicy implements SequencerPolicy {
  private projection = new OmsProjection();
  /** Risk's state, for its part of the snapshot (positions, runtime limits, halts, …). */
  private risk = new RiskState();
  /** While the host's start-up recovers: the host's own risk state, which folds the same events (see shareRiskWhileRecovering). */
  private sharedRisk: RiskState | undefined;
  private readonly staticEvents: OrdoEvent[];
  /** While closing: the orders that end with the session and have not ended yet. */
  private awaiting = new Set<number>();

  constructor(reference: ReferenceData) {
    this.staticEvents = referenceEvents(reference);
  }

  reset(): void {
    this.projection = new OmsProjection();
    this.awaiting = new Set();
    this.risk = new RiskState();
  }

  apply(_session: number, e: Sequenced): void {
    this.projection.apply(e);
    this.awaiting = trackAwaiting(this.awaiting, this.projection, e);
    if (this.sharedRisk === undefined) this.risk.apply(e);
  }

  /**
   * Start-up from an in-session checkpoint (decision 140): the policy's state
   * at the checkpoint's seq (its own projection, its own risk state, the
   * close's awaiting set), instead of folding the events before it. The
   * sequencer then recovers the tail after it into this state.
   */
  restore(projection: OmsProjection, risk: RiskState, awaiting: readonly number[]): void {
    this.projection = projection;
    this.risk = risk;
    this.awaiting = new Set(awaiting);
  }

  /** The close's awaiting set (orders the close still waits for), ascending: for checks and checkpoints. */
  awaitingOrders(): number[] {
    return [...this.awaiting].sort((a, b) => a - b);
  }

  /**
   * Start-up's one pass (decision 082): the host's in-process risk state folds
   * every recovered event anyway, so while the sequencer recovers the policy
   * reads that one instead of folding a second copy (decision 006's idea for
   * risk). Call before the sequencer recovers; call endRiskSharing() once it
   * has, before anything new is sequenced: from then on the two diverge (the
   * policy applies an event when it is sequenced, the host when it arrives).
   */
  shareRiskWhileRecovering(shared: RiskState): void {
    this.sharedRisk = shared;
  }

  /** Takes the policy's own copy of the shared risk state (at the recovered position) and stops sharing. */
  endRiskSharing(): void {
    const shared = this.sharedRisk;
    if (shared === undefined) return;
    if (shared.lastSeq !== this.projection.lastSeq) {
      throw new Error(`risk state shared during recovery is at seq ${shared.lastSeq}, the policy at ${this.projection.lastSeq}`);
    }
    this.sharedRisk = undefined;
    this.risk = shared.copy();
  }

  authorize(src: string, role: string, body: CommandBody) {
    if (role === 'host') return undefined;
    const allowed = ROLE_PERMISSIONS[role];
    if (!allowed || !(allowed as readonly string[]).includes(body.type)) {
      return { code: 'FORBIDDEN' as const, message: `${src} (${role}) may not emit ${body.type}` };
    }
    // An order goes to a venue once per entry: a second route (the router routes a restored order on
    // OrderRestored and again on activation) would send the venue a second NewOrderSingle.
    if (body.type === 'OrderRouted') {
      const o = this.projection.order(body.orderId);
      if (o?.stage !== 'accepted') {
        return { code: 'DUPLICATE' as const, message: `order ${body.orderId} is ${o?.stage ?? 'unknown'}, not waiting for a route` };
      }
    }
    return undefined;
  }

  private previous(snapshot: unknown): Snapshot | undefined {
    return snapshot === undefined ? undefined : parseSnapshot(snapshot, 'previous session snapshot');
  }

  orderIdBase(previousSnapshot: unknown): number {
    return this.previous(previousSnapshot)?.nextOrderId ?? 1;
  }

  openingEvents(previousSnapshot: unknown, deferred: readonly CommandBody[] = []): OrdoEvent[] {
    const prev = this.previous(previousSnapshot);
    return [...this.staticEvents, ...(prev ? restoreEvents(prev) : []), ...riskRestoreEvents(prev?.risk), ...deferredCancelEvents(prev, deferred)];
  }

  /** Between sessions a trader's cancel of a carried order is kept for the next open (decision 130). */
  deferWhileClosed(_src: string, role: string, body: CommandBody) {
    return deferCancel(this.projection, role, body);
  }

  /** At SessionClosing: the orders ending with the session that never reached the venue expire at once. */
  closingEvents(): OrdoEvent[] {
    return expiryBeforeVenue(this.projection);
  }

  /**
   * While closing, no new order and no replace is taken (SESSION_CLOSING);
   * cancels are (a trader can cancel whatever the venue still holds), and so
   * is everything the components report.
   */
  closingRefusal(body: CommandBody): { code: SequencerRefusalCode; message: string } | undefined {
    // Routing stops too on an explicit close: what it parks must stay off the venue (decision 075); the order
    // is carried as accepted and routed at the next open. A roll keeps routing (held for the next session).
    const routing = body.type === 'OrderRouted' && this.projection.session.rolling !== true;
    if (body.type === 'OrderPending' || body.type === 'ReplaceRequested' || routing) {
      return { code: 'SESSION_CLOSING', message: `session ${this.projection.session.id} is closing` };
    }
    return undefined;
  }

  /** Ready once every order that ends with the session has ended (the venue confirmed it). */
  readyToClose(): boolean {
    return this.awaiting.size === 0;
  }

  /** Whatever is still unconfirmed expires now (reason SESSION_CLOSE_FORCED). */
  forcedClosingEvents(): OrdoEvent[] {
    return expiryAtClose(this.projection, Reason.SESSION_CLOSE_FORCED);
  }

  snapshot(): { body: Snapshot; carriedOrders: number } {
    const snap: Snapshot = { ...takeSnapshot(this.projection), risk: takeRiskSnapshot(this.sharedRisk ?? this.risk) };
    return { body: snap, carriedOrders: snap.orders.length };
  }

  /** The policy's projection (read-only use: the host's checks). */
  get state(): OmsProjection {
    return this.projection;
  }
}
