import type { SequencerPolicy } from '../sequencer/policy.ts';
import type { CommandBody, EventType, OrderStage, OrdoEvent, Sequenced } from '../protocol/events.ts';
import type { SequencerRefusalCode } from '../../contract/api-errors.ts';
import { OmsProjection } from './projection.ts';
import { RiskState } from './exposure/risk-state.ts';
import { riskRestoreEvents, takeRiskSnapshot } from './exposure/snapshot.ts';
import { referenceEvents, type ReferenceData } from './reference.ts';
import { Reason } from '../protocol/reasons.ts';
import { deferCancel, deferredCancelEvents } from './deferred-cancels.ts';
import { parseSnapshot, restoreEvents, takeSnapshot, type Snapshot } from './snapshot.ts';
import { trackAwaiting, type CloseBook } from './close-book.ts';
import { PolicyOrders } from './policy-orders.ts';

/**
 * Which events each role may ask for; the host may ask for anything. A Map, not an object: the role comes from a
 * component's id, so a role named like an Object member ('constructor') must find nothing (decision 296).
 */
const allow = (...types: EventType[]): ReadonlySet<string> => new Set(types);
export const ROLE_PERMISSIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['proxy', allow('OrderPending', 'CancelRequested', 'ReplaceRequested')],
  ['risk', allow('OrderAccepted', 'OrderRejected', 'MarketOrderCollared', 'ReferencePriceMoved', 'InstrumentExpired')],
  ['router', allow('OrderRouted', 'VenueRejected')],
  ['gateway', allow('OrderParked', 'OrderAcknowledged', 'OrderExecuted', 'OrderCancelled', 'OrderExpired', 'VenueRejected', 'OrderReplaced', 'ReplaceRejected', 'CancelRejected')],
  ['monitor', allow('AlertRaised', 'AlertCleared', 'ComponentActivated')],
]);

/**
 * Expiries for the live orders that end with the session, by orderId
 * ascending: all of them (a forced close), or those at one of `stages`
 * (never sent: the log proves the venue holds nothing).
 */
function expiries(book: CloseBook, reason: number, stages?: readonly OrderStage[]): OrdoEvent[] {
  const out: OrdoEvent[] = [];
  for (const orderId of book.endingWithSession()) {
    if (stages === undefined || stages.includes(book.stage(orderId)!)) out.push({ type: 'OrderExpired', orderId, reason });
  }
  return out;
}

/**
 * The OMS's rules for the sequencer: permissions, session opening and closing.
 *
 * It runs ahead of the stream (it applies each event when it is sequenced),
 * so it keeps its own state rather than reading the view's. Not a whole
 * OmsProjection (decision 169): a slim record of every order (PolicyOrders:
 * stage, carry, pending flags, quantities, execIds) for the rules and the
 * close, and a full projection of the carried orders (gtc, gtd) only, for
 * the close's snapshot, which copies their every field.
 */
export class OmsSequencerPolicy implements SequencerPolicy {
  private book = new PolicyOrders();
  /** The carried orders' full record: every event except those of an order that does not carry. */
  private carried = new OmsProjection();
  /** Risk's state, for its part of the snapshot (positions, runtime limits, halts, …); it never checks duplicates. */
  private risk = new RiskState().withoutDuplicateMemory();
  /**
   * The host's own risk state, which folds the same events (see shareRiskWhileRecovering and shareRisk); while
   * set, `risk` is not folded (issue 15: the second RiskState fold per event was ~3 % of the host thread).
   */
  private sharedRisk: RiskState | undefined;
  /**
   * While sharing for good (shareRisk): the events this policy applied that the shared state may not have folded
   * yet (the host folds an event when the stream delivers it, after it is stored), with their sessions, at
   * [tailHead, tailEnd). Trimmed as the shared state moves past them; in the host it holds about one batch. The
   * arrays are reused (no allocation per event); what lies past tailEnd is stale.
   */
  private readonly tail: Sequenced[] = [];
  private readonly tailSessions: number[] = [];
  private tailHead = 0;
  private tailEnd = 0;
  private sharingForGood = false;
  /** The most events the shared state may lag before the policy takes its own copy back (see shareRisk). */
  private maxBehind = 1 << 20;
  private readonly staticEvents: OrdoEvent[];
  /** While closing: the orders that end with the session and have not ended yet. */
  private awaiting = new Set<number>();

  constructor(reference: ReferenceData) {
    this.staticEvents = referenceEvents(reference);
  }

  reset(): void {
    this.book = new PolicyOrders();
    this.carried = new OmsProjection();
    this.awaiting = new Set();
    this.risk = new RiskState().withoutDuplicateMemory();
    this.clearTail();
  }

  apply(session: number, e: Sequenced): void {
    if (this.book.apply(e)) this.carried.apply(e);
    this.awaiting = trackAwaiting(this.awaiting, this.book, e);
    const shared = this.sharedRisk;
    if (shared === undefined) this.risk.apply(e);
    else if (this.sharingForGood) this.follow(shared, session, e);
  }

  /** Keeps `e` in the tail while the shared state has not folded it; drops what it has folded since. */
  private follow(shared: RiskState, session: number, e: Sequenced): void {
    this.trimTail(shared);
    if (session > shared.session || (session === shared.session && e.seq > shared.lastSeq)) {
      this.tail[this.tailEnd] = e;
      this.tailSessions[this.tailEnd++] = session;
      if (this.tailEnd - this.tailHead > this.maxBehind) this.stopFollowing();
    }
  }

  /** The shared state fell too far behind (its stream held up): a copy of it with the tail folded in becomes the policy's own again. */
  private stopFollowing(): void {
    this.risk = this.riskHere();
    if (this.risk === this.sharedRisk) this.risk = this.risk.copy().withoutDuplicateMemory();
    this.sharedRisk = undefined;
    this.sharingForGood = false;
    this.clearTail();
    this.tail.length = 0;
    this.tailSessions.length = 0;
  }

  private trimTail(shared: RiskState): void {
    const tail = this.tail;
    const sessions = this.tailSessions;
    const end = this.tailEnd;
    let h = this.tailHead;
    const s = shared.session;
    const seq = shared.lastSeq;
    while (h < end && (sessions[h]! < s || (sessions[h] === s && tail[h]!.seq <= seq))) h++;
    if (h === end) this.clearTail();
    else this.tailHead = h;
  }

  private clearTail(): void {
    this.tailHead = 0;
    this.tailEnd = 0;
    // A long tail (the stream was held up) is let go rather than kept as stale references.
    if (this.tail.length > 4096) {
      this.tail.length = 0;
      this.tailSessions.length = 0;
    }
  }

  /** Risk's state where this policy stands: its own, the shared one, or (sharing, the host behind) a copy of it with the tail folded in. */
  private riskHere(): RiskState {
    const shared = this.sharedRisk;
    if (shared === undefined) return this.risk;
    if (!this.sharingForGood) return shared;
    this.trimTail(shared);
    if (this.tailHead === this.tailEnd) return shared;
    const r = shared.copy().withoutDuplicateMemory();
    for (let i = this.tailHead; i < this.tailEnd; i++) r.apply(this.tail[i]!);
    return r;
  }

  /**
   * Start-up from an in-session checkpoint (decision 140): the policy's state
   * at the checkpoint's seq (its own projection, its own risk state, the
   * close's awaiting set), instead of folding the events before it. The
   * sequencer then recovers the tail after it into this state. The slim
   * record is read off `projection`, and the carried orders' record is
   * rebuilt from the live carried orders alone (carriedRecord); `projection`
   * is not kept: at 5 M events it is ~480 MiB of columns, and keeping it for
   * one open gtc order held a resumed host over 1 GiB (decision 294).
   */
  restore(projection: OmsProjection, risk: RiskState, awaiting: readonly number[]): void {
    this.restoreOrders(projection, awaiting);
    this.risk = risk.withoutDuplicateMemory();
  }

  /**
   * Start-up from an in-session checkpoint decoded once (decision 299): as restore, from the host's own copy (the
   * view's projection and risk's state, at the checkpoint's seq, before the tail is folded into them). The policy
   * reads `projection` now and keeps nothing of it, and reads `shared` while the sequencer recovers the tail, as
   * shareRiskWhileRecovering: the host folds each recovered event into it right after the policy applies it.
   * A second decode for the policy alone held a second ~370 MiB copy of the checkpoint at the start-up's peak.
   */
  restoreSharing(projection: OmsProjection, shared: RiskState, awaiting: readonly number[]): void {
    if (shared.lastSeq !== projection.lastSeq || shared.session !== projection.session.id) {
      throw new Error(`risk state to share is at session ${shared.session} seq ${shared.lastSeq}, the checkpoint at session ${projection.session.id} seq ${projection.lastSeq}`);
    }
    this.restoreOrders(projection, awaiting);
    this.risk = new RiskState().withoutDuplicateMemory();
    this.sharedRisk = shared;
    this.sharingForGood = false;
  }

  private restoreOrders(projection: OmsProjection, awaiting: readonly number[]): void {
    this.book = PolicyOrders.fromProjection(projection);
    const live = this.book.liveCarriedOrderIds();
    this.carried = live.length > 0 ? carriedRecord(projection, live, this.staticEvents) : new OmsProjection();
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

  /**
   * From now on the policy reads `shared` and folds no risk state of its own (issue 15: one RiskState fold per
   * event in the host, not two). `shared` must stand where the policy stands (every event applied so far, as
   * after start-up's recovery) and must go on folding every event this policy applies, in order, at most a
   * stream's delay later: the host's risk state, fed by its in-process stream. The events it has not folded yet
   * are kept here, so the close's snapshot is taken at the policy's position (a copy of the shared state with
   * them folded in), never behind it. Should the shared state fall more than `maxBehind` events behind (its
   * stream held up), the policy takes such a copy as its own and folds it itself from then on: the tail never
   * holds more than that.
   */
  shareRisk(shared: RiskState, maxBehind = 1 << 20): void {
    this.maxBehind = maxBehind;
    if (shared.lastSeq !== this.book.lastSeq) {
      throw new Error(`risk state to share is at seq ${shared.lastSeq}, the policy at ${this.book.lastSeq}`);
    }
    this.sharedRisk = shared;
    this.sharingForGood = true;
    this.clearTail();
    this.risk = new RiskState().withoutDuplicateMemory();
  }

  /** Takes the policy's own copy of the shared risk state (at the recovered position) and stops sharing. */
  endRiskSharing(): void {
    this.sharingForGood = false;
    this.clearTail();
    const shared = this.sharedRisk;
    if (shared === undefined) return;
    if (shared.lastSeq !== this.book.lastSeq) {
      throw new Error(`risk state shared during recovery is at seq ${shared.lastSeq}, the policy at ${this.book.lastSeq}`);
    }
    this.sharedRisk = undefined;
    this.risk = shared.copy().withoutDuplicateMemory();
  }

  authorize(src: string, role: string, body: CommandBody) {
    if (role === 'host') return undefined;
    if (ROLE_PERMISSIONS.get(role)?.has(body.type) !== true) {
      return { code: 'FORBIDDEN' as const, message: `${src} (${role}) may not emit ${body.type}` };
    }
    // An order goes to a venue once per entry: a second route (the router routes a restored order on
    // OrderRestored and again on activation) would send the venue a second NewOrderSingle.
    if (body.type === 'OrderRouted') {
      const stage = this.book.stage(body.orderId);
      if (stage !== 'accepted') {
        return { code: 'DUPLICATE' as const, message: `order ${body.orderId} is ${stage ?? 'unknown'}, not waiting for a route` };
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
    return deferCancel(this.book, role, body);
  }

  /** At SessionClosing: the orders ending with the session that never reached the venue expire at once. */
  closingEvents(): OrdoEvent[] {
    return expiries(this.book, Reason.DAY_ORDER_SESSION_END, ['pending', 'accepted']);
  }

  /**
   * While closing, no new order and no replace is taken (SESSION_CLOSING);
   * cancels are (a trader can cancel whatever the venue still holds), and so
   * is everything the components report.
   */
  closingRefusal(body: CommandBody): { code: SequencerRefusalCode; message: string } | undefined {
    // Routing stops too on an explicit close: what it parks must stay off the venue (decision 075); the order
    // is carried as accepted and routed at the next open. A roll keeps routing (held for the next session).
    const routing = body.type === 'OrderRouted' && !this.book.rolling;
    if (body.type === 'OrderPending' || body.type === 'ReplaceRequested' || routing) {
      return { code: 'SESSION_CLOSING', message: `session ${this.book.sessionId} is closing` };
    }
    return undefined;
  }

  /** Ready once every order that ends with the session has ended (the venue confirmed it). */
  readyToClose(): boolean {
    return this.awaiting.size === 0;
  }

  /** Whatever is still unconfirmed expires now (reason SESSION_CLOSE_FORCED). */
  forcedClosingEvents(): OrdoEvent[] {
    return expiries(this.book, Reason.SESSION_CLOSE_FORCED);
  }

  snapshot(): { body: Snapshot; carriedOrders: number } {
    // The carried orders from their full record; the session's position from the slim one, which saw every event.
    const carried = takeSnapshot(this.carried);
    const b = this.book;
    const snap: Snapshot = { ...carried, sessionId: b.sessionId, lastSeq: b.lastSeq, nextOrderId: b.nextOrderId, risk: takeRiskSnapshot(this.riskHere()) };
    return { body: snap, carriedOrders: snap.orders.length };
  }

  /** The policy's record of the session's orders (read-only use: checks, figures). */
  get orders(): PolicyOrders {
    return this.book;
  }
}

/**
 * The carried orders' record of a policy restored from `projection` (a checkpoint's): the reference and one
 * OrderRestored per live gtc/gtd order, as the next session would restore them from the close's snapshot. The
 * snapshot reads nothing else of the record, and the events after the checkpoint apply to these orders as they
 * would have to the whole projection (test/engine/policy-orders.test.ts holds the snapshot equal to one that
 * folded every event, over random flows).
 */
function carriedRecord(projection: OmsProjection, live: readonly number[], staticEvents: readonly OrdoEvent[]): OmsProjection {
  const record = new OmsProjection();
  let seq = 0;
  const ts = projection.lastTs;
  // Only the live carried orders the slim book names are looked at, not every order (1.18 M at 5 M events).
  for (const event of [...staticEvents, ...restoreEvents(takeSnapshot(projection, live))]) record.apply({ seq: ++seq, ts, src: 'sequencer', cseq: 0, event });
  return record;
}
