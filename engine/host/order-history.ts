import type { EventLine } from '../../contract/api.ts';
import type { EventPage, EventSearchQuery, NamedEventLine, OrderHistoryView } from '../../contract/history.ts';
import type { OmsProjection } from '../oms/projection.ts';
import { toEventLine } from '../protocol/event-line.ts';
import type { Sequenced } from '../protocol/events.ts';
import { reasonName } from '../protocol/reasons.ts';
import type { ReadableLog } from '../store/log.ts';

export type { EventPage, NamedEventLine, OrderHistoryView };

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
  const o = session === projection.session.id ? projection.order(orderId) : undefined;
  if (!o) return pastOrderHistory(log, session, orderId);
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
  const chain = clOrdIdChain(events);
  if (chain.length === 0) chain.push(o.clientOrderId);
  return { session, orderId, clientOrderIds: chain, events };
}

function clOrdIdChain(events: readonly NamedEventLine[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    for (const k of ['clientOrderId', 'newClientOrderId', 'origClientOrderId'] as const) {
      const v = e[k];
      if (typeof v === 'string' && v !== '' && !out.includes(v)) out.push(v);
    }
  }
  return out;
}

/**
 * An order of another session (the time machine looking back): the live
 * projection does not hold its seq chain, so this scans that session's log
 * once for the order's events, O(that session). Undefined when none.
 */
function pastOrderHistory(log: ReadableLog, session: number, orderId: number): OrderHistoryView | undefined {
  const events: NamedEventLine[] = [];
  for (const e of log.events(session)) if ((e.event as { orderId?: unknown }).orderId === orderId) events.push(nameReason(toEventLine(session, e)));
  if (events.length === 0) return undefined;
  return { session, orderId, clientOrderIds: clOrdIdChain(events), events };
}

/** A search with its session resolved. */
export type EventSearch = EventSearchQuery & { session: number };

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
