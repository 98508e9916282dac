import { ORDER_TYPES, SIDES, TIME_IN_FORCE, type OrderType, type Side, type TimeInForce } from '../../../contract/domain.ts';
import { ORDER_STAGES, type OrderStage } from '../../protocol/events.ts';
import { isTerminalStage } from '../order-state.ts';

/**
 * Small integer codes for the enumerated order fields, derived from the
 * arrays of contract/domain.ts so that no code depends on a hand-counted
 * position: reordering or extending those arrays moves the codes with them.
 */

/**
 * An order's stored state is its stage in the OMS pipeline (ORDER_STAGES:
 * pending, accepted, routed, new, …); the FIX state users see is derived from
 * it and the pending flags (order-state.ts). Its code: the index in
 * ORDER_STAGES, or OTHER_STATE.
 */
export type StateCode = number;

/** The code of `stage` (its index in ORDER_STAGES). */
export function stateCode(stage: OrderStage): StateCode {
  return ORDER_STAGES.indexOf(stage);
}

export const PENDING = stateCode('pending');
export const ACCEPTED = stateCode('accepted');
export const REJECTED = stateCode('rejected');
export const ROUTED = stateCode('routed');
export const PARTIALLY_FILLED = stateCode('partially_filled');
export const FILLED = stateCode('filled');
export const CANCELLED = stateCode('cancelled');
export const EXPIRED = stateCode('expired');
/** Acknowledged by the venue. */
export const NEW = stateCode('new');
/** A state outside ORDER_STAGES (a restored order may name one); the table keeps its name aside. */
export const OTHER_STATE = 255;

/** By state code: 1 for the terminal stages. */
const TERMINAL_CODE = new Uint8Array(256);
ORDER_STAGES.forEach((s, i) => (TERMINAL_CODE[i] = isTerminalStage(s) ? 1 : 0));

/** By state code: 1 where an execution applies (routed, new, partially filled: the venue may hold the order). */
const AT_VENUE_CODE = new Uint8Array(256);
for (const s of ['routed', 'new', 'partially_filled'] as const) AT_VENUE_CODE[stateCode(s)] = 1;

/** True for the codes of routed, new and partially filled. */
export function isAtVenueCode(code: StateCode): boolean {
  return AT_VENUE_CODE[code] === 1;
}

/** True for the codes of filled, cancelled, rejected and expired. */
export function isTerminalCode(code: StateCode): boolean {
  return TERMINAL_CODE[code] === 1;
}

/**
 * The names table of a session starts with the sides, order types and times
 * in force, in that order; symbols, venues and any unexpected enum value are
 * appended as they come. These are where each enum's codes start.
 */
export const FIRST_NAMES: readonly string[] = [...SIDES, ...ORDER_TYPES, ...TIME_IN_FORCE];
export const SIDE_BASE = 0;
export const ORDER_TYPE_BASE = SIDE_BASE + SIDES.length;
export const TIME_IN_FORCE_BASE = ORDER_TYPE_BASE + ORDER_TYPES.length;

export const LIMIT = orderTypeCode('limit');

/**
 * `base` + the index of `value` in `list`, or -1. A loop over two or three
 * entries beats a map lookup on the replay path.
 */
function codeIn(list: readonly string[], base: number, value: string): number {
  for (let j = 0; j < list.length; j++) if (list[j] === value) return base + j;
  return -1;
}

/** The code of a known side, or -1 (then the names table gets it). */
export function sideCode(side: Side | string): number {
  return codeIn(SIDES, SIDE_BASE, side);
}

/** The names-table code of a known order type, or -1. */
export function orderTypeCode(orderType: OrderType | string): number {
  return codeIn(ORDER_TYPES, ORDER_TYPE_BASE, orderType);
}

/** The code of a known time in force, or -1. */
export function timeInForceCode(tif: TimeInForce | string): number {
  return codeIn(TIME_IN_FORCE, TIME_IN_FORCE_BASE, tif);
}
