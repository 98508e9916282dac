import { Reason } from '../protocol/reasons.ts';
import {
  checkLimitPrice,
  checkQuantity,
  DEFAULT_RISK_CONFIG,
  money,
  refuse,
  type Refusal,
  type RiskConfig,
} from './checks.ts';
import { isTerminal, NOTIONAL_SCALE, type OmsProjection, type ReadonlyOrder } from './projection.ts';

/**
 * Rules the client proxy applies to traders' requests before it asks the
 * sequencer for CancelRequested / ReplaceRequested / OrderPending. Pure
 * functions of the projection.
 */

/** New orders, cancels and replaces are taken only while the session is open. */
export function checkSessionOpen(p: OmsProjection): Refusal | null {
  const s = p.session;
  switch (s.state) {
    case 'open':
      return null;
    case 'closing':
      return refuse(Reason.SESSION_CLOSING, `session ${s.id} is closing`);
    case 'none':
      return refuse(Reason.SESSION_NOT_OPEN, 'no session is open');
    case 'opening':
    case 'closed':
      return refuse(Reason.SESSION_NOT_OPEN, `session ${s.id} is ${s.state}`);
  }
}

/**
 * Whether the session is ending as part of a roll (closing, or closed with
 * the next already opened in the same transaction, which this projection has
 * not applied yet): what a trader sends now is taken by the next session
 * (decision 074).
 */
export function rollingThrough(p: OmsProjection): boolean {
  const s = p.session;
  return s.rolling === true && (s.state === 'closing' || s.state === 'closed');
}

/**
 * New orders and replaces are taken while the session is open, and while it
 * rolls: the sequencer holds them for the next session, or they reach it
 * directly once it is open.
 */
export function checkSessionTakesOrders(p: OmsProjection): Refusal | null {
  return rollingThrough(p) ? null : checkSessionOpen(p);
}

/**
 * Cancels are taken while the session is open and while it is closing (the
 * venue may still hold the order until the session has closed).
 */
export function checkSessionTakesCancels(p: OmsProjection): Refusal | null {
  return p.session.state === 'closing' || rollingThrough(p) ? null : checkSessionOpen(p);
}

/**
 * Between an explicit close and the next open: nothing is at the venue (an
 * explicit close parks every carried order, decision 075), and a trader's
 * cancel of a carried order is stored and applied when the next session opens
 * (decision 130).
 */
export function betweenSessions(p: OmsProjection): boolean {
  const s = p.session;
  return s.state === 'closed' && s.rolling !== true && s.id > 0;
}

/** A replace between sessions: refused (SESSION_NOT_OPEN), one line saying what is taken instead. */
export function checkReplaceBetweenSessions(p: OmsProjection): Refusal | null {
  if (!betweenSessions(p)) return null;
  return refuse(
    Reason.SESSION_NOT_OPEN,
    `session ${p.session.id} is closed: a replace is taken once the next session opens (a cancel is taken now and applied at the open)`,
  );
}

function live(orderId: number, p: OmsProjection): Refusal | ReadonlyOrder {
  const o = p.order(orderId);
  if (o === undefined) return refuse(Reason.UNKNOWN_ORDER, `unknown order ${orderId}`);
  if (isTerminal(o.state)) return refuse(Reason.ORDER_TERMINAL, `order ${orderId} is already ${o.state}`);
  return o;
}

/**
 * A cancel is refused for an unknown order (UNKNOWN_ORDER), one already
 * terminal (ORDER_TERMINAL), or one with a cancel or replace in flight (REQUEST_PENDING).
 */
export function checkCancel(orderId: number, p: OmsProjection): Refusal | null {
  const o = live(orderId, p);
  return 'reason' in o ? o : inFlight(o);
}

/**
 * One cancel or replace in flight per order (REQUEST_PENDING). Checked here
 * before sequencing to answer at once, and decided again by the projection at
 * the request's seq, which is what counts when two requests race.
 */
function inFlight(o: ReadonlyOrder): Refusal | null {
  if (o.cancelPending) return refuse(Reason.REQUEST_PENDING, `order ${o.orderId} already has a cancel in flight`);
  if (o.replacePending) return refuse(Reason.REQUEST_PENDING, `order ${o.orderId} already has a replace in flight`);
  return null;
}

/**
 * A replace (new total quantity and limit price) is refused for: an unknown
 * order (UNKNOWN_ORDER), a terminal one (ORDER_TERMINAL), one with a cancel
 * or replace in flight (REQUEST_PENDING), a quantity that is not a whole number > 0
 * or not a multiple of the lot (BAD_QUANTITY), a quantity below the filled
 * quantity (REPLACE_BELOW_FILLED; equal is allowed and completes the order),
 * a limit price that is bad, off the tick or out of band, and a change that
 * takes the order or the client's open notional over its limit (only checked
 * when the open notional grows). For market orders `price` is ignored.
 */
export function checkReplace(
  orderId: number,
  quantity: number,
  price: number,
  p: OmsProjection,
  config: RiskConfig = DEFAULT_RISK_CONFIG,
): Refusal | null {
  const o = live(orderId, p);
  if ('reason' in o) return o;
  const busy = inFlight(o);
  if (busy) return busy;
  const inst = p.instrument(o.symbol);
  const bad = checkQuantity(quantity, 1);
  if (bad !== null) return bad;
  if (quantity < o.filledQuantity) {
    return refuse(Reason.REPLACE_BELOW_FILLED, `quantity ${quantity} is below filled quantity ${o.filledQuantity}`);
  }
  if (inst === undefined) return refuse(Reason.UNKNOWN_INSTRUMENT, `unknown instrument "${o.symbol}"`);
  const lot = checkQuantity(quantity, inst.lotSize);
  if (lot !== null) return lot;

  let value = o.valuationPrice;
  if (o.orderType === 'limit') {
    const badPrice = checkLimitPrice(price, inst, config);
    if (badPrice !== null) return badPrice;
    value = price;
  }

  const limits = p.client(o.clientId)?.info;
  if (limits === undefined) return null;
  const notional = quantity * value;
  if (notional > limits.maxOrderNotional) {
    return refuse(
      Reason.ORDER_NOTIONAL_LIMIT,
      `order notional ${money(notional)} exceeds client ${o.clientId} limit ${money(limits.maxOrderNotional)}`,
    );
  }
  const before = Math.round(o.leavesQuantity * o.valuationPrice * NOTIONAL_SCALE);
  const after = Math.round((quantity - o.filledQuantity) * value * NOTIONAL_SCALE);
  if (after > before) {
    const open = Math.round(p.openNotional(o.clientId) * NOTIONAL_SCALE);
    if (open - before + after > Math.round(limits.maxOpenNotional * NOTIONAL_SCALE)) {
      return refuse(
        Reason.OPEN_NOTIONAL_LIMIT,
        `open notional would be ${money((open - before + after) / NOTIONAL_SCALE)}, over client ${o.clientId} limit ${money(limits.maxOpenNotional)}`,
      );
    }
  }
  return null;
}
