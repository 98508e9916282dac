/**
 * Reject and cancel reasons, grouped by owner in numeric ranges so a code
 * alone says who refused: 100s risk, 200s venue, 300s session/sequencer,
 * 400s order rules (cancel/replace), 500s operator.
 */
export const Reason = {
  UNKNOWN_INSTRUMENT: 101,
  INSTRUMENT_NOT_ALLOWED: 102,
  BAD_QUANTITY: 103,
  PRICE_OFF_TICK: 104,
  PRICE_OUT_OF_BAND: 105,
  ORDER_NOTIONAL_LIMIT: 106,
  OPEN_NOTIONAL_LIMIT: 107,
  UNKNOWN_CLIENT: 108,
  DUPLICATE_CLIENT_ORDER_ID: 109,
  BAD_PRICE: 110,
  // 113-199: risk (issue 12); see engine/oms/risk.ts for the order the checks run in.
  INSTRUMENT_EXPIRED: 113,
  ORDER_QUANTITY_LIMIT: 114,
  GROSS_POSITION_LIMIT: 115,
  NET_POSITION_LIMIT: 116,
  SHORT_SALE_NO_LOCATE: 117,
  DUPLICATE_ORDER: 118,
  RESTRICTED_INSTRUMENT: 119,
  CLIENT_HALTED: 120,
  FIRM_HALTED: 121,
  /** Venue: the rest of a market order expired at its protection price (the collar). */
  PRICE_COLLAR: 122,

  VENUE_REJECT: 201,
  VENUE_NO_LIQUIDITY: 202,
  VENUE_UNAVAILABLE: 203,
  /** A fill-or-kill order could not trade its whole quantity at once: all of it expired. */
  FOK_NOT_FILLED: 204,
  /** A gtd order reached its expiry time at the venue. */
  GTD_EXPIRED: 205,
  /** Self-trade prevention: the resting order was cancelled instead of trading with its own client's new order. */
  SELF_TRADE_PREVENTED: 206,
  /** The venue no longer holds the order live (filled, cancelled or expired first): too late to cancel or replace. */
  TOO_LATE: 207,
  /**
   * An explicit session close took the (gtc/gtd) order off the venue's book; it is carried and
   * re-entered at the next open (decision 075). Not an end: the order stays live in the OMS.
   */
  SESSION_PARKED: 208,

  SESSION_NOT_OPEN: 301,
  SESSION_CLOSING: 302,
  DAY_ORDER_SESSION_END: 303,
  /** The session was closed by force before the venue confirmed the order's end (CloseSession{force}). */
  SESSION_CLOSE_FORCED: 304,

  ORDER_TERMINAL: 401,
  REPLACE_BELOW_FILLED: 402,
  UNKNOWN_ORDER: 403,
  IOC_REMAINDER: 404,
  TRADER_REQUEST: 405,
  REPLACE_PENDING: 406,
  /** A cancel or replace of the order is already in flight (one at a time per order). */
  REQUEST_PENDING: 407,
  /** timeInForce gtd without an expiry time, or with one already past. */
  BAD_EXPIRY: 408,

  OPERATOR: 501,
  // 502-519: risk operator actions.
  /** Cancelled by the kill switch (a client or firm-wide halt). */
  KILL_SWITCH: 502,
  /** Cancelled because its instrument expired. */
  INSTRUMENT_EXPIRY: 503,
} as const;

export type ReasonName = keyof typeof Reason;
export type ReasonCode = (typeof Reason)[ReasonName];

const NAMES = new Map<number, ReasonName>(
  Object.entries(Reason).map(([name, code]) => [code, name as ReasonName]),
);

const CODES = new Set<string>(NAMES.values());

/** Whether `name` is one of this build's reason names (an own name: 'constructor' is not one). */
export function isReasonName(name: string): name is ReasonName {
  return CODES.has(name);
}

/** The symbolic name of a reason code, or `REASON_<code>` for one this build does not know. */
export function reasonName(code: number): string {
  return NAMES.get(code) ?? `REASON_${code}`;
}
