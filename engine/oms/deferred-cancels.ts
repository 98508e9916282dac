import type { CommandBody, OrdoEvent } from '../protocol/events.ts';
import type { SequencerRefusalCode } from '../../contract/api-errors.ts';
import { Reason } from '../protocol/reasons.ts';
import { isTerminalStage, mayBeAtVenue } from './order-state.ts';
import type { CloseBook } from './close-book.ts';
import type { Snapshot } from './snapshot.ts';

/**
 * Cancels taken between sessions (decision 130). Between an explicit close
 * and the next open nothing is at the venue (decision 075), yet a parked order
 * re-enters at the open and may fill before a cancel sent then arrives. So the
 * sequencer stores a trader's cancel of a carried order while no session is
 * open (the log's deferred_commands table) and the next session's opening
 * events apply it, before anything can route the order.
 */

/**
 * Whether the sequencer keeps `body` for the next open: a cancel, from the
 * client proxy (or the host), of an order the closed session carries. `book`
 * is the sequencer policy's record of the orders, at the end of the closed session.
 */
export function deferCancel(book: CloseBook, role: string, body: CommandBody): { key: string } | { code: SequencerRefusalCode; message: string } | undefined {
  if (body.type !== 'CancelRequested' || (role !== 'proxy' && role !== 'host')) return undefined;
  if (book.sessionState !== 'closed' || book.rolling) return undefined;
  const stage = book.stage(body.orderId);
  if (stage === undefined || isTerminalStage(stage) || !book.carries(body.orderId)) {
    return { code: 'SESSION_NOT_OPEN', message: `session ${book.sessionId} is closed and does not carry order ${body.orderId}` };
  }
  return { key: `cancel:${body.orderId}` };
}

/**
 * The opening events that apply the stored cancels to the orders `snapshot`
 * restores (put them after the OrderRestored events), in the order taken, one
 * per order. An order off the venue (parked, or never sent) ends here:
 * CancelRequested (the trader's request, with its clientOrderId) then
 * OrderCancelled{TRADER_REQUEST}, so it is never routed. One the venue may
 * still hold (a forced close left it there) gets the CancelRequested only:
 * the gateway cancels it at the venue, which confirms it as any cancel.
 */
export function deferredCancelEvents(snapshot: Snapshot | undefined, deferred: readonly CommandBody[]): OrdoEvent[] {
  if (snapshot === undefined || deferred.length === 0) return [];
  const restored = new Map(snapshot.orders.map((o) => [o.orderId, o]));
  const out: OrdoEvent[] = [];
  const seen = new Set<number>();
  for (const body of deferred) {
    if (body.type !== 'CancelRequested') continue;
    const o = restored.get(body.orderId);
    if (o === undefined || seen.has(o.orderId)) continue;
    seen.add(o.orderId);
    const atVenue = mayBeAtVenue(o.state);
    if (atVenue && o.cancelPending === true) continue; // its own cancel is in flight and resent by the gateway
    if (o.cancelPending !== true) {
      const req: OrdoEvent = { type: 'CancelRequested', orderId: o.orderId };
      if (body.clientOrderId !== undefined) req.clientOrderId = body.clientOrderId;
      out.push(req);
    }
    if (!atVenue) out.push({ type: 'OrderCancelled', orderId: o.orderId, reason: Reason.TRADER_REQUEST });
  }
  return out;
}
