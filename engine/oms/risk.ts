import type { EventOf } from '../protocol/events.ts';
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
import { isTerminal, NOTIONAL_SCALE, type OmsProjection } from './projection.ts';

/** The fields of an OrderPending event (the event itself may be passed). */
export type OrderRequest = Omit<EventOf<'OrderPending'>, 'type'>;

/**
 * Pre-trade risk check of a pending order against static data and client
 * limits, in this order (the first failure wins):
 * UNKNOWN_CLIENT, UNKNOWN_INSTRUMENT, INSTRUMENT_NOT_ALLOWED,
 * DUPLICATE_CLIENT_ORDER_ID, BAD_QUANTITY (positive multiple of the lot),
 * BAD_PRICE / PRICE_OFF_TICK / PRICE_OUT_OF_BAND (limit orders; a market order
 * needs a reference price), ORDER_NOTIONAL_LIMIT, OPEN_NOTIONAL_LIMIT.
 *
 * Notional is quantity × limit price, or × reference price for market orders.
 * Open notional is gross (buys and sells add up) over the client's
 * non-terminal orders, pending ones included.
 *
 * Works whether or not `p` has already applied this OrderPending: the order's
 * own clientOrderId entry and open notional are not counted against it.
 *
 * @returns null to accept, or the refusal for OrderRejected{reason, text}.
 */
export function checkOrder(order: OrderRequest, p: OmsProjection, config: RiskConfig = DEFAULT_RISK_CONFIG): Refusal | null {
  const client = p.client(order.clientId);
  const limits = client?.info;
  if (client === undefined || limits === undefined) {
    return refuse(Reason.UNKNOWN_CLIENT, `unknown client "${order.clientId}"`);
  }
  const inst = p.instrument(order.symbol);
  if (inst === undefined) return refuse(Reason.UNKNOWN_INSTRUMENT, `unknown instrument "${order.symbol}"`);
  if (!client.allows(order.symbol)) {
    return refuse(Reason.INSTRUMENT_NOT_ALLOWED, `client ${order.clientId} may not trade ${order.symbol}`);
  }
  const firstId = p.orderIdForClientOrderId(order.clientId, order.clientOrderId);
  if (firstId !== undefined && firstId !== order.orderId) {
    return refuse(
      Reason.DUPLICATE_CLIENT_ORDER_ID,
      `clientOrderId "${order.clientOrderId}" already used by order ${firstId}`,
    );
  }
  const q = checkQuantity(order.quantity, inst.lotSize);
  if (q !== null) return q;

  let price: number;
  if (order.orderType === 'limit') {
    const bad = checkLimitPrice(order.price, inst, config);
    if (bad !== null) return bad;
    price = order.price;
  } else {
    if (!(inst.referencePrice > 0)) {
      return refuse(Reason.BAD_PRICE, `market order on ${order.symbol} needs a reference price`);
    }
    price = inst.referencePrice;
  }

  const notional = order.quantity * price;
  if (notional > limits.maxOrderNotional) {
    return refuse(
      Reason.ORDER_NOTIONAL_LIMIT,
      `order notional ${money(notional)} exceeds client ${order.clientId} limit ${money(limits.maxOrderNotional)}`,
    );
  }

  const own = p.order(order.orderId);
  const ownUnits =
    own !== undefined && own.clientId === order.clientId && !isTerminal(own.state)
      ? Math.round(own.leavesQuantity * own.valuationPrice * NOTIONAL_SCALE)
      : 0;
  const openUnits = Math.round(client.openNotional * NOTIONAL_SCALE) - ownUnits;
  const addUnits = Math.round(notional * NOTIONAL_SCALE);
  if (openUnits + addUnits > Math.round(limits.maxOpenNotional * NOTIONAL_SCALE)) {
    return refuse(
      Reason.OPEN_NOTIONAL_LIMIT,
      `open notional ${money(openUnits / NOTIONAL_SCALE)} + ${money(notional)} exceeds client ${order.clientId} limit ${money(limits.maxOpenNotional)}`,
    );
  }
  return null;
}
