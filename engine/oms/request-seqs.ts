import type { Sequenced } from '../protocol/events.ts';
import type { ReadonlyOrder } from './projection-types.ts';

/**
 * The ClOrdID an order was entered with, as the projection keeps it at any
 * later time (its `clientOrderId` is the current one, after replaces): the
 * base against which RequestSeqs records an order's first ClOrdID.
 */
export function enteredClientOrderId(o: ReadonlyOrder): string {
  // replaceCount first: origClientOrderIds copies the chain, and most orders were never replaced.
  return o.replaceCount > 0 ? o.origClientOrderIds[0]! : o.clientOrderId;
}

/**
 * Orders' cancel and replace requests by seq, folded from the log alone
 * (decision 176), so that a checkpoint can hold what the FIX acceptor's
 * ClOrdID chains (engine/fix/acceptor/reports.ts ClOrdIdChains) are at its
 * seq without knowing any ClOrdID: those live beside the log (the acceptor's
 * links, by the seq of the request event), and the acceptor resolves them
 * when it resumes. This fold mirrors ClOrdIdChains step for step: a request
 * takes its link's ids, else the order's current ClOrdID at the time of the
 * request; a settle (OrderReplaced, OrderCancelled) makes the answered
 * request's ClOrdID the order's current one.
 *
 * Per order (only orders that had a request, or whose first ClOrdID is not
 * the projection's): its requests, each with the order's current value when
 * it was made (`prev`: an index into the requests, -1 for the first
 * ClOrdID); the current value; the cancel and the replace in flight; and the
 * current value after each settle (the acceptor indexes every ClOrdID an
 * order has had).
 */
export interface OrderRequests {
  /** The ClOrdID the order came with when it is not the projection's `clientOrderId` (an OrderRestored carrying a replaced order), else undefined. */
  first: string | undefined;
  seqs: number[];
  prevs: number[];
  current: number;
  cancel: number;
  replace: number;
  settled: number[];
}

const NONE = -2;

export class RequestSeqs {
  constructor(readonly orders: Map<number, OrderRequests> = new Map()) {}

  /**
   * Call for every event, in order, after the projection applied it.
   * `enteredCoid` is `enteredClientOrderId` of the event's order in the
   * projection (undefined: no such order), to tell when the ClOrdID an order
   * comes with (an OrderRestored's is its current one) must be kept here.
   */
  apply(e: Sequenced, enteredCoid: (orderId: number) => string | undefined): void {
    const ev = e.event;
    switch (ev.type) {
      case 'OrderPending':
      case 'OrderRestored': {
        this.orders.delete(ev.orderId);
        if (ev.clientOrderId !== enteredCoid(ev.orderId)) this.orders.set(ev.orderId, fresh(ev.clientOrderId));
        break;
      }
      case 'CancelRequested':
      case 'ReplaceRequested': {
        if (enteredCoid(ev.orderId) === undefined) break; // ClOrdIdChains knows no such order either
        let o = this.orders.get(ev.orderId);
        if (o === undefined) this.orders.set(ev.orderId, (o = fresh(undefined)));
        o.seqs.push(e.seq);
        o.prevs.push(o.current);
        if (ev.type === 'CancelRequested') o.cancel = o.seqs.length - 1;
        else o.replace = o.seqs.length - 1;
        break;
      }
      case 'OrderReplaced':
      case 'ReplaceRejected':
      case 'OrderCancelled':
      case 'CancelRejected': {
        const o = this.orders.get(ev.orderId);
        if (o === undefined) break; // no request ever: the current ClOrdID stays the first one
        if (ev.type === 'OrderReplaced' && o.replace !== NONE) o.current = o.replace;
        if (ev.type === 'OrderCancelled' && o.cancel !== NONE) o.current = o.cancel;
        if (ev.type === 'OrderReplaced' || ev.type === 'ReplaceRejected') o.replace = NONE;
        else o.cancel = NONE;
        if (ev.type === 'OrderReplaced' || ev.type === 'OrderCancelled') o.settled.push(o.current);
        break;
      }
      default:
        break;
    }
  }

  /** In columns for a checkpoint (hundreds of thousands of small objects decode slowly). */
  pack(): PackedRequests {
    const n = this.orders.size;
    const orderIds = new Float64Array(n);
    const current = new Int32Array(n);
    const cancel = new Int32Array(n);
    const replace = new Int32Array(n);
    const requestCount = new Int32Array(n);
    const settledCount = new Int32Array(n);
    const seqs: number[] = [];
    const prevs: number[] = [];
    const settled: number[] = [];
    const first: [number, string][] = [];
    let i = 0;
    for (const [id, o] of this.orders) {
      orderIds[i] = id;
      current[i] = o.current;
      cancel[i] = o.cancel;
      replace[i] = o.replace;
      requestCount[i] = o.seqs.length;
      settledCount[i] = o.settled.length;
      for (let k = 0; k < o.seqs.length; k++) {
        seqs.push(o.seqs[k]!);
        prevs.push(o.prevs[k]!);
      }
      for (const s of o.settled) settled.push(s);
      if (o.first !== undefined) first.push([id, o.first]);
      i++;
    }
    return {
      orderIds, current, cancel, replace, requestCount, settledCount,
      seqs: Float64Array.from(seqs), prevs: Int32Array.from(prevs), settled: Int32Array.from(settled), first,
    };
  }

  /** From a checkpoint's columns (throws for columns that do not add up). */
  static unpack(p: PackedRequests): RequestSeqs {
    const n = p.orderIds.length;
    const firsts = new Map(p.first);
    const orders = new Map<number, OrderRequests>();
    let r = 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const id = p.orderIds[i]!;
      const rc = p.requestCount[i]!;
      const sc = p.settledCount[i]!;
      const o: OrderRequests = {
        first: firsts.get(id),
        seqs: Array.from(p.seqs.subarray(r, r + rc)),
        prevs: Array.from(p.prevs.subarray(r, r + rc)),
        current: p.current[i]!,
        cancel: p.cancel[i]!,
        replace: p.replace[i]!,
        settled: Array.from(p.settled.subarray(s, s + sc)),
      };
      r += rc;
      s += sc;
      orders.set(id, o);
    }
    if (r !== p.seqs.length || s !== p.settled.length) throw new Error('request columns do not add up');
    return new RequestSeqs(orders);
  }
}

/** RequestSeqs in columns (see `pack`). */
export interface PackedRequests {
  readonly orderIds: Float64Array;
  readonly current: Int32Array;
  readonly cancel: Int32Array;
  readonly replace: Int32Array;
  readonly requestCount: Int32Array;
  readonly settledCount: Int32Array;
  readonly seqs: Float64Array;
  readonly prevs: Int32Array;
  readonly settled: Int32Array;
  readonly first: readonly (readonly [number, string])[];
}

/** A well-formed PackedRequests (a checkpoint's bytes are checked before use). */
export function isPackedRequests(x: unknown): x is PackedRequests {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as PackedRequests;
  const n = p.orderIds instanceof Float64Array ? p.orderIds.length : -1;
  const cols = [p.current, p.cancel, p.replace, p.requestCount, p.settledCount];
  return (
    n >= 0 && cols.every((c) => c instanceof Int32Array && c.length === n) && p.seqs instanceof Float64Array && p.prevs instanceof Int32Array &&
    p.prevs.length === p.seqs.length && p.settled instanceof Int32Array && Array.isArray(p.first) &&
    p.first.every((f) => Array.isArray(f) && typeof f[0] === 'number' && typeof f[1] === 'string') &&
    p.requestCount.reduce((a, b) => a + b, 0) === p.seqs.length && p.settledCount.reduce((a, b) => a + b, 0) === p.settled.length
  );
}

function fresh(first: string | undefined): OrderRequests {
  return { first, seqs: [], prevs: [], current: -1, cancel: NONE, replace: NONE, settled: [] };
}

/** What an index of OrderRequests stands for: none (-2), the first ClOrdID (-1), or a request. */
export const REQUEST_NONE = NONE;
