import type { EventLine } from './api.ts';

/** An event line with its reject reason named (`reason: 107` → `reasonName: 'PRICE_OUT_OF_BAND'`). */
export type NamedEventLine = EventLine & { reasonName?: string };

/** Which order's history: `session` defaults to the current one. */
export interface OrderHistoryQuery {
  orderId: number;
  session?: number;
}

/** Every event of one order in one session, from the log, and the ClOrdIDs it went by. */
export interface OrderHistoryView {
  session: number;
  orderId: number;
  /** In the order they appeared: the original first. */
  clientOrderIds: string[];
  /** Oldest first. */
  events: NamedEventLine[];
}

/** A search over one session's whole log, newest first, a page at a time. */
export interface EventSearchQuery {
  /** Default: the current session. */
  session?: number;
  /** Only events with seq below this (exclusive): pass the last page's `next`. Default: from the head. */
  before?: number;
  /** At most this many lines (default 200, at most 1,000). */
  limit?: number;
  orderId?: number;
  clientId?: string;
  /** Case-insensitive part of the event type ("exec" finds OrderExecuted). */
  type?: string;
  /** A reason code, or part of its name ("band" finds PRICE_OUT_OF_BAND). */
  reason?: string;
}

export interface EventPage {
  /** Newest first. */
  events: NamedEventLine[];
  /** Pass as `before` for the next, older page; absent once the session's start is reached. */
  next?: number;
}

/** One session of the log, for the time machine's session picker. */
export interface SessionSummary {
  id: number;
  state: 'open' | 'closed';
  /** Sequencer time (µs) the session opened, and closed (absent while open). */
  openedTs: number;
  closedTs?: number;
  lastSeq: number;
}
