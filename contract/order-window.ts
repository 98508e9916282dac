import type { OrderView } from './api.ts';
import { TERMINAL_STATES } from './domain.ts';
import type { OrderState, Side, TimeInForce } from './domain.ts';
import { orderTextMatcher } from './order-text-match.ts';

/**
 * The orders blotter's window onto a session too large to send whole
 * (decision 150): the host filters and sorts its projection and answers one
 * slice of rows plus the counts; the same filter predicate runs on both
 * sides so a row the host sends and a row a push brings agree.
 */

/** Columns the blotter (and the host's window) can sort by; ties go by orderId. */
export const ORDER_SORT_KEYS = [
  'createdTs',
  'orderId',
  'clientId',
  'symbol',
  'side',
  'orderType',
  'quantity',
  'price',
  'state',
  'filledQuantity',
  'leavesQuantity',
  'avgPrice',
  'venue',
  'timeInForce',
  'rejectReason',
] as const;
export type OrderSortKey = (typeof ORDER_SORT_KEYS)[number];

/** 'open': every order not in a terminal state (working). */
export type StateFilter = 'all' | 'open' | OrderState;

export interface OrderWindowQuery {
  state?: StateFilter;
  /** Exact symbol. */
  symbol?: string;
  side?: Side;
  timeInForce?: TimeInForce;
  /** Exact client id. */
  clientId?: string;
  /** Free text, case-insensitive: order id (or #id), ClOrdID, client, symbol, state, side, venue, reason. */
  text?: string;
  /** Default createdTs. */
  sort?: OrderSortKey;
  /** Default desc (newest first). */
  dir?: 'asc' | 'desc';
  /** First row of the window among the matching, sorted rows (0-based, default 0). */
  offset?: number;
  /** Rows in the window (default 200, at most 2,000). */
  limit?: number;
  /** Time machine: the orders as of this seq (inclusive), not the live ones (decision 166). */
  at?: number;
  /** With `at`: the session (default the live one). */
  session?: number;
}

/** One slice of the live session's orders as the blotter shows them. */
export interface OrderWindow {
  session: number;
  /** The seq of the projection the window was cut from (its ordering may be up to a second older; decision 150). */
  seq: number;
  offset: number;
  /** Rows offset, offset+1, … of the matching, sorted orders. */
  orders: OrderView[];
  /** How many orders match the filter. */
  total: number;
  /** Orders in the session, and how many of them are working (not terminal). */
  orderCount: number;
  working: number;
}

/** The fields the filter reads: an OrderView, or the host's order cursor. */
export interface FilterableOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly clientId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly state: OrderState;
  readonly timeInForce: TimeInForce;
  readonly venue?: string | undefined;
  readonly rejectReason?: string | undefined;
}

const TERMINAL = new Set<OrderState>(TERMINAL_STATES);

/** True when `needle` (lower-cased, trimmed, non-empty) is the order's id or in one of its searchable fields. */
export function matchesOrderText(o: FilterableOrder, needle: string): boolean {
  if (needle === '') return true;
  if (String(o.orderId) === needle.replace(/^#/, '')) return true;
  const hay = `${o.clientOrderId} ${o.clientId} ${o.symbol} ${o.state} ${o.side} ${o.venue ?? ''} ${o.rejectReason ?? ''}`.toLowerCase();
  return hay.includes(needle);
}

/** The query's filter as one predicate (text normalised once, not per row). */
export function orderFilterOf(q: OrderWindowQuery): (o: FilterableOrder) => boolean {
  const state = q.state ?? 'all';
  const needle = (q.text ?? '').trim().toLowerCase();
  const { side, symbol, clientId, timeInForce } = q;
  // Compiled once: no string made per order (decision 231); the same answers as matchesOrderText.
  const text = orderTextMatcher(needle, matchesOrderText);
  return (o) => {
    if (side !== undefined && o.side !== side) return false;
    if (timeInForce !== undefined && o.timeInForce !== timeInForce) return false;
    if (symbol !== undefined && symbol !== '' && o.symbol !== symbol) return false;
    if (clientId !== undefined && clientId !== '' && o.clientId !== clientId) return false;
    if (state === 'open' ? TERMINAL.has(o.state) : state !== 'all' && o.state !== state) return false;
    return needle === '' || text(o);
  };
}

/**
 * A selection of the blotter's orders that the renderer may not hold
 * (decision 164): every order matching the filter (no ends given), or the
 * rows from one order to another (both included) in the host's sorted,
 * filtered order. The ends are named by order id, so orders that arrive or
 * move meanwhile do not shift the range; `from`/`to` are the rows the
 * blotter saw them at, used for an end that no longer matches the filter.
 */
export interface OrderSelection {
  state?: StateFilter;
  symbol?: string;
  side?: Side;
  timeInForce?: TimeInForce;
  clientId?: string;
  text?: string;
  sort?: OrderSortKey;
  dir?: 'asc' | 'desc';
  fromId?: number;
  toId?: number;
  from?: number;
  to?: number;
  /** Count only: nothing is cancelled (the confirmation's numbers). */
  dryRun?: boolean;
}

/** What a cancel by selection did (or, with `dryRun`, would do). */
export interface SelectionCancel {
  /** Orders in the selection, and the working ones among them (the ones a cancel goes to). */
  selected: number;
  working: number;
  /** Cancels accepted for sending, stored for the next open (no session), refused. */
  requested: number;
  queuedForOpen: number;
  failed: number;
  /** The first refusal's message, when any. */
  firstError?: string;
}
