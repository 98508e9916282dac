import type { OrderState } from '../../contract/domain.ts';
import type { OrderStage } from '../protocol/events.ts';
import { Reason } from '../protocol/reasons.ts';

/**
 * The order model users, the API and FIX see (FIX 4.4 OrdStatus), derived
 * from where the order stands in the OMS pipeline (its stage) and whether a
 * cancel or replace is in flight. See docs/decisions/070-order-lifecycle.md.
 *
 * | stage                          | no request in flight | cancel in flight | replace in flight |
 * | pending / accepted / routed    | pending_new          | (never: see 070) | (never: see 070)  |
 * | new                            | new                  | pending_cancel   | pending_replace   |
 * | partially_filled               | partially_filled     | pending_cancel   | pending_replace   |
 * | filled/cancelled/rejected/expired | the same name     |                  |                   |
 *
 * A routed order (sent, not yet acknowledged) with a cancel or replace in
 * flight shows pending_cancel / pending_replace like an acknowledged one.
 */

/** True for the stages after which the venue can hold nothing of the order. */
export function isTerminalStage(stage: OrderStage): boolean {
  return stage === 'filled' || stage === 'cancelled' || stage === 'rejected' || stage === 'expired';
}

/** True while the order may be at the venue or on its way there (routed, new, partially filled). */
export function mayBeAtVenue(stage: OrderStage): boolean {
  return stage === 'routed' || stage === 'new' || stage === 'partially_filled';
}

/** The FIX-faithful state of an order at `stage` with a cancel / replace (or neither) in flight. */
export function orderStateOf(stage: OrderStage, cancelPending: boolean, replacePending: boolean): OrderState {
  switch (stage) {
    case 'pending':
    case 'accepted':
      return 'pending_new';
    case 'routed':
    case 'new':
    case 'partially_filled':
      if (cancelPending) return 'pending_cancel';
      if (replacePending) return 'pending_replace';
      return stage === 'routed' ? 'pending_new' : stage;
    case 'filled':
    case 'cancelled':
    case 'rejected':
    case 'expired':
      return stage;
  }
}

/** FIX 4.4 OrdStatus (tag 39) of each order state. */
export const FIX_ORD_STATUS: Readonly<Record<OrderState, string>> = {
  pending_new: 'A',
  new: '0',
  partially_filled: '1',
  filled: '2',
  pending_cancel: '6',
  pending_replace: 'E',
  cancelled: '4',
  rejected: '8',
  expired: 'C',
};

/**
 * FIX 4.4 CxlRejReason (tag 102) for the reason of a CancelRejected /
 * ReplaceRejected (or a refused cancel/replace request): 0 too late to
 * cancel, 1 unknown order, 3 already pending cancel or replace, 99 other.
 */
export function fixCxlRejReason(reason: number): number {
  switch (reason) {
    case Reason.TOO_LATE:
    case Reason.ORDER_TERMINAL:
      return 0;
    case Reason.UNKNOWN_ORDER:
      return 1;
    case Reason.REQUEST_PENDING:
    case Reason.REPLACE_PENDING:
      return 3;
    default:
      return 99;
  }
}

/**
 * FIX 4.4 OrdRejReason (tag 103) for the reason of an OrderRejected /
 * VenueRejected: 1 unknown symbol, 2 exchange closed, 3 order exceeds limit,
 * 6 duplicate order, 11 unsupported order characteristic, 13 incorrect
 * quantity, 99 other.
 */
export function fixOrdRejReason(reason: number): number {
  switch (reason) {
    case Reason.UNKNOWN_INSTRUMENT:
      return 1;
    case Reason.SESSION_NOT_OPEN:
    case Reason.SESSION_CLOSING:
      return 2;
    case Reason.ORDER_NOTIONAL_LIMIT:
    case Reason.OPEN_NOTIONAL_LIMIT:
    case Reason.PRICE_OUT_OF_BAND:
      return 3;
    case Reason.DUPLICATE_CLIENT_ORDER_ID:
      return 6;
    case Reason.BAD_EXPIRY:
      return 11;
    case Reason.BAD_QUANTITY:
      return 13;
    default:
      return 99;
  }
}
