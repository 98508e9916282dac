import { describe, expect, it } from 'vitest';
import { decodeProjection, encodeProjection } from '../../engine/oms/checkpoint-codec.ts';
import { CHUNK } from '../../engine/oms/order-table/chunks.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { OrdoEvent, Sequenced } from '../../engine/protocol/events.ts';
import { Prng } from '../../engine/venue/prng.ts';

/**
 * The projection builds two things lazily (decision 293): the orders' seq chains (a replay appends each
 * event's seq; the chains are linked when one is read) and each client's clientOrderId index (decision 272).
 * Every read path must answer the same whatever was read before: order history (eventSeqs), the blotter's
 * orderTouchedSeq, clientOrderId lookups, the state hash, and checkpoints written while links or the index
 * are still pending.
 */

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA'];
const CLIENTS = ['ALPHA', 'BETA'];

/** A seeded session of `orders` interleaved order lives: fills, refused and accepted cancels and replaces, events for unknown orders. */
function session(seed: number, orders: number): Sequenced[] {
  const prng = new Prng(seed);
  const r = (): number => prng.float();
  const b = new LogBuilder().openSession({ reference: loadReferenceData() });
  const live: { id: number; step: number }[] = [];
  let next = 1;
  while (next <= orders || live.length > 0) {
    if (next <= orders && (live.length < 50 || r() < 0.3)) {
      const id = next++;
      b.add({ type: 'OrderPending', orderId: id, clientId: CLIENTS[id & 1]!, clientOrderId: `c${id}`, symbol: SYMBOLS[id % 3]!, side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 300, price: 100 }, 'proxy-1');
      live.push({ id, step: 0 });
      continue;
    }
    const k = Math.floor(r() * live.length);
    const o = live[k]!;
    const orderId = o.id;
    const steps: (OrdoEvent | undefined)[] = [
      { type: 'OrderAccepted', orderId },
      { type: 'OrderRouted', orderId, venue: 'XNAS' },
      r() < 0.2 ? { type: 'CancelRequested', orderId } : { type: 'OrderExecuted', orderId, execId: 1, fillQty: 100, fillPrice: 100 },
      r() < 0.2 ? { type: 'ReplaceRequested', orderId, quantity: 400, price: 101, clientOrderId: `r${orderId}` } : { type: 'OrderExecuted', orderId, execId: 2, fillQty: 100, fillPrice: 100 },
      r() < 0.5 ? { type: 'OrderReplaced', orderId, quantity: 400, price: 101 } : { type: 'OrderCancelled', orderId, reason: 405 },
      undefined,
    ];
    const ev = steps[o.step++];
    if (ev === undefined) live.splice(k, 1);
    else b.add(ev, ev.type === 'OrderAccepted' ? 'risk-1' : ev.type === 'OrderRouted' ? 'router-1' : 'gateway-1');
    // An event for an order that does not exist touches nothing.
    if (r() < 0.01) b.add({ type: 'OrderAccepted', orderId: 10_000_000 }, 'risk-1');
  }
  return b.events;
}

/** Everything the lazily built parts answer, for every order. */
function answers(p: OmsProjection): unknown[] {
  const out: unknown[] = [];
  for (let r = 0; r < p.orderCount; r++) {
    const o = p.order(p.orders(r).next().value!.orderId)!;
    out.push([o.orderId, o.eventSeqs, p.orderTouchedSeq(r), p.orderIdForClientOrderId(o.clientId, o.clientOrderId)]);
  }
  return out;
}

describe('lazily linked seq chains and the clientOrderId index answer as if built eagerly', () => {
  // Past one chunk of seq links and orders (CHUNK each), so linking crosses chunk edges.
  const events = session(17, Math.ceil(CHUNK / 3));

  it('order history and touched seqs read at the end equal those read after every event', () => {
    expect(events.length).toBeGreaterThan(CHUNK + 100);
    const eager = new OmsProjection();
    const lazy = new OmsProjection();
    for (const e of events) {
      eager.apply(e);
      // Reading after every event links every seq as soon as it is appended.
      const id = (e.event as { orderId?: number }).orderId;
      if (id !== undefined) {
        const r = eager.orderRow(id);
        if (r >= 0) expect(eager.orderTouchedSeq(r)).toBe(e.seq);
      }
      lazy.apply(e);
    }
    expect(lazy.stateHash()).toBe(eager.stateHash());
    expect(answers(lazy)).toEqual(answers(eager));
  });

  it('an order read in the middle of its life, then again, lists its seqs in order once each', () => {
    const b = new LogBuilder().openSession({ reference: loadReferenceData() });
    const add = (id: number, coid: string) => b.add({ type: 'OrderPending', orderId: id, clientId: 'ALPHA', clientOrderId: coid, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 10, price: 100 }, 'proxy-1');
    const p = new OmsProjection();
    for (const e of b.events) p.apply(e);
    const a = add(1, 'A').seq;
    const other = add(2, 'B').seq;
    const accepted = b.add({ type: 'OrderAccepted', orderId: 1 }, 'risk-1').seq;
    for (const e of b.events.slice(p.lastSeq)) p.apply(e);
    expect(p.order(1)!.eventSeqs).toEqual([a, accepted]);
    expect(p.orderTouchedSeq(p.orderRow(1))).toBe(accepted);
    const routed = b.add({ type: 'OrderRouted', orderId: 1, venue: 'XNAS' }, 'router-1').seq;
    b.add({ type: 'OrderAccepted', orderId: 2 }, 'risk-1');
    const filled = b.add({ type: 'OrderExecuted', orderId: 1, execId: 1, fillQty: 10, fillPrice: 100 }, 'gateway-1').seq;
    for (const e of b.events.slice(p.lastSeq)) p.apply(e);
    expect(p.order(1)!.eventSeqs).toEqual([a, accepted, routed, filled]);
    expect(p.order(2)!.eventSeqs).toEqual([other, p.lastSeq - 1]);
    expect(p.orderTouchedSeq(p.orderRow(1))).toBe(filled);
    expect(p.orderIdForClientOrderId('ALPHA', 'B')).toBe(2);
  });

  it('a checkpoint written with links and the index pending decodes to the same answers, and the same after its tail', () => {
    const whole = new OmsProjection();
    for (const e of events) whole.apply(e);
    const expected = answers(whole);
    const hash = whole.stateHash();
    for (const cut of [Math.floor(events.length / 3), Math.floor((2 * events.length) / 3)]) {
      const p = new OmsProjection();
      for (const e of events.slice(0, cut)) p.apply(e);
      // Half the way: something read (links and index built up to here), then more applied unread.
      const half = Math.floor(cut / 2);
      const q = new OmsProjection();
      for (const e of events.slice(0, half)) q.apply(e);
      answers(q);
      for (const e of events.slice(half, cut)) q.apply(e);
      for (const source of [p, q]) {
        expect(source.clientOrderIdsIndexed).toBe(false);
        const decoded = decodeProjection(encodeProjection(source));
        expect(decoded.stateHash()).toBe(source.stateHash());
        for (const e of events.slice(cut)) decoded.apply(e);
        expect(decoded.stateHash()).toBe(hash);
        expect(answers(decoded)).toEqual(expected);
      }
    }
  });
});
