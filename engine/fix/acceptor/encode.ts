import type { ILooseObject } from 'jspurefix';
import { fixOrdType, fixSide, fixTif } from '../fields.ts';
import type { CancelReject, ClientReport, ExecReport } from './reports.ts';

/** A report as jspurefix's FIX 4.4 message object: [MsgType, body]. */
export function encodeReport(r: ClientReport): [string, ILooseObject] {
  return r.kind === 'exec' ? ['8', encodeExec(r)] : ['9', encodeCancelReject(r)];
}

function time(tsMicros: number): Date {
  return new Date(Math.floor(tsMicros / 1000));
}

function encodeExec(r: ExecReport): ILooseObject {
  const o: ILooseObject = {
    OrderID: r.orderId,
    ClOrdID: r.clOrdId,
    ...(r.origClOrdId !== undefined ? { OrigClOrdID: r.origClOrdId } : {}),
    ExecID: r.execId,
    ExecType: r.execType,
    OrdStatus: r.ordStatus,
    ...(r.ordRejReason !== undefined ? { OrdRejReason: r.ordRejReason } : {}),
    Instrument: { Symbol: r.symbol },
    Side: fixSide(r.side),
    OrderQtyData: { OrderQty: r.orderQty },
    OrdType: fixOrdType(r.ordType),
    ...(r.ordType === 'limit' ? { Price: r.price } : {}),
    TimeInForce: fixTif(r.timeInForce),
    LastQty: r.lastQty,
    LastPx: r.lastPx,
    LeavesQty: r.leavesQty,
    CumQty: r.cumQty,
    AvgPx: r.avgPx,
    TransactTime: time(r.ts),
    ...(r.text !== undefined ? { Text: r.text } : {}),
  };
  return o;
}

function encodeCancelReject(r: CancelReject): ILooseObject {
  return {
    OrderID: r.orderId,
    ClOrdID: r.clOrdId,
    OrigClOrdID: r.origClOrdId,
    OrdStatus: r.ordStatus,
    CxlRejResponseTo: r.responseTo,
    CxlRejReason: r.reason,
    Text: r.text,
    TransactTime: time(r.ts),
  };
}
