import type { EventLine } from '../../contract/api.ts';
import type { OmsProjection } from '../oms/projection.ts';
import { toEventLine } from '../protocol/event-line.ts';
import type { Sequenced } from '../protocol/events.ts';
import { reasonName } from '../protocol/reasons.ts';
import type { ReadableLog } from '../store/log.ts';

/** An event line with its reject reason named (`reason: 107` → `reasonName: 'PRICE_OUT_OF_BAND'`). */
export type NamedEventLine = EventLine & { reasonName?: string };

/** Every event of one order in one session, from the log, and the chain of client order ids it went by. */
export interface OrderHistoryView {
  session: number;
  orderId: number;
  /** ClOrdIDs in the order they appeared (the original first; replaces may add more). */
  clientOrderIds: string[];
  events: NamedEventLine[];
}

/** Adds the reason's name to a line that carries a numeric reason. */
export function nameReason(line: EventLine): NamedEventLine {
  return typeof line.reason === 'number' ? { ...line, reasonName: reasonName(line.reason) } : line;
}

/**
 * The full history of `orderId` in `session`: the projection keeps each
 * order's seq chain, so this reads exactly the frames holding those seqs
 * (cost O(the order's events), whatever the session's length or the order's
 * age). Undefined when the projection does not know the order.
 */
export function orderHistory(log: ReadableLog, projection: OmsProjection, session: number, orderId: number): OrderHistoryView | undefined {
  const o = projection.order(orderId);
  if (!o) return undefined;
  const seqs = [...o.eventSeqs].sort((a, b) => a - b);
  const events: NamedEventLine[] = [];
  // Runs of seqs close together come from one or a few frames: read each run once.
  let i = 0;
  while (i < seqs.length) {
    const from = seqs[i]!;
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1]! - seqs[j]! < 64) j++;
    const want = new Set(seqs.slice(i, j + 1));
    for (const e of log.events(session, from, seqs[j]!)) if (want.has(e.seq)) events.push(nameReason(toEventLine(session, e)));
    i = j + 1;
  }
  const clientOrderIds: string[] = [];
  for (const e of events) {
    for (const k of ['clientOrderId', 'newClientOrderId'] as const) {
      const v = e[k];
      if (typeof v === 'string' && v !== '' && !clientOrderIds.includes(v)) clientOrderIds.push(v);
    }
  }
  if (clientOrderIds.length === 0) clientOrderIds.push(o.clientOrderId);
  return { session, orderId, clientOrderIds, events };
}

/** A search over one session's log, newest first, a page at a time. */
export interface EventSearch {
  session: number;
  /** Only events with seq below this (exclusive): the page before the last one seen. Default: the head. */
  before?: number;
  /** At most this many lines (default 200, at most 1,000). */
  limit?: number;
  orderId?: number;
  clientId?: string;
  /** Case-insensitive part of the event type name ("fill" finds OrderExecuted? no: "exec" does). */
  type?: string;
  /** A reason code or part of its name ("band" finds PRICE_OUT_OF_BAND). */
  reason?: string;
}

export interface EventPage {
  events: NamedEventLine[];
  /** Pass as `before` for the next (older) page; absent when the session's start was reached. */
  next?: number;
}

const CHUNK = 4096;

/**
 * Pages backwards through a whole session's log with filters. Reads the log
 * in chunks from the newest end and stops as soon as a page is full, so a
 * page of recent matches costs what it returns; a rare filter costs a scan
 * of the part of the session it had to look through.
 */
export function searchEvents(log: ReadableLog, projection: OmsProjection, q: EventSearch): EventPage {
  const limit = Math.max(1, Math.min(q.limit ?? 200, 1000));
  const head = log.lastSeq(q.session);
  let to = Math.min(head, (q.before ?? head + 1) - 1);
  const type = q.type?.trim().toLowerCase() || undefined;
  const reason = q.reason?.trim().toLowerCase() || undefined;
  const client = q.clientId?.trim() || undefined;
  const matches = (e: Sequenced): boolean => {
    const ev = e.event as { type: string; orderId?: unknown; clientId?: unknown; reason?: unknown };
    if (q.orderId !== undefined && ev.orderId !== q.orderId) return false;
    if (type !== undefined && !ev.type.toLowerCase().includes(type)) return false;
    if (reason !== undefined) {
      if (typeof ev.reason !== 'number') return false;
      if (String(ev.reason) !== reason && !reasonName(ev.reason).toLowerCase().includes(reason)) return false;
    }
    if (client !== undefined) {
      const c = typeof ev.clientId === 'string' ? ev.clientId : typeof ev.orderId === 'number' ? projection.order(ev.orderId)?.clientId : undefined;
      if (c !== client) return false;
    }
    return true;
  };
  const out: NamedEventLine[] = [];
  // One order's events are known exactly: no scan at all.
  if (q.orderId !== undefined) {
    const h = orderHistory(log, projection, q.session, q.orderId);
    const lines = (h?.events ?? []).filter((l) => l.seq <= to).reverse();
    const kept = lines.filter((l) => {
      const e = { seq: l.seq, event: l } as unknown as Sequenced;
      return matches(e);
    });
    const page = kept.slice(0, limit);
    return page.length === limit && kept.length > limit ? { events: page, next: page[page.length - 1]!.seq } : { events: page };
  }
  while (to >= 1 && out.length < limit) {
    const from = Math.max(1, to - CHUNK + 1);
    const chunk: Sequenced[] = [];
    for (const e of log.events(q.session, from, to)) if (matches(e)) chunk.push(e);
    for (let k = chunk.length - 1; k >= 0 && out.length < limit; k--) out.push(nameReason(toEventLine(q.session, chunk[k]!)));
    if (out.length >= limit) break;
    to = from - 1;
  }
  const last = out[out.length - 1];
  return out.length >= limit && last !== undefined && last.seq > 1 ? { events: out, next: last.seq } : { events: out };
}
