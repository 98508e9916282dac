import { z } from 'zod';
import { ORDER_TYPES, SIDES, TIME_IN_FORCE } from '../../contract/domain.ts';
import { ORDER_STAGES, type EventOf, type OrderStage, type OrdoEvent } from '../protocol/events.ts';
import { Reason } from '../protocol/reasons.ts';
import { isTerminalStage } from './order-state.ts';
import type { OmsProjection } from './projection.ts';
import { describeIssue, ValidationError } from './validation.ts';
import { riskSnapshotSchema, type RiskSnapshot } from './exposure/snapshot.ts';

/**
 * End-of-session snapshot: the open orders that carry into the next session.
 *
 * Closing a session (the sequencer's job, with OmsSequencerPolicy; see
 * docs/decisions/073-sessions-and-the-venue.md):
 * 1. SessionClosing, then `expiryBeforeVenue(p)`: the orders that end with
 *    the session (day, ioc, fok) and never left the OMS expire at once.
 * 2. The gateway asks the venue to expire the ones it may hold; the venue's
 *    reports come back as OrderExpired (or fills, cancels) while closing.
 * 3. Once none is left (or on CloseSession{force}: `expiryAtClose(p,
 *    SESSION_CLOSE_FORCED)`), `takeSnapshot(p)` keeps the live gtc and gtd
 *    orders; SessionClosed{carriedOrders}.
 * Opening the next: SessionOpened{orderIdBase: snapshot.nextOrderId}, static
 * data, `restoreEvents(snapshot)`, SessionReady{restoredOrders}.
 */

/** One carried order: exactly the fields of OrderRestored. */
export type SnapshotOrder = Omit<EventOf<'OrderRestored'>, 'type'>;

/** JSON-serialisable. */
export interface Snapshot {
  /** Format version of this object. */
  version: 1;
  sessionId: number;
  /** Seq the snapshot was taken at (inclusive). */
  lastSeq: number;
  /** The next session's SessionOpened.orderIdBase. */
  nextOrderId: number;
  /** Live gtc orders, by orderId ascending. */
  orders: SnapshotOrder[];
  /** Risk's carried state: positions, runtime limits, restricted list, halts, marks (absent in older snapshots). */
  risk?: RiskSnapshot;
}

/**
 * The snapshot of `p` as it stands: every non-terminal gtc order with its
 * state, fills so far and venue. Day and ioc orders never carry (they are
 * expired at close by `expiryAtClose`), so any still live are left out.
 * With `among`, only those orders are looked at (a caller that knows which
 * orders may carry: the sequencer policy's restore, decision 299); the same
 * snapshot whenever `among` holds every live carried order.
 */
export function takeSnapshot(p: OmsProjection, among?: readonly number[]): Snapshot {
  const orders: SnapshotOrder[] = [];
  const candidates = among === undefined ? p.orders() : among.map((id) => p.order(id)).filter((o) => o !== undefined);
  for (const o of candidates) {
    if (isTerminalStage(o.stage) || !carriesOver(o.timeInForce)) continue;
    const s: SnapshotOrder = {
      orderId: o.orderId,
      clientId: o.clientId,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      orderType: o.orderType,
      timeInForce: o.timeInForce,
      quantity: o.quantity,
      price: o.price,
      state: o.stage,
      filledQuantity: o.filledQuantity,
      avgPrice: o.avgPrice,
    };
    if (o.venue !== undefined) s.venue = o.venue;
    if (o.expireAt > 0) s.expireAt = o.expireAt;
    s.enteredTs = o.enteredTs;
    carryStory(p, o.orderId, s);
    orders.push(s);
  }
  orders.sort((a, b) => a.orderId - b.orderId);
  return { version: 1, sessionId: p.session.id, lastSeq: p.lastSeq, nextOrderId: p.nextOrderId, orders };
}

/**
 * What of the order's story crosses the boundary besides its terms and fills
 * (decision 075): the OrigClOrdID chain and entered terms (so idempotent
 * entry still answers the original orderId in the next session), risk's
 * flags, and a cancel or replace sent to the venue and not yet answered (its
 * answer applies in the next session to the pending request).
 */
function carryStory(p: OmsProjection, orderId: number, s: SnapshotOrder): void {
  const o = p.order(orderId)!;
  const chain = o.origClientOrderIds;
  if (chain.length > 0) s.origClientOrderIds = [...chain];
  const entered = p.originalTerms(orderId);
  if (entered !== undefined) {
    if (entered.quantity !== o.quantity || entered.price !== o.price) {
      s.enteredQuantity = entered.quantity;
      s.enteredPrice = entered.price;
    }
    if (entered.locate === true) s.locate = true;
    if (entered.intentional === true) s.intentional = true;
  }
  if (o.cancelPending) s.cancelPending = true;
  const pending = p.pendingReplace(orderId);
  if (pending !== undefined) {
    s.replacePendingClientOrderId = pending.clientOrderId;
    s.replacePendingQuantity = pending.quantity;
    s.replacePendingPrice = pending.price;
  }
}

/** OrderRestored events that recreate the snapshot's orders, by orderId ascending. */
export function restoreEvents(snapshot: Snapshot): OrdoEvent[] {
  return snapshot.orders.map((o): OrdoEvent => ({ type: 'OrderRestored', ...o }));
}

/**
 * OrderExpired{reason} for every non-terminal order that ends with the
 * session (day, ioc, fok; a remainder the venue never answered included), by
 * orderId ascending. Apply them before `takeSnapshot`. The sequencer uses it
 * only for a forced close: normally the venue confirms each expiry.
 */
export function expiryAtClose(p: OmsProjection, reason: number = Reason.DAY_ORDER_SESSION_END): OrdoEvent[] {
  return expiries(p, reason, () => true);
}

/**
 * OrderExpired{DAY_ORDER_SESSION_END} for the orders that end with the
 * session and never reached the venue (pending or accepted: the log proves
 * it), by orderId ascending.
 */
export function expiryBeforeVenue(p: OmsProjection): OrdoEvent[] {
  return expiries(p, Reason.DAY_ORDER_SESSION_END, (stage) => stage === 'pending' || stage === 'accepted');
}

/** Ids of the live orders that end with the session (day, ioc, fok), ascending. */
export function endingWithSession(p: OmsProjection): number[] {
  const ids: number[] = [];
  for (const o of p.orders()) if (!isTerminalStage(o.stage) && !carriesOver(o.timeInForce)) ids.push(o.orderId);
  return ids.sort((a, b) => a - b);
}

function expiries(p: OmsProjection, reason: number, which: (stage: OrderStage) => boolean): OrdoEvent[] {
  const out: OrdoEvent[] = [];
  for (const orderId of endingWithSession(p)) {
    if (which(p.order(orderId)!.stage)) out.push({ type: 'OrderExpired', orderId, reason });
  }
  return out;
}

const uint = z.number().int('must be a whole number').min(0, 'must be >= 0');
const price = z.number().min(0, 'must be >= 0');

const snapshotSchema = z.strictObject({
  version: z.literal(1, { error: 'must be 1 (a newer snapshot format than this build reads?)' }),
  sessionId: uint,
  lastSeq: uint,
  nextOrderId: uint,
  orders: z.array(
    z.strictObject({
      orderId: uint,
      clientId: z.string(),
      clientOrderId: z.string(),
      symbol: z.string(),
      side: z.enum(SIDES),
      orderType: z.enum(ORDER_TYPES),
      timeInForce: z.enum(TIME_IN_FORCE),
      quantity: uint,
      price,
      state: z.enum(ORDER_STAGES),
      filledQuantity: uint,
      avgPrice: price,
      venue: z.string().optional(),
      expireAt: uint.optional(),
      origClientOrderIds: z.array(z.string()).optional(),
      enteredQuantity: uint.optional(),
      enteredPrice: price.optional(),
      locate: z.boolean().optional(),
      intentional: z.boolean().optional(),
      cancelPending: z.boolean().optional(),
      replacePendingClientOrderId: z.string().optional(),
      replacePendingQuantity: uint.optional(),
      replacePendingPrice: price.optional(),
      enteredTs: uint.optional(),
    }),
  ),
  risk: riskSnapshotSchema.optional(),
});

/**
 * Validates a snapshot read back from storage. Throws a ValidationError
 * naming `sourceName` and the field path, e.g. `snapshot 3: orders[2].quantity: is required`.
 */
export function parseSnapshot(json: unknown, sourceName: string): Snapshot {
  const r = snapshotSchema.safeParse(json);
  if (!r.success) throw new ValidationError(describeIssue(r.error, json, sourceName));
  const orders = r.data.orders.map((o) => {
    const s: SnapshotOrder = { ...o };
    for (const k of Object.keys(s) as (keyof SnapshotOrder)[]) if (s[k] === undefined) delete s[k];
    return s;
  });
  const { risk, ...rest } = r.data;
  return risk === undefined ? { ...rest, orders } : { ...rest, orders, risk: risk as RiskSnapshot };
}

/** gtc and gtd orders carry into the next session; day, ioc and fok orders end with theirs. */
export function carriesOver(tif: string): boolean {
  return tif === 'gtc' || tif === 'gtd';
}
