import type { OrderStage } from '../protocol/events.ts';
import { Reason } from '../protocol/reasons.ts';
import { isTerminalStage } from './order-state.ts';

/**
 * The order lifecycle rules the projection applies at each event's seq, as
 * pure functions of the order's stage and in-flight request (so the rules
 * read as a table and are tested on their own). Deterministic: every replica
 * decides the same at the same seq. See docs/decisions/070-order-lifecycle.md.
 */

/** What the projection does with a CancelRequested or ReplaceRequested at its seq. */
export type RequestDecision =
  /** Refused: the order does not change; the requester is told why. */
  | { readonly kind: 'refuse'; readonly reason: number; readonly text: string }
  /** The log proves the order never reached the venue: it takes effect at once. */
  | { readonly kind: 'now' }
  /** The order may be at the venue: it is pending until the venue answers. */
  | { readonly kind: 'venue' };

/** The order as the rules need to see it. */
export interface RuleOrder {
  readonly orderId: number;
  readonly stage: OrderStage;
  readonly cancelPending: boolean;
  readonly replacePending: boolean;
  readonly filledQuantity: number;
  readonly limit: boolean;
}

/** Before routing the order is in the OMS only (pending: at risk; accepted: at the router). */
function neverSent(stage: OrderStage): boolean {
  return stage === 'pending' || stage === 'accepted';
}

function inFlight(o: RuleOrder): RequestDecision | undefined {
  if (isTerminalStage(o.stage)) return { kind: 'refuse', reason: Reason.ORDER_TERMINAL, text: `order ${o.orderId} is already ${o.stage}` };
  if (o.cancelPending) return { kind: 'refuse', reason: Reason.REQUEST_PENDING, text: `order ${o.orderId} already has a cancel in flight` };
  if (o.replacePending) return { kind: 'refuse', reason: Reason.REQUEST_PENDING, text: `order ${o.orderId} already has a replace in flight` };
  return undefined;
}

/** A cancel request at its seq: refused, at once, or sent to the venue. */
export function decideCancel(o: RuleOrder | undefined, orderId: number): RequestDecision {
  if (o === undefined) return { kind: 'refuse', reason: Reason.UNKNOWN_ORDER, text: `unknown order ${orderId}` };
  return inFlight(o) ?? (neverSent(o.stage) ? { kind: 'now' } : { kind: 'venue' });
}

/**
 * A replace request (new total quantity and limit price) at its seq. Besides
 * the cancel rules: the quantity must be a whole number > 0 and not below
 * what already filled (equal completes the order), and a limit order's price
 * must be > 0. (The client proxy checked lot, tick, band and limits before
 * sequencing; these are the rules the log itself enforces.)
 */
export function decideReplace(o: RuleOrder | undefined, orderId: number, quantity: number, price: number): RequestDecision {
  if (o === undefined) return { kind: 'refuse', reason: Reason.UNKNOWN_ORDER, text: `unknown order ${orderId}` };
  const busy = inFlight(o);
  if (busy) return busy;
  if (!Number.isSafeInteger(quantity) || quantity <= 0) {
    return { kind: 'refuse', reason: Reason.BAD_QUANTITY, text: `quantity ${quantity} must be a whole number > 0` };
  }
  if (quantity < o.filledQuantity) {
    return { kind: 'refuse', reason: Reason.REPLACE_BELOW_FILLED, text: `quantity ${quantity} is below filled quantity ${o.filledQuantity}` };
  }
  if (o.limit && !(price > 0)) return { kind: 'refuse', reason: Reason.BAD_PRICE, text: `price ${price} must be > 0` };
  return neverSent(o.stage) ? { kind: 'now' } : { kind: 'venue' };
}

/** Stages an execution applies in: wherever the venue may hold the order. */
export function takesExecution(stage: OrderStage): boolean {
  return stage === 'routed' || stage === 'new' || stage === 'partially_filled';
}

/** Stages a venue acknowledgement moves to `new` (only a routed order; a fill may have come first). */
export function takesAcknowledgement(stage: OrderStage): boolean {
  return stage === 'routed';
}

/** Stages a venue reject ends: the router's (accepted) and the venue's (routed, before its ack). */
export function takesVenueReject(stage: OrderStage): boolean {
  return stage === 'accepted' || stage === 'routed' || stage === 'new';
}
