import type { SessionState } from '../../contract/domain.ts';
import type { OrderStage, Sequenced } from '../protocol/events.ts';
import { isTerminalStage, mayBeAtVenue } from './order-state.ts';
import type { OmsProjection } from './projection.ts';
import { carriesOver } from './snapshot.ts';

/**
 * What the sequencer policy's rules read of the session's orders (decision
 * 169): each order's stage, whether it carries into the next session, and
 * whether a cancel or replace is in flight, plus the session's phase. The
 * policy keeps these in a slim record (PolicyOrders); a checkpoint round
 * reads them off its full projection (projectionBook). Both answer alike at
 * every seq, so a checkpoint's awaiting set is the policy's.
 */
export interface CloseBook {
  readonly sessionId: number;
  readonly sessionState: SessionState;
  /** The session is closing as part of a roll. */
  readonly rolling: boolean;
  /** The order's stage, or undefined for an order this session does not know. */
  stage(orderId: number): OrderStage | undefined;
  /** True for a known gtc or gtd order (it carries into the next session). */
  carries(orderId: number): boolean;
  /** True while a cancel or replace of the order waits for the venue's answer. */
  requestPending(orderId: number): boolean;
  /** Ids of the live orders that end with the session (day, ioc, fok), ascending. */
  endingWithSession(): number[];
  /** Ids of the carried orders (gtc, gtd) the venue may hold, in first-seen order. */
  carriedAtVenue(): number[];
}

/** The CloseBook of a full OMS projection (the checkpoint round's fold, tests). */
export function projectionBook(p: OmsProjection): CloseBook {
  return {
    get sessionId() {
      return p.session.id;
    },
    get sessionState() {
      return p.session.state;
    },
    get rolling() {
      return p.session.rolling === true;
    },
    stage: (id) => p.order(id)?.stage,
    carries: (id) => {
      const o = p.order(id);
      return o !== undefined && carriesOver(o.timeInForce);
    },
    requestPending: (id) => {
      const o = p.order(id);
      return o !== undefined && (o.cancelPending || o.replacePending);
    },
    endingWithSession: () => {
      const ids: number[] = [];
      for (const o of p.orders()) if (!isTerminalStage(o.stage) && !carriesOver(o.timeInForce)) ids.push(o.orderId);
      return ids.sort((a, b) => a - b);
    },
    carriedAtVenue: () => {
      const ids: number[] = [];
      for (const o of p.orders()) if (mayBeAtVenue(o.stage) && carriesOver(o.timeInForce)) ids.push(o.orderId);
      return ids;
    },
  };
}

/**
 * Whether the close need not wait for the order any more: it ended, or it is
 * off the venue (never sent, or parked) with no cancel or replace waiting for
 * the venue's answer.
 */
function settledForClose(book: CloseBook, orderId: number): boolean {
  const stage = book.stage(orderId);
  if (stage === undefined || isTerminalStage(stage)) return true;
  return !mayBeAtVenue(stage) && !book.requestPending(orderId);
}

/**
 * The close's awaiting set after `e` (already applied to `book`): at
 * SessionClosing the orders that end with the session (and, on an explicit
 * close, the carried ones the venue may hold); each leaves once settled.
 * Returns the set to keep (a new one at SessionClosing). Shared by the policy
 * and the checkpoint fold, so a checkpoint's set is the policy's.
 */
export function trackAwaiting(awaiting: Set<number>, book: CloseBook, e: Sequenced): Set<number> {
  const ev = e.event;
  if (ev.type === 'SessionClosing') {
    const next = new Set(book.endingWithSession());
    // An explicit close also parks every carried order the venue may hold (decision 075); a roll keeps them live.
    if (ev.roll !== true) for (const id of book.carriedAtVenue()) next.add(id);
    return next;
  }
  if (ev.type === 'SessionOpened') awaiting.clear();
  else if (awaiting.size > 0 && 'orderId' in ev && awaiting.has(ev.orderId)) {
    if (settledForClose(book, ev.orderId)) awaiting.delete(ev.orderId);
  }
  return awaiting;
}
