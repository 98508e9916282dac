import type {
  AlertView,
  ClientView,
  FillView,
  InstrumentView,
  OrderView,
  SessionView,
  StateView,
} from '../../contract/api.ts';
import type {
  AlertRecord,
  FillRecord,
  InstrumentInfo,
  OmsProjection,
  ReadonlyClient,
  ReadonlyOrder,
} from './projection.ts';

/**
 * Contract views of the projection for the API and the UI. Pure copies: a
 * view never aliases the projection's mutable state. Component heartbeat data
 * and market data (last/bid/ask, eventRate) are the host's to add.
 */

/** One order as the API shows it. */
export function orderView(o: ReadonlyOrder): OrderView {
  const v: OrderView = {
    orderId: o.orderId,
    clientId: o.clientId,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    orderType: o.orderType,
    quantity: o.quantity,
    price: o.price,
    timeInForce: o.timeInForce,
    state: o.state,
    stage: o.stage,
    filledQuantity: o.filledQuantity,
    leavesQuantity: o.leavesQuantity,
    avgPrice: o.avgPrice,
    // The trader's "time" of an order is when it was entered, also for one carried from an earlier session.
    createdTs: o.enteredTs,
    updatedTs: o.updatedTs,
    eventSeqs: o.eventSeqs.slice(),
  };
  if (o.venue !== undefined) v.venue = o.venue;
  if (o.rejectReason !== undefined) v.rejectReason = o.rejectReason;
  if (o.expireAt > 0) v.expireTime = new Date(Math.floor(o.expireAt / 1000)).toISOString();
  const chain = o.origClientOrderIds;
  if (chain.length > 0) v.origClientOrderIds = [...chain];
  // Waiting for the router with a venue already named: it was at the venue and was parked (decision 075).
  if (o.stage === 'accepted' && o.venue !== undefined) v.parked = true;
  return v;
}

export function fillView(f: FillRecord): FillView {
  return {
    execId: f.execId,
    orderId: f.orderId,
    symbol: f.symbol,
    side: f.side,
    quantity: f.quantity,
    price: f.price,
    seq: f.seq,
    ts: f.ts,
  };
}

/** An instrument as the API shows it: InstrumentAdded's fields (same names, decision 066) but the round lot, which is information only. */
export function instrumentView(i: InstrumentInfo): InstrumentView {
  const { roundLot: _roundLot, ...v } = i;
  return v;
}

/** A known client's view; undefined for a client no ClientAdded named. */
export function clientView(c: ReadonlyClient): ClientView | undefined {
  const info = c.info;
  if (info === undefined) return undefined;
  return {
    clientId: c.clientId,
    name: info.name,
    maxOrderNotional: info.maxOrderNotional,
    maxOpenNotional: info.maxOpenNotional,
    allowedSymbols: [...info.allowedSymbols],
    openNotional: c.openNotional,
  };
}

export function alertView(a: AlertRecord): AlertView {
  return { instance: a.instance, kind: a.kind, message: a.message, seq: a.seq, ts: a.ts };
}

/** The session part of the state; `eventRate` is 0 here (the host measures it). */
export function sessionView(p: OmsProjection): SessionView {
  const s = p.session;
  return { id: s.id, state: s.state, seq: p.lastSeq, eventRate: 0 };
}

/** Orders in the order they first appeared. */
export function orderViews(p: OmsProjection): OrderView[] {
  const out: OrderView[] = [];
  for (const o of p.orders()) out.push(orderView(o));
  return out;
}

/** Fills in log order. */
export function fillViews(p: OmsProjection): FillView[] {
  return [...p.fills()].map(fillView);
}

/** Instruments sorted by symbol. */
export function instrumentViews(p: OmsProjection): InstrumentView[] {
  // The reference price in force at the projection's seq (risk's latest mark), also in the time machine's past.
  return [...p.instruments.values()]
    .map((i) => ({ ...instrumentView(i), referencePrice: p.referencePrice(i.symbol) ?? i.referencePrice }))
    .sort((a, b) => compare(a.symbol, b.symbol));
}

/** Known clients sorted by clientId. */
export function clientViews(p: OmsProjection): ClientView[] {
  const out: ClientView[] = [];
  for (const c of p.clients()) {
    const v = clientView(c);
    if (v !== undefined) out.push(v);
  }
  return out.sort((a, b) => compare(a.clientId, b.clientId));
}

/** Open alerts, in the order raised. */
export function alertViews(p: OmsProjection): AlertView[] {
  return [...p.alerts()].map(alertView);
}

/**
 * The whole state as the contract's StateView, with `components: []` (the
 * host fills those from heartbeats and `p.isActive`). Pass `asOfSeq` when
 * this is the time machine's view.
 */
export function toStateView(p: OmsProjection, asOfSeq?: number): StateView {
  const v: StateView = {
    session: sessionView(p),
    instruments: instrumentViews(p),
    clients: clientViews(p),
    orders: orderViews(p),
    fills: fillViews(p),
    components: [],
    alerts: alertViews(p),
  };
  if (asOfSeq !== undefined) v.asOfSeq = asOfSeq;
  return v;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
