import type { FillView } from './api.ts';
import type { Side } from './domain.ts';

/**
 * The fills blotter's window onto a session too large to send whole
 * (decision 166, the fills' counterpart of decision 150's order window): the
 * host filters and sorts the session's fills (live, or as of a past seq) and
 * answers one slice plus the counts. The same predicate runs on both sides.
 */

/** Columns the fills blotter (and the host's window) can sort by; ties go by seq. */
export const FILL_SORT_KEYS = ['seq', 'ts', 'execId', 'orderId', 'clientId', 'symbol', 'side', 'quantity', 'price', 'notional'] as const;
export type FillSortKey = (typeof FILL_SORT_KEYS)[number];

export interface FillWindowQuery {
  /** Exact client id (a fill's client is its order's). */
  clientId?: string;
  /** Exact symbol. */
  symbol?: string;
  side?: Side;
  /** Only this order's fills. */
  orderId?: number;
  /** Free text, case-insensitive: exec id or order id (or #id), client, symbol, side. */
  text?: string;
  /** Default seq. */
  sort?: FillSortKey;
  /** Default desc (newest first). */
  dir?: 'asc' | 'desc';
  /** First row of the window among the matching, sorted fills (0-based, default 0). */
  offset?: number;
  /** Rows in the window (default 200, at most 2,000). */
  limit?: number;
  /** Time machine: the fills as of this seq (inclusive), not the live ones. */
  at?: number;
  /** With `at`: the session (default the live one). */
  session?: number;
}

/** One slice of a session's fills as the blotter shows them. */
export interface FillWindow {
  session: number;
  /** The seq of the state the window was cut from (live: its ordering may be up to a second older). */
  seq: number;
  offset: number;
  /** Rows offset, offset+1, … of the matching, sorted fills. */
  fills: FillView[];
  /** The client of each row's order, in the same order as `fills` ('' when unknown). */
  clients: string[];
  /** How many fills match the filter. */
  total: number;
  /** Fills in the session (as of `seq`). */
  fillCount: number;
}

/** The fields the filter reads. */
export interface FilterableFill {
  readonly execId: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: Side;
}

/** True when `needle` (lower-cased, trimmed, non-empty) is the fill's exec or order id, or in its client, symbol or side. */
export function matchesFillText(f: FilterableFill, client: string | undefined, needle: string): boolean {
  if (needle === '') return true;
  const bare = needle.replace(/^#/, '');
  if (String(f.orderId) === bare || String(f.execId) === bare) return true;
  return `${client ?? ''} ${f.symbol} ${f.side}`.toLowerCase().includes(needle);
}

/** The query's filter as one predicate (text normalised once); `client` is the fill's order's client. */
export function fillFilterOf(q: FillWindowQuery): (f: FilterableFill, client: string | undefined) => boolean {
  const needle = (q.text ?? '').trim().toLowerCase();
  const { side, symbol, clientId, orderId } = q;
  return (f, client) => {
    if (side !== undefined && f.side !== side) return false;
    if (orderId !== undefined && f.orderId !== orderId) return false;
    if (symbol !== undefined && symbol !== '' && f.symbol !== symbol) return false;
    if (clientId !== undefined && clientId !== '' && client !== clientId) return false;
    return needle === '' || matchesFillText(f, client, needle);
  };
}

/** Whether the filter reads the client (the host then looks each fill's order up). */
export function fillFilterNeedsClient(q: FillWindowQuery): boolean {
  return (q.clientId ?? '') !== '' || (q.text ?? '').trim() !== '' || q.sort === 'clientId';
}
