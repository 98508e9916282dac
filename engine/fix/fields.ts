import type { OrderType, Side, TimeInForce } from '../protocol/events.ts';

/**
 * FIX 4.4 tag values Ordo uses on both sides (client acceptor and venue
 * gateways), and the translations between them and Ordo's vocabulary.
 */

/** ExecType (150). */
export const ExecType = {
  NEW: '0',
  CANCELED: '4',
  REPLACED: '5',
  PENDING_CANCEL: '6',
  REJECTED: '8',
  PENDING_NEW: 'A',
  EXPIRED: 'C',
  PENDING_REPLACE: 'E',
  TRADE: 'F',
  ORDER_STATUS: 'I',
} as const;

/** OrdStatus (39). */
export const OrdStatus = {
  NEW: '0',
  PARTIALLY_FILLED: '1',
  FILLED: '2',
  CANCELED: '4',
  REPLACED: '5',
  PENDING_CANCEL: '6',
  REJECTED: '8',
  PENDING_NEW: 'A',
  EXPIRED: 'C',
  PENDING_REPLACE: 'E',
} as const;

/** CxlRejReason (102). */
export const CxlRejReason = {
  TOO_LATE_TO_CANCEL: 0,
  UNKNOWN_ORDER: 1,
  ALREADY_PENDING: 3,
  DUPLICATE_CLORDID: 6,
  OTHER: 99,
} as const;

/** CxlRejResponseTo (434). */
export const CxlRejResponseTo = { CANCEL: '1', REPLACE: '2' } as const;

/** OrdRejReason (103). */
export const OrdRejReason = { UNKNOWN_SYMBOL: 1, EXCHANGE_CLOSED: 2, ORDER_EXCEEDS_LIMIT: 3, UNKNOWN_ORDER: 5, DUPLICATE_ORDER: 6, OTHER: 99 } as const;

/** BusinessRejectReason (380). */
export const BusinessRejectReason = { OTHER: 0, UNSUPPORTED_MESSAGE_TYPE: 3, APPLICATION_NOT_AVAILABLE: 4, CONDITIONALLY_REQUIRED_FIELD_MISSING: 5 } as const;

export function fixSide(side: Side): string {
  return side === 'buy' ? '1' : '2';
}

/** Side (54) → Ordo; undefined for sides Ordo does not trade (short sell etc.). */
export function ordoSide(v: unknown): Side | undefined {
  return v === '1' ? 'buy' : v === '2' ? 'sell' : undefined;
}

export function fixOrdType(t: OrderType): string {
  return t === 'market' ? '1' : '2';
}

export function ordoOrdType(v: unknown): OrderType | undefined {
  return v === '1' ? 'market' : v === '2' ? 'limit' : undefined;
}

/** TimeInForce (59): 0 day, 1 GTC, 3 IOC, 4 FOK, 6 GTD. */
export function fixTif(t: TimeInForce): string {
  switch (t) {
    case 'day':
      return '0';
    case 'gtc':
      return '1';
    case 'ioc':
      return '3';
    case 'fok':
      return '4';
    case 'gtd':
      return '6';
  }
}

/** Absent TimeInForce means day (FIX default). */
export function ordoTif(v: unknown): TimeInForce | undefined {
  if (v === undefined || v === null || v === '0') return 'day';
  return v === '1' ? 'gtc' : v === '3' ? 'ioc' : v === '4' ? 'fok' : undefined;
}
