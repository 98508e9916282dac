import { describe, expect, it } from 'vitest';
import { RequestSeqs } from '../../engine/oms/request-seqs.ts';
import { ClOrdIdChains, impliedNewFor, reportFor, type ClientReport, type RequestIds } from '../../engine/fix/acceptor/reports.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { OrdoEvent } from '../../engine/protocol/events.ts';
import { Reason } from '../../engine/protocol/reasons.ts';

/** The event → FIX report mapping, as a pure function: the same log gives the same reports, field by field. */
function derive(events: OrdoEvent[], links: Record<number, RequestIds> = {}): (ClientReport | undefined)[] {
  return deriveWithImplied(events, links).map((x) => x.report);
}

const pending: OrdoEvent = { type: 'OrderPending', orderId: 7, clientId: 'ALPHA', clientOrderId: 'c1', symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 100, price: 228 };

/** Like derive, with the New the acceptor sends before a fill that is the venue's first word (decision 251). */
function deriveWithImplied(
  events: OrdoEvent[],
  links: Record<number, RequestIds> = {},
  resumeAt?: number,
): { report: ClientReport | undefined; before: ClientReport | undefined; seq: number }[] {
  const log = new LogBuilder().openSession({ reference: loadReferenceData() });
  const p = new OmsProjection();
  let chains = new ClOrdIdChains((seq) => links[seq]);
  for (const e of log.events) p.apply(e);
  return events.map((ev, i) => {
    if (i === resumeAt) {
      // An acceptor resumed from a checkpoint taken here (decision 176): chains that saw none of the events before.
      chains = new ClOrdIdChains((seq) => links[seq]);
      chains.resume(new RequestSeqs(), (id) => p.order(id)?.clientOrderId, p.routedOrderIds());
    }
    const e = log.add(ev);
    p.apply(e);
    chains.apply(e);
    const o = 'orderId' in ev ? p.order(ev.orderId) : undefined;
    const report = o ? reportFor(1, e, o, chains) : undefined;
    const before = o ? impliedNewFor(1, e, o, chains) : undefined;
    chains.settle(e);
    return { report, before, seq: e.seq };
  });
}

describe('FIX reports from events', () => {
  it('an order filled on arrival (no OrderAcknowledged in the log): New, as the order stood before the fill, then the fill', () => {
    const r = deriveWithImplied([
      pending,
      { type: 'OrderAccepted', orderId: 7 },
      { type: 'OrderRouted', orderId: 7, venue: 'XNAS' },
      { type: 'OrderExecuted', orderId: 7, execId: 1, fillQty: 40, fillPrice: 227.5 },
      { type: 'OrderExecuted', orderId: 7, execId: 2, fillQty: 60, fillPrice: 228 },
    ]);
    expect(r.slice(0, 3).map((x) => x.before)).toEqual([undefined, undefined, undefined]);
    expect(r[3]!.before).toMatchObject({ execType: '0', ordStatus: '0', clOrdId: 'c1', cumQty: 0, leavesQty: 100, avgPx: 0, lastQty: 0, execId: `1.${r[3]!.seq}.0` });
    expect(r[3]!.report).toMatchObject({ execType: 'F', ordStatus: '1', cumQty: 40, leavesQty: 60, execId: `1.${r[3]!.seq}` });
    // Only the first fill: the order is working from then on.
    expect(r[4]!.before).toBeUndefined();
    expect(r[4]!.report).toMatchObject({ execType: 'F', ordStatus: '2' });
    // An acknowledged order owes no implied New.
    const acked = deriveWithImplied([
      pending,
      { type: 'OrderAccepted', orderId: 7 },
      { type: 'OrderRouted', orderId: 7, venue: 'XNAS' },
      { type: 'OrderAcknowledged', orderId: 7 },
      { type: 'OrderExecuted', orderId: 7, execId: 1, fillQty: 100, fillPrice: 228 },
    ]);
    expect(acked.map((x) => x.before)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('resumed from a checkpoint taken between the routing and a fill on arrival: the New is still owed', () => {
    const events: OrdoEvent[] = [
      pending,
      { type: 'OrderAccepted', orderId: 7 },
      { type: 'OrderRouted', orderId: 7, venue: 'XNAS' },
      { type: 'OrderExecuted', orderId: 7, execId: 1, fillQty: 100, fillPrice: 228 },
    ];
    const r = deriveWithImplied(events, {}, 3);
    expect(r[3]!.before).toMatchObject({ execType: '0', ordStatus: '0', clOrdId: 'c1', cumQty: 0, leavesQty: 100, execId: `1.${r[3]!.seq}.0` });
    expect(r[3]!.report).toMatchObject({ execType: 'F', ordStatus: '2', cumQty: 100, leavesQty: 0 });
    // Resumed after the acknowledgement: the order was not routed-and-unanswered at the checkpoint, no New owed.
    const acked = deriveWithImplied([...events.slice(0, 3), { type: 'OrderAcknowledged', orderId: 7 }, events[3]!], {}, 4);
    expect(acked[4]!.before).toBeUndefined();
  });

  it('new, partial and full fills: ExecType, OrdStatus, quantities, prices', () => {
    const r = derive([
      pending,
      { type: 'OrderAccepted', orderId: 7 },
      { type: 'OrderRouted', orderId: 7, venue: 'XNAS' },
      { type: 'OrderAcknowledged', orderId: 7 },
      { type: 'OrderExecuted', orderId: 7, execId: 1, fillQty: 40, fillPrice: 227.5 },
      { type: 'OrderExecuted', orderId: 7, execId: 2, fillQty: 60, fillPrice: 228 },
    ]);
    expect(r[0]).toMatchObject({ kind: 'exec', execType: 'A', ordStatus: 'A', clOrdId: 'c1', orderId: '7', leavesQty: 100, cumQty: 0 });
    // Accepted by risk and routed: still pending new for the client; New once the venue acknowledges.
    expect(r[1]).toBeUndefined();
    expect(r[2]).toBeUndefined();
    expect(r[3]).toMatchObject({ execType: '0', ordStatus: '0' });
    expect(r[4]).toMatchObject({ execType: 'F', ordStatus: '1', lastQty: 40, lastPx: 227.5, cumQty: 40, leavesQty: 60, avgPx: 227.5 });
    expect(r[5]).toMatchObject({ execType: 'F', ordStatus: '2', lastQty: 60, cumQty: 100, leavesQty: 0 });
    expect((r[5] as { avgPx: number }).avgPx).toBeCloseTo((40 * 227.5 + 60 * 228) / 100, 9);
    // ExecIDs are the events' session.seq: unique and the same on every derivation.
    const again = derive([pending, { type: 'OrderAccepted', orderId: 7 }]);
    expect(again[0]).toEqual(r[0]);
  });

  it('replace and cancel chains carry the client ClOrdIDs; rejects become OrderCancelReject with CxlRejReason', () => {
    // Seqs: the opening of the session takes 2 + reference events; find the request seqs by building once.
    const probe = new LogBuilder().openSession({ reference: loadReferenceData() }).events.length;
    const replaceSeq = probe + 5;
    const cancelSeq = probe + 7;
    const rejectSeq = probe + 9;
    const r = derive(
      [
        pending,
        { type: 'OrderAccepted', orderId: 7 },
        { type: 'OrderRouted', orderId: 7, venue: 'XNAS' },
        { type: 'OrderAcknowledged', orderId: 7 },
        { type: 'ReplaceRequested', orderId: 7, quantity: 150, price: 229 },
        { type: 'OrderReplaced', orderId: 7, quantity: 150, price: 229 },
        { type: 'CancelRequested', orderId: 7 },
        { type: 'CancelRejected', orderId: 7, reason: Reason.UNKNOWN_ORDER, text: 'venue lost it' },
        { type: 'CancelRequested', orderId: 7 },
        { type: 'OrderCancelled', orderId: 7, reason: Reason.TRADER_REQUEST },
      ],
      {
        [replaceSeq]: { clOrdId: 'c2', origClOrdId: 'c1' },
        [cancelSeq]: { clOrdId: 'c3', origClOrdId: 'c2' },
        [rejectSeq]: { clOrdId: 'c4', origClOrdId: 'c2' },
      },
    );
    expect(r[4]).toMatchObject({ execType: 'E', ordStatus: 'E', clOrdId: 'c2', origClOrdId: 'c1' });
    expect(r[5]).toMatchObject({ execType: '5', ordStatus: '0', clOrdId: 'c2', origClOrdId: 'c1', orderQty: 150, price: 229, leavesQty: 150 });
    expect(r[6]).toMatchObject({ execType: '6', ordStatus: '6', clOrdId: 'c3', origClOrdId: 'c2' });
    expect(r[7]).toMatchObject({ kind: 'cancelReject', clOrdId: 'c3', origClOrdId: 'c2', responseTo: '1', reason: 1, ordStatus: '0' });
    expect(r[8]).toMatchObject({ execType: '6', clOrdId: 'c4', origClOrdId: 'c2' });
    expect(r[9]).toMatchObject({ execType: '4', ordStatus: '4', clOrdId: 'c4', origClOrdId: 'c2', leavesQty: 0 });
  });

  it('rejections and expiries', () => {
    const r = derive([pending, { type: 'OrderRejected', orderId: 7, reason: Reason.ORDER_NOTIONAL_LIMIT, text: 'too big' }]);
    expect(r[1]).toMatchObject({ execType: '8', ordStatus: '8', ordRejReason: 3, leavesQty: 0 });
    expect((r[1] as { text: string }).text).toMatch(/ORDER_NOTIONAL_LIMIT: too big/);
    const x = derive([pending, { type: 'OrderAccepted', orderId: 7 }, { type: 'OrderExpired', orderId: 7, reason: Reason.DAY_ORDER_SESSION_END }]);
    expect(x[2]).toMatchObject({ execType: 'C', ordStatus: 'C', leavesQty: 0 });
  });
});
