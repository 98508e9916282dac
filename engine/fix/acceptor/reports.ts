import type { Sequenced } from '../../protocol/events.ts';
import { FIX_ORD_STATUS } from '../../oms/order-state.ts';
import { Reason, reasonName } from '../../protocol/reasons.ts';
import type { ReadonlyOrder } from '../../oms/projection.ts';
import type { OrderRequests, RequestSeqs } from '../../oms/request-seqs.ts';
import { CxlRejReason, CxlRejResponseTo, ExecType, OrdRejReason, OrdStatus } from '../fields.ts';

/**
 * THE mapping from sequenced events to what a FIX client is told: every
 * ExecutionReport (8) and OrderCancelReject (9) the acceptor sends for an
 * event is `reportFor(event, order after the event, chains)`. Because it is a
 * pure function of the log (plus the ClOrdIDs the client gave, see
 * ClOrdIdChains), a client that was away gets exactly the reports it missed
 * by running the events it missed through it again.
 *
 * When the order lifecycle carries ClOrdID chains and FIX OrdStatus in its
 * own events (issue #10), this file is the one to adapt.
 */

export interface ExecReport {
  readonly kind: 'exec';
  readonly orderId: string;
  readonly clOrdId: string;
  readonly origClOrdId: string | undefined;
  /** `<session>.<seq>` of the event: unique, and the same every time the report is derived. */
  readonly execId: string;
  readonly execType: string;
  readonly ordStatus: string;
  readonly symbol: string;
  readonly side: ReadonlyOrder['side'];
  readonly ordType: ReadonlyOrder['orderType'];
  readonly timeInForce: ReadonlyOrder['timeInForce'];
  readonly price: number;
  readonly orderQty: number;
  readonly lastQty: number;
  readonly lastPx: number;
  readonly leavesQty: number;
  readonly cumQty: number;
  readonly avgPx: number;
  /** Sequencer time, microseconds. */
  readonly ts: number;
  readonly ordRejReason?: number;
  readonly text?: string;
}

export interface CancelReject {
  readonly kind: 'cancelReject';
  readonly orderId: string;
  readonly clOrdId: string;
  readonly origClOrdId: string;
  readonly ordStatus: string;
  readonly responseTo: string;
  readonly reason: number;
  readonly text: string;
  readonly ts: number;
}

export type ClientReport = ExecReport | CancelReject;

/** The ClOrdID a client gave a cancel or replace request, and the one it referred to. */
export interface RequestIds {
  readonly clOrdId: string;
  readonly origClOrdId: string;
}

interface Chain {
  current: string;
  cancel: RequestIds | undefined;
  replace: RequestIds | undefined;
}

/**
 * ClOrdID chains per order, folded from the events in log order. The ids of a
 * cancel or replace request come from `linkOf(seq)` (what the client sent,
 * recorded by the acceptor against the request event's seq); requests made
 * elsewhere (UI, HTTP) reuse the order's current ClOrdID.
 */
export class ClOrdIdChains {
  private readonly chains = new Map<number, Chain>();
  /**
   * Orders routed and not yet acknowledged or filled: a fill of one is the venue's first word on it (an order
   * filled on arrival is logged by its fills alone, decision 251), and the client is told New before the fill.
   */
  private readonly unacked = new Set<number>();
  /** Resumed from a checkpoint (decision 176): chains not yet touched since are made from it when first needed. */
  private resumed: { requests: RequestSeqs; firstOf: (orderId: number) => string | undefined } | undefined;

  constructor(private readonly linkOf: (seq: number) => RequestIds | undefined) {}

  clear(): void {
    this.chains.clear();
    this.unacked.clear();
    this.resumed = undefined;
  }

  /**
   * Takes the chains as they stood at a checkpoint: every order's requests
   * by seq (`requests`, folded from the log alone), resolved through
   * `linkOf` like the fold from seq 1 resolves them; `firstOf` is the
   * ClOrdID an order came with (the projection's), undefined for an order the
   * session does not have; `routed` the orders at stage routed at the checkpoint
   * (sent, not yet answered by the venue). Call before any event after the checkpoint.
   */
  resume(requests: RequestSeqs, firstOf: (orderId: number) => string | undefined, routed: Iterable<number> = []): void {
    this.chains.clear();
    this.unacked.clear();
    // Orders in flight to the venue at the checkpoint: a fill of one after it may be the venue's first word too.
    for (const id of routed) this.unacked.add(id);
    this.resumed = { requests, firstOf };
  }

  /**
   * The ClOrdIDs an order had at the checkpoint it resumed from (its first, then its current after each
   * settle); `entered` is what `firstOf` gives for it.
   */
  resumedIds(orderId: number, entered: string): string[] {
    const o = this.resumed?.requests.orders.get(orderId);
    if (o === undefined) return [entered];
    const first = o.first ?? entered;
    return [first, ...o.settled.map((i) => this.valueOf(o, i, first))];
  }

  private chain(orderId: number): Chain | undefined {
    const c = this.chains.get(orderId);
    if (c !== undefined || this.resumed === undefined) return c;
    const first = this.resumed.firstOf(orderId);
    if (first === undefined) return undefined;
    const o = this.resumed.requests.orders.get(orderId);
    const made: Chain =
      o === undefined
        ? { current: first, cancel: undefined, replace: undefined }
        : {
            current: this.valueOf(o, o.current, o.first ?? first),
            cancel: o.cancel >= 0 ? this.idsOf(o, o.cancel, o.first ?? first) : undefined,
            replace: o.replace >= 0 ? this.idsOf(o, o.replace, o.first ?? first) : undefined,
          };
    this.chains.set(orderId, made);
    return made;
  }

  /** The ClOrdID that value `i` of an order's requests stands for (-1: its first). */
  private valueOf(o: OrderRequests, i: number, first: string): string {
    for (let k = i; k >= 0; k = o.prevs[k]!) {
      const link = this.linkOf(o.seqs[k]!);
      if (link !== undefined) return link.clOrdId;
    }
    return first;
  }

  /** A request's ids, as `apply` made them when it came: its link's, else the order's current ClOrdID then. */
  private idsOf(o: OrderRequests, i: number, first: string): RequestIds {
    const link = this.linkOf(o.seqs[i]!);
    if (link !== undefined) return link;
    const cur = this.valueOf(o, o.prevs[i]!, first);
    return { clOrdId: cur, origClOrdId: cur };
  }

  current(orderId: number): string | undefined {
    return this.chain(orderId)?.current;
  }

  /** Call for every event, in order, before `reportFor`. */
  apply(e: Sequenced): void {
    const ev = e.event;
    switch (ev.type) {
      case 'OrderPending':
      case 'OrderRestored':
        this.chains.set(ev.orderId, { current: ev.clientOrderId, cancel: undefined, replace: undefined });
        break;
      case 'OrderRouted':
        this.unacked.add(ev.orderId);
        break;
      case 'CancelRequested':
      case 'ReplaceRequested': {
        const c = this.chain(ev.orderId);
        if (!c) break;
        const ids = this.linkOf(e.seq) ?? { clOrdId: c.current, origClOrdId: c.current };
        if (ev.type === 'CancelRequested') c.cancel = ids;
        else c.replace = ids;
        break;
      }
      default:
        break;
    }
  }

  /** Between `apply` and `settle` of an OrderExecuted: true when the fill is the venue's first word on the order. */
  firstWordFromVenue(orderId: number): boolean {
    return this.unacked.has(orderId);
  }

  /** Call after `reportFor` of the same event: settles requests the event answered. */
  settle(e: Sequenced): void {
    const ev = e.event;
    // Any answer from the venue or end of the order: no New is owed any more (a parked order is routed again).
    if ('orderId' in ev && ev.type !== 'OrderRouted' && ev.type !== 'CancelRequested' && ev.type !== 'ReplaceRequested') this.unacked.delete(ev.orderId);
    const c = 'orderId' in ev ? this.chain(ev.orderId) : undefined;
    if (!c) return;
    switch (ev.type) {
      case 'OrderReplaced':
        if (c.replace) c.current = c.replace.clOrdId;
        c.replace = undefined;
        break;
      case 'ReplaceRejected':
        c.replace = undefined;
        break;
      case 'OrderCancelled':
        // The cancel's ClOrdID is the order's latest: a later request may name it.
        if (c.cancel) c.current = c.cancel.clOrdId;
        c.cancel = undefined;
        break;
      case 'CancelRejected':
        c.cancel = undefined;
        break;
      default:
        break;
    }
  }

  request(orderId: number, kind: 'cancel' | 'replace'): RequestIds | undefined {
    const c = this.chain(orderId);
    return kind === 'cancel' ? c?.cancel : c?.replace;
  }
}

/** OrdStatus (39) of an order as the projection holds it. */
export function ordStatusOf(o: ReadonlyOrder): string {
  return FIX_ORD_STATUS[o.state];
}

function cxlRejReason(reason: number): number {
  if (reason === Reason.ORDER_TERMINAL) return CxlRejReason.TOO_LATE_TO_CANCEL;
  if (reason === Reason.UNKNOWN_ORDER) return CxlRejReason.UNKNOWN_ORDER;
  if (reason === Reason.REPLACE_PENDING) return CxlRejReason.ALREADY_PENDING;
  return CxlRejReason.OTHER;
}

function ordRejReason(reason: number): number {
  if (reason === Reason.UNKNOWN_INSTRUMENT) return OrdRejReason.UNKNOWN_SYMBOL;
  if (reason === Reason.ORDER_NOTIONAL_LIMIT || reason === Reason.OPEN_NOTIONAL_LIMIT) return OrdRejReason.ORDER_EXCEEDS_LIMIT;
  if (reason === Reason.DUPLICATE_CLIENT_ORDER_ID) return OrdRejReason.DUPLICATE_ORDER;
  if (reason === Reason.SESSION_NOT_OPEN || reason === Reason.SESSION_CLOSING) return OrdRejReason.EXCHANGE_CLOSED;
  return OrdRejReason.OTHER;
}

/** An ExecutionReport of the order as it stands (also for OrderStatusRequest). */
export function execReport(
  o: ReadonlyOrder,
  clOrdId: string,
  execId: string,
  execType: string,
  ts: number,
  extra: Partial<Pick<ExecReport, 'origClOrdId' | 'lastQty' | 'lastPx' | 'ordRejReason' | 'text' | 'ordStatus'>> = {},
): ExecReport {
  return {
    kind: 'exec',
    orderId: String(o.orderId),
    clOrdId,
    origClOrdId: extra.origClOrdId,
    execId,
    execType,
    ordStatus: extra.ordStatus ?? ordStatusOf(o),
    symbol: o.symbol,
    side: o.side,
    ordType: o.orderType,
    timeInForce: o.timeInForce,
    price: o.price,
    orderQty: o.quantity,
    lastQty: extra.lastQty ?? 0,
    lastPx: extra.lastPx ?? 0,
    leavesQty: o.leavesQuantity,
    cumQty: o.filledQuantity,
    avgPx: o.avgPrice,
    ts,
    ...(extra.ordRejReason !== undefined ? { ordRejReason: extra.ordRejReason } : {}),
    ...(extra.text !== undefined ? { text: extra.text } : {}),
  };
}

/**
 * The ExecutionReport New (39 = New, or PartiallyFilled for an order re-entered with earlier fills) a client
 * gets just before the report of `e` when `e` is a fill that is the venue's first word on the order: the
 * order was filled on arrival and the log holds no OrderAcknowledged for it (decision 251). Its ExecID is the
 * fill's with `.0` appended: unique, and the same every time it is derived. Call between `chains.apply(e)`
 * and `chains.settle(e)`, like reportFor.
 */
export function impliedNewFor(session: number, e: Sequenced, o: ReadonlyOrder, chains: ClOrdIdChains): ExecReport | undefined {
  const ev = e.event;
  if (ev.type !== 'OrderExecuted' || !chains.firstWordFromVenue(o.orderId)) return undefined;
  const before = o.filledQuantity - ev.fillQty;
  const report = execReport(o, chains.current(o.orderId) ?? o.clientOrderId, `${session}.${e.seq}.0`, ExecType.NEW, e.ts, {
    ordStatus: before > 0 ? OrdStatus.PARTIALLY_FILLED : OrdStatus.NEW,
  });
  // As the order stood before the fill: nothing of this fill counted yet.
  const avgPx = before > 0 ? (o.avgPrice * o.filledQuantity - ev.fillPrice * ev.fillQty) / before : 0;
  return { ...report, leavesQty: o.quantity - before, cumQty: before, avgPx };
}

/**
 * The report a client gets for event `e` of session `session`, given the
 * order as it stands after the event and the chains after `chains.apply(e)`;
 * undefined when the event tells the client nothing (routing, static data).
 */
export function reportFor(session: number, e: Sequenced, o: ReadonlyOrder, chains: ClOrdIdChains): ClientReport | undefined {
  const ev = e.event;
  const execId = `${session}.${e.seq}`;
  const current = chains.current(o.orderId) ?? o.clientOrderId;
  const exec = (execType: string, extra: Parameters<typeof execReport>[5] = {}) => execReport(o, current, execId, execType, e.ts, extra);
  switch (ev.type) {
    case 'OrderPending':
      return exec(ExecType.PENDING_NEW, { ordStatus: OrdStatus.PENDING_NEW });
    case 'OrderAcknowledged':
      // ExecType New when the venue has the order (FIX 4.4: OrdStatus stays PendingNew until then).
      return exec(ExecType.NEW);
    case 'OrderRejected':
    case 'VenueRejected':
      return exec(ExecType.REJECTED, { ordRejReason: ordRejReason(ev.reason), text: `${reasonName(ev.reason)}: ${ev.text}` });
    case 'OrderExecuted':
      return exec(ExecType.TRADE, { lastQty: ev.fillQty, lastPx: ev.fillPrice });
    case 'CancelRequested': {
      const ids = chains.request(o.orderId, 'cancel');
      return execReport(o, ids?.clOrdId ?? current, execId, ExecType.PENDING_CANCEL, e.ts, { origClOrdId: ids?.origClOrdId ?? current, ordStatus: OrdStatus.PENDING_CANCEL });
    }
    case 'OrderCancelled': {
      const ids = chains.request(o.orderId, 'cancel');
      return execReport(o, ids?.clOrdId ?? current, execId, ExecType.CANCELED, e.ts, {
        ...(ids ? { origClOrdId: ids.origClOrdId } : {}),
        text: reasonName(ev.reason),
      });
    }
    case 'CancelRejected':
    case 'ReplaceRejected': {
      const kind = ev.type === 'CancelRejected' ? 'cancel' : 'replace';
      const ids = chains.request(o.orderId, kind) ?? { clOrdId: current, origClOrdId: current };
      return {
        kind: 'cancelReject',
        orderId: String(o.orderId),
        clOrdId: ids.clOrdId,
        origClOrdId: ids.origClOrdId,
        ordStatus: ordStatusOf(o),
        responseTo: kind === 'cancel' ? CxlRejResponseTo.CANCEL : CxlRejResponseTo.REPLACE,
        reason: cxlRejReason(ev.reason),
        text: `${reasonName(ev.reason)}: ${ev.text}`,
        ts: e.ts,
      };
    }
    case 'ReplaceRequested': {
      const ids = chains.request(o.orderId, 'replace');
      return execReport(o, ids?.clOrdId ?? current, execId, ExecType.PENDING_REPLACE, e.ts, { origClOrdId: ids?.origClOrdId ?? current, ordStatus: OrdStatus.PENDING_REPLACE });
    }
    case 'OrderReplaced': {
      const ids = chains.request(o.orderId, 'replace');
      return execReport(o, ids?.clOrdId ?? current, execId, ExecType.REPLACED, e.ts, { origClOrdId: ids?.origClOrdId ?? current });
    }
    case 'OrderExpired':
      return exec(ExecType.EXPIRED, { text: reasonName(ev.reason) });
    default:
      return undefined;
  }
}
