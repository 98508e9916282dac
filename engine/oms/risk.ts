import type { EventOf } from '../protocol/events.ts';
import { Reason } from '../protocol/reasons.ts';
import {
  checkLimitPrice,
  checkQuantity,
  decimals,
  DEFAULT_RISK_CONFIG,
  money,
  refuse,
  TICK_TOLERANCE,
  type Refusal,
  type RiskConfig,
} from './checks.ts';
import { duplicateKey, type RiskState } from './exposure/risk-state.ts';
import type { OmsProjection } from './projection.ts';

/** The fields of an OrderPending event (the event itself may be passed). */
export type OrderRequest = Omit<EventOf<'OrderPending'>, 'type'>;

/** Risk's answer: accept (refusal null, with a market order's protection price) or refuse. */
export interface RiskDecision {
  readonly refusal: Refusal | null;
  /** For an accepted market order: the price the venue must not trade through. */
  readonly protectionPrice?: number;
}

const DEFAULT_COLLARS = { equity: 0.05, option: 0.25 } as const;

/**
 * A market order's protection price: the mark ± the collar, rounded inward
 * to the tick (a buy never above mark × (1 + band), a sell never below
 * mark × (1 − band)), at least one tick.
 */
export function protectionPrice(side: 'buy' | 'sell', mark: number, band: number, tick: number): number {
  const ticks = side === 'buy' ? Math.floor((mark * (1 + band)) / tick + TICK_TOLERANCE) : Math.ceil((mark * (1 - band)) / tick - TICK_TOLERANCE);
  return Number((Math.max(1, ticks) * tick).toFixed(decimals(tick)));
}

/**
 * Pre-trade risk check of a pending order (SEC Rule 15c3-5's checks), in
 * this order, the first failure winning:
 * UNKNOWN_CLIENT, FIRM_HALTED / CLIENT_HALTED, UNKNOWN_INSTRUMENT,
 * INSTRUMENT_NOT_ALLOWED, RESTRICTED_INSTRUMENT, INSTRUMENT_EXPIRED,
 * DUPLICATE_CLIENT_ORDER_ID, BAD_QUANTITY, ORDER_QUANTITY_LIMIT,
 * BAD_PRICE / PRICE_OFF_TICK / PRICE_OUT_OF_BAND (limit orders, against the
 * moving mark; a market order needs a mark and gets a protection price),
 * ORDER_NOTIONAL_LIMIT, OPEN_NOTIONAL_LIMIT (credit: open + executed
 * notional of the session), SHORT_SALE_NO_LOCATE (equities), NET_POSITION_LIMIT,
 * GROSS_POSITION_LIMIT, DUPLICATE_ORDER.
 *
 * Notional is quantity × price × contract multiplier, the price being the
 * limit or a market order's protection price. Works whether or not `p` and
 * `rs` have already applied this OrderPending: the order's own share is not
 * counted against it. `tsUs` is the order's sequencer time (expiry, duplicates).
 */
export function decideOrder(order: OrderRequest, p: OmsProjection, rs: RiskState, config: RiskConfig = DEFAULT_RISK_CONFIG, tsUs: number = rs.lastTs): RiskDecision {
  const client = p.client(order.clientId);
  const exposure = rs.client(order.clientId);
  if (client === undefined || client.info === undefined || exposure === undefined) {
    return no(refuse(Reason.UNKNOWN_CLIENT, `unknown client "${order.clientId}"`));
  }
  const firm = rs.firmHalt;
  if (firm !== undefined) return no(refuse(Reason.FIRM_HALTED, `trading is halted firm-wide (by ${firm.by}${firm.text ? `: ${firm.text}` : ''})`));
  const halt = exposure.halt;
  if (halt !== undefined) return no(refuse(Reason.CLIENT_HALTED, `client ${order.clientId} is halted (by ${halt.by}${halt.text ? `: ${halt.text}` : ''})`));

  const inst = p.instrument(order.symbol);
  const rinst = rs.instrument(order.symbol);
  if (inst === undefined || rinst === undefined) return no(refuse(Reason.UNKNOWN_INSTRUMENT, `unknown instrument "${order.symbol}"`));
  if (!client.allows(order.symbol)) {
    return no(refuse(Reason.INSTRUMENT_NOT_ALLOWED, `client ${order.clientId} may not trade ${order.symbol}`));
  }
  const restricted = rs.restricted(order.symbol);
  if (restricted !== undefined) {
    return no(refuse(Reason.RESTRICTED_INSTRUMENT, `${order.symbol} is on the restricted list (by ${restricted.by}${restricted.text ? `: ${restricted.text}` : ''})`));
  }
  if (rs.isExpired(order.symbol, tsUs)) return no(refuse(Reason.INSTRUMENT_EXPIRED, `${order.symbol} expired on ${rinst.expiry ?? 'an earlier date'}`));

  const firstId = p.orderIdForClientOrderId(order.clientId, order.clientOrderId);
  if (firstId !== undefined && firstId !== order.orderId) {
    return no(refuse(Reason.DUPLICATE_CLIENT_ORDER_ID, `clientOrderId "${order.clientOrderId}" already used by order ${firstId}`));
  }
  const q = checkQuantity(order.quantity, inst.lotSize);
  if (q !== null) return no(q);
  const limits = exposure.limits;
  if (limits.maxOrderQuantity !== undefined && order.quantity > limits.maxOrderQuantity) {
    return no(refuse(Reason.ORDER_QUANTITY_LIMIT, `quantity ${order.quantity} exceeds client ${order.clientId} limit ${limits.maxOrderQuantity}`));
  }

  const mark = rs.mark(order.symbol) ?? 0;
  let price: number;
  let collar: number | undefined;
  if (order.orderType === 'limit') {
    // Against the moving mark (passed, not spread into a copy of the instrument per order: issue 15).
    const bad = checkLimitPrice(order.price, inst, config, mark);
    if (bad !== null) return no(bad);
    price = order.price;
  } else {
    if (!(mark > 0)) return no(refuse(Reason.BAD_PRICE, `market order on ${order.symbol} needs a reference price`));
    const band = (config.collarBands ?? DEFAULT_COLLARS)[inst.instrumentType];
    collar = protectionPrice(order.side, mark, band, inst.tickSize);
    price = collar;
  }

  const mult = rinst.multiplier;
  const notional = order.quantity * price * mult;
  const perUnit = mult === 1 ? '' : ` × ${mult}`;
  if (limits.maxOrderNotional !== undefined && notional > limits.maxOrderNotional) {
    return no(refuse(
      Reason.ORDER_NOTIONAL_LIMIT,
      `order notional ${money(notional)} (${order.quantity} × ${price}${perUnit}) exceeds client ${order.clientId} limit ${money(limits.maxOrderNotional)}`,
    ));
  }

  const own = rs.openOrder(order.orderId);
  const ownLeaves = own?.leaves ?? 0;
  const open = exposure.openNotional - (own?.openUnits ?? 0) / 10_000;
  const executed = exposure.executedNotional;
  if (limits.maxOpenNotional !== undefined && Math.round((open + executed + notional) * 10_000) > Math.round(limits.maxOpenNotional * 10_000)) {
    return no(refuse(
      Reason.OPEN_NOTIONAL_LIMIT,
      `credit: open ${money(open)} + executed ${money(executed)} + this ${money(notional)} exceeds client ${order.clientId} limit ${money(limits.maxOpenNotional)}`,
    ));
  }

  const h = rs.holding(order.clientId, order.symbol);
  const pos = h?.position.quantity ?? 0;
  const openBuy = (h?.openBuy ?? 0) - (own?.side === 'buy' ? ownLeaves : 0);
  const openSell = (h?.openSell ?? 0) - (own?.side === 'sell' ? ownLeaves : 0);
  const buy = order.side === 'buy';
  const flags = rs.flags(order.orderId);
  if (!buy && inst.instrumentType === 'equity' && limits.requireLocate !== false && order.locate !== true && !flags.locate) {
    const available = Math.max(0, pos - openSell);
    if (order.quantity > available) {
      return no(refuse(
        Reason.SHORT_SALE_NO_LOCATE,
        `selling ${order.quantity} ${order.symbol} with ${available} long available (position ${pos}, open sells ${openSell}) is a short sale: it needs a locate`,
      ));
    }
  }
  const longest = pos + openBuy + (buy ? order.quantity : 0);
  const shortest = pos - openSell - (buy ? 0 : order.quantity);
  const net = Math.max(Math.abs(longest), Math.abs(shortest)) * price * mult;
  if (limits.maxNetPosition !== undefined && net > limits.maxNetPosition) {
    return no(refuse(
      Reason.NET_POSITION_LIMIT,
      `net position in ${order.symbol} could reach ${money(net)} (position ${pos}, open buys ${openBuy}, open sells ${openSell}, this ${order.side} ${order.quantity}) over client ${order.clientId} limit ${money(limits.maxNetPosition)}`,
    ));
  }
  const gross = (Math.abs(pos) + openBuy + openSell + order.quantity) * price * mult;
  if (limits.maxGrossPosition !== undefined && gross > limits.maxGrossPosition) {
    return no(refuse(
      Reason.GROSS_POSITION_LIMIT,
      `gross position in ${order.symbol} would be ${money(gross)} (|position| ${Math.abs(pos)} + open ${openBuy + openSell} + ${order.quantity}) over client ${order.clientId} limit ${money(limits.maxGrossPosition)}`,
    ));
  }

  if (order.intentional !== true && !flags.intentional) {
    const key = duplicateKey(order.clientId, order.symbol, order.side, order.orderType, order.quantity, order.orderType === 'market' ? 0 : order.price);
    const windowUs = rs.duplicateWindowUs(order.clientId);
    const dup = rs.duplicateOf(order.orderId, key, tsUs, windowUs);
    if (dup !== undefined) {
      return no(refuse(
        Reason.DUPLICATE_ORDER,
        `same client, instrument, side, quantity and price as order ${dup} within ${windowUs / 1_000_000}s: send it as intentional to mean it`,
      ));
    }
  }
  return collar === undefined ? ACCEPTED : { refusal: null, protectionPrice: collar };
}

/** The answer of an accepted limit order: one shared object, none per order. */
const ACCEPTED: RiskDecision = Object.freeze({ refusal: null });

function no(r: Refusal): RiskDecision {
  return { refusal: r };
}

/** decideOrder's refusal only: null to accept. */
export function checkOrder(order: OrderRequest, p: OmsProjection, rs: RiskState, config: RiskConfig = DEFAULT_RISK_CONFIG, tsUs?: number): Refusal | null {
  return decideOrder(order, p, rs, config, tsUs).refusal;
}
