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

/** The time machine's time axis: a session's events over time, and optionally the seq as of a time. */
export interface TimelineQuery {
  /** Default: the current session. */
  session?: number;
  /** How many buckets to split the session's time into (default 120, at most 2,000). */
  buckets?: number;
  /** Sequencer time (µs): also answer the last seq with a timestamp at or before it. */
  atTs?: number;
}

/** Events of one span of a session's time (`ts` inclusive to `ts + bucketUs` exclusive). */
export interface TimelineBucket {
  /** Start of the span, sequencer µs. */
  ts: number;
  count: number;
  /** First and last seq in the span (0 when it holds none). */
  firstSeq: number;
  lastSeq: number;
}

export interface TimelineView {
  session: number;
  /** Timestamps (µs) of the session's first and last event (0 for an empty session). */
  firstTs: number;
  lastTs: number;
  lastSeq: number;
  /** Width of every bucket, µs (a whole number of seconds). */
  bucketUs: number;
  buckets: TimelineBucket[];
  /** With `atTs`: the last seq at or before it (0 when the session had none yet). */
  seqAtTs?: number;
}
