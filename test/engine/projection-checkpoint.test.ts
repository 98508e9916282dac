import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointFormatError, decodeProjection, encodeProjection } from '../../engine/oms/checkpoint-codec.ts';
import { CHUNK } from '../../engine/oms/order-table/chunks.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { OrdoEvent, Sequenced } from '../../engine/protocol/events.ts';
import { Prng } from '../../engine/venue/prng.ts';

/**
 * Checkpoint + tail == full replay (decision 085): the projection encoded at
 * a seq, decoded, and fed the rest of the log hashes equal to one fed the
 * whole log, for random logs (legal lives, races, refused requests, noise)
 * and at the column chunks' edges (CHUNK orders, CHUNK fills).
 */

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'ZZZZ'];
const CLIENTS = ['ALPHA', 'BETA', 'NOBODY'];

/** A random session of about `orders` order lives interleaved, with noise; every kind of order event appears. */
function randomLog(seed: number, orders: number): Sequenced[] {
  // The project's seeded generator: the same log for the same seed.
  const prng = new Prng(seed);
  const r = (): number => prng.float();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const b = new LogBuilder().openSession({ reference: loadReferenceData() });
  const live: { id: number; step: number; qty: number }[] = [];
  let nextId = 1;
  while (nextId <= orders || live.length > 0) {
    if (nextId <= orders && (live.length < 40 || r() < 0.3)) {
      const qty = 1 + Math.floor(r() * 500);
      const id = nextId++;
      b.add({ type: 'OrderPending', orderId: id, clientId: pick(CLIENTS), clientOrderId: `c${id}-${Math.floor(r() * 3)}`, symbol: pick(SYMBOLS),
        side: pick(['buy', 'sell'] as const), orderType: pick(['limit', 'market'] as const), timeInForce: pick(['day', 'gtc', 'ioc'] as const),
        quantity: qty, price: 100 + Math.floor(r() * 1000) / 100 }, 'proxy-1');
      live.push({ id, step: 0, qty });
      continue;
    }
    const k = Math.floor(r() * live.length);
    const o = live[k]!;
    const ev = nextStep(o, r);
    if (ev === undefined) live.splice(k, 1);
    else b.add(ev.event, ev.src);
    if (r() < 0.01) b.add({ type: 'AlertRaised', instance: pick(['risk-1', 'gw-1']), kind: 'stale', message: 'silent' }, 'monitor-1');
    if (r() < 0.005) b.add({ type: 'AlertCleared', instance: pick(['risk-1', 'gw-1']), kind: 'stale' }, 'monitor-1');
    if (r() < 0.002) b.add({ type: 'ComponentActivated', role: 'risk', instance: pick(['risk-1', 'risk-2']) });
  }
  return b.events;
}

/** The next event of one order's life (some refused or racing on purpose), or undefined when it is over. */
function nextStep(o: { id: number; step: number; qty: number }, r: () => number): { event: OrdoEvent; src: string } | undefined {
  const orderId = o.id;
  o.step++;
  switch (o.step) {
    case 1:
      return r() < 0.05 ? { event: { type: 'OrderRejected', orderId, reason: 105, text: 'limit' }, src: 'risk-1' } : { event: { type: 'OrderAccepted', orderId }, src: 'risk-1' };
    case 2:
      return { event: { type: 'OrderRouted', orderId, venue: 'XNAS' }, src: 'router-1' };
    case 3:
      return { event: { type: 'OrderAcknowledged', orderId }, src: 'gateway-1' };
    case 4:
      if (r() < 0.15) return { event: { type: 'ReplaceRequested', orderId, quantity: o.qty + 10, price: 101, clientOrderId: `r${orderId}` }, src: 'proxy-1' };
      if (r() < 0.15) return { event: { type: 'CancelRequested', orderId }, src: 'proxy-1' };
      return { event: { type: 'OrderExecuted', orderId, execId: 1, fillQty: Math.max(1, Math.floor(o.qty / 3)), fillPrice: 100.5 }, src: 'gateway-1' };
    case 5: {
      const x = r();
      if (x < 0.2) return { event: { type: 'OrderReplaced', orderId, quantity: o.qty + 10, price: 101 }, src: 'gateway-1' };
      if (x < 0.35) return { event: { type: 'OrderCancelled', orderId, reason: 405 }, src: 'gateway-1' };
      if (x < 0.45) return { event: { type: 'CancelRejected', orderId, reason: 201, text: 'too late' }, src: 'gateway-1' };
      if (x < 0.5) return { event: { type: 'OrderExpired', orderId, reason: 404 }, src: 'gateway-1' };
      return { event: { type: 'OrderExecuted', orderId, execId: 2, fillQty: o.qty, fillPrice: 100.25 }, src: 'gateway-1' };
    }
    case 6:
      return r() < 0.5 ? { event: { type: 'OrderExecuted', orderId, execId: 3, fillQty: 1, fillPrice: 99 }, src: 'gateway-1' } : undefined;
    default:
      return undefined;
  }
}

/** Encodes the projection at each of `at` while folding `events`; then each decoded one + its tail must equal the whole fold. */
function checkAll(events: readonly Sequenced[], at: ReadonlySet<number>): number {
  const whole = new OmsProjection();
  const taken: { seq: number; bytes: Buffer; hash: string }[] = [];
  for (const e of events) {
    whole.apply(e);
    if (at.has(e.seq)) taken.push({ seq: e.seq, bytes: encodeProjection(whole), hash: whole.stateHash() });
  }
  const expected = whole.stateHash();
  for (const t of taken) {
    const p = decodeProjection(t.bytes);
    expect(p.lastSeq).toBe(t.seq);
    expect(p.stateHash(), `decoded at seq ${t.seq}`).toBe(t.hash);
    for (let i = t.seq; i < events.length; i++) p.apply(events[i]!);
    expect(p.stateHash(), `checkpoint ${t.seq} + tail`).toBe(expected);
  }
  return taken.length;
}

describe('projection checkpoints: checkpoint + tail == full replay', () => {
  it('holds for random logs at random seqs (property, seeded)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }), (seed, points) => {
        const events = randomLog(seed, 300);
        const at = new Set(points.map((x) => 1 + Math.floor(x * (events.length - 1))));
        expect(checkAll(events, at)).toBe(at.size);
      }),
      { numRuns: 25 },
    );
  });

  it('holds right before, at and after the column chunks fill (CHUNK orders and CHUNK fills)', () => {
    const events = randomLog(7, CHUNK + 600);
    const at = new Set<number>();
    const p = new OmsProjection();
    for (const e of events) {
      const orders = p.orderCount;
      const fills = p.fillCount;
      p.apply(e);
      for (const edge of [CHUNK - 1, CHUNK, CHUNK + 1]) {
        if (orders < edge && p.orderCount >= edge) at.add(e.seq);
        if (fills < edge && p.fillCount >= edge) at.add(e.seq);
      }
    }
    expect(at.size).toBeGreaterThanOrEqual(5);
    at.add(events.length);
    expect(checkAll(events, at)).toBe(at.size);
  });

  it('uses what the decoded projection answers for lookups (clientOrderId index, replace history, fills)', () => {
    const events = randomLog(11, 200);
    const half = Math.floor(events.length / 2);
    const a = new OmsProjection();
    a.applyAll(events.slice(0, half));
    const b = decodeProjection(encodeProjection(a));
    // The lazily built clientOrderId index is built after decoding as before.
    expect(b.orderIdForClientOrderId('ALPHA', 'c1-0')).toBe(a.orderIdForClientOrderId('ALPHA', 'c1-0'));
    for (let id = 1; id <= 60; id++) {
      expect(b.originalTerms(id)).toEqual(a.originalTerms(id));
      expect(b.fillsOf(id)).toEqual(a.fillsOf(id));
    }
    expect([...b.orders()].map((o) => o.stage)).toEqual([...a.orders()].map((o) => o.stage));
  });

  it('refuses bytes it cannot trust with a CheckpointFormatError (never a half-made projection)', () => {
    const p = new OmsProjection();
    p.applyAll(randomLog(3, 20));
    const good = encodeProjection(p);
    expect(() => decodeProjection(Buffer.from('not a checkpoint'))).toThrow(CheckpointFormatError);
    expect(() => decodeProjection(good.subarray(0, good.length >> 1))).toThrow(CheckpointFormatError);
  });
});
