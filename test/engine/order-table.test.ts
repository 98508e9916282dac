import { describe, expect, it } from 'vitest';
import { ORDER_TYPES, SIDES, TIME_IN_FORCE } from '../../contract/domain.ts';
import { ORDER_STAGES } from '../../engine/protocol/events.ts';
import { BytePool, POOL_CHUNK } from '../../engine/oms/order-table/byte-pool.ts';
import { CHUNK } from '../../engine/oms/order-table/chunks.ts';
import { FIRST_NAMES, isTerminalCode, LIMIT, orderTypeCode, sideCode, stateCode, timeInForceCode } from '../../engine/oms/order-table/codes.ts';
import { MAX_DENSE_GAP } from '../../engine/oms/order-table/id-index.ts';
import { OrderTable } from '../../engine/oms/order-table/order-table.ts';

describe('order-table codes', () => {
  it('come from the domain arrays, not from counted positions', () => {
    for (const s of SIDES) expect(FIRST_NAMES[sideCode(s)]).toBe(s);
    for (const t of ORDER_TYPES) expect(FIRST_NAMES[orderTypeCode(t)]).toBe(t);
    for (const f of TIME_IN_FORCE) expect(FIRST_NAMES[timeInForceCode(f)]).toBe(f);
    expect(LIMIT).toBe(orderTypeCode('limit'));
    expect(sideCode('short')).toBe(-1);
    for (const s of ORDER_STAGES) expect(isTerminalCode(stateCode(s))).toBe(['filled', 'cancelled', 'rejected', 'expired'].includes(s));
  });
});

describe('BytePool', () => {
  it('gives back every string across chunk rollovers, and refuses non-ASCII', () => {
    const pool = new BytePool();
    const put: [number, string][] = [];
    // 23-byte strings do not divide 64 KiB: some land where the previous chunk has no room left.
    for (let i = 0; i < 3 * (POOL_CHUNK / 23); i++) {
      const s = `id-${String(i).padStart(20, '0')}`;
      put.push([pool.putAscii(s), s]);
    }
    const long = 'L'.repeat(POOL_CHUNK + 5);
    put.push([pool.putAscii(long), long]);
    put.push([pool.putAscii('after'), 'after']);
    expect(put.map(([at, s]) => pool.ascii(at, s.length))).toEqual(put.map(([, s]) => s));
    expect(put.some(([at]) => at >= 3 * POOL_CHUNK)).toBe(true);
    expect(pool.putAscii('ordré')).toBe(-1);
    expect(pool.putAscii('')).toBe(0);
  });

  it('gives back strings whatever the first one is (the first chunk is small unless its first string is longer)', () => {
    for (const first of ['a', 'b'.repeat(300), 'c'.repeat(POOL_CHUNK + 1)]) {
      const pool = new BytePool();
      const put: [number, string][] = [[pool.putAscii(first), first]];
      for (let i = 0; i < 400; i++) put.push([pool.putAscii(`s${i}`.repeat(1 + (i % 7))), `s${i}`.repeat(1 + (i % 7))]);
      expect(put.map(([at, s]) => pool.ascii(at, s.length))).toEqual(put.map(([, s]) => s));
    }
  });
});

describe('OrderTable', () => {
  it('keeps every field of orders across chunks, with dense and sparse ids and non-ASCII clientOrderIds', () => {
    const base = 100;
    const t = new OrderTable(base);
    const ids: number[] = [];
    const n = 2 * CHUNK + 10;
    for (let k = 0; k < n; k++) {
      // Mostly sequential; every 1000th far ahead (sparse), every 777th below the base (sparse).
      const id = k % 1000 === 999 ? 1e9 + k : k % 777 === 776 ? base - 1 - (k % 50) - Math.floor(k / 777) * 50 : base + k;
      ids.push(id);
      const coid = k % 3 === 0 ? `注文-${k}` : `c-${k}`;
      const r = t.add(id, k % 5, coid, k % 2 ? 'X' : 'Y', SIDES[k % 2]!, ORDER_TYPES[k % 2]!, TIME_IN_FORCE[k % 3]!, k + 1, k / 4, k / 8, k, k * 10);
      expect(r).toBe(k);
    }
    expect(t.size).toBe(n);
    expect(t.sparseIds).toBeGreaterThan(0);
    // Change rows of the first chunk after later chunks exist.
    // Through the table's cursors, one per chunk: seek by orderId, at by row; a cursor moves within its chunk.
    const o = t.seek(ids[0]!)!;
    o.setState(stateCode('routed'));
    o.setCancelPending(true);
    expect(t.at(1)).toBe(o);
    expect(o.r).toBe(1);
    o.setReplacePending(true);
    const p = t.seek(ids[CHUNK]!)!;
    expect(p).not.toBe(o);
    expect([p.r, p.orderId(), o.r, o.orderId()]).toEqual([CHUNK, ids[CHUNK], 1, ids[1]]);
    p.setVenue('Vé');
    t.at(0).touch(99_999, 5);
    expect(t.at(0).bookFill(7, 1, 2.5, 100_000, 6)).toBe(0);
    expect([t.at(0).hasExec(7), t.at(1).hasExec(7), t.at(0).state(), t.at(0).cancelPending(), t.at(1).replacePending()]).toEqual([
      true, false, stateCode('routed'), true, true,
    ]);
    expect(t.seek(base + n + MAX_DENSE_GAP * 10)).toBeUndefined();
    // Collected and compared once (an expect per row costs seconds).
    const got: unknown[] = [];
    const want: unknown[] = [];
    for (let k = 0; k < n; k++) {
      const r = t.row(ids[k]!);
      got.push([
        r, t.orderId(r), t.clientOrderId(r), t.client(r), t.symbol(r), t.side(r), t.orderType(r), t.timeInForce(r), t.quantity(r), t.price(r),
        t.valuationPrice(r), t.createdTs(r), t.isLimit(r),
      ]);
      want.push([
        k, ids[k], k % 3 === 0 ? `注文-${k}` : `c-${k}`, k % 5, k % 2 ? 'X' : 'Y', SIDES[k % 2], ORDER_TYPES[k % 2], TIME_IN_FORCE[k % 3], k + 1, k / 4,
        k / 8, k * 10, ORDER_TYPES[k % 2] === 'limit',
      ]);
    }
    expect(got).toEqual(want);
    expect([t.stateName(0), t.cancelPending(0), t.replacePending(0), t.eventSeqs(0), t.updatedTs(0)]).toEqual(['routed', true, false, [0, 99_999], 5]);
    expect([t.stateName(1), t.replacePending(1), t.cancelPending(1)]).toEqual(['pending', true, false]);
    expect([t.venue(CHUNK), t.venue(0)]).toEqual(['Vé', undefined]);
    expect([t.hasExec(0, 7), t.hasExec(0, 8), t.hasExec(1, 7), t.fills.size, t.fills.orderId(t.lastFill(0))]).toEqual([true, false, false, 1, ids[0]]);
    t.at(0).clearPending();
    expect([t.cancelPending(0), t.replacePending(0)]).toEqual([false, false]);
    expect(t.row(base + n + MAX_DENSE_GAP * 10)).toBe(-1);
  });

  it('keeps a state outside ORDER_STATES by name', () => {
    const t = new OrderTable(1);
    t.add(1, 0, 'a', 'X', 'buy', 'limit', 'day', 1, 1, 1, 1, 1);
    t.at(0).setStateName('suspended');
    expect(t.stateName(0)).toBe('suspended');
    expect(t.isTerminal(0)).toBe(false);
    t.at(0).setStateName('filled');
    expect([t.stateName(0), t.isTerminal(0)]).toEqual(['filled', true]);
  });
});

describe('order-table writes given the event (decision 266)', () => {
  it('addAt, touchAt and bookFillOf write the same columns as add, touch and bookFill', () => {
    const byNumbers = new OrderTable(1);
    const byEvents = new OrderTable(1);
    const ts = 1_767_225_600_075_000.5;
    for (let k = 0; k < 3; k++) {
      byNumbers.add(k + 1, k, `c-${k}`, 'X', 'buy', 'limit', 'day', 10, 158.59 + k, 158.59 + k, 3 * k + 1, ts + k);
      byEvents.addAt(k + 1, k, `c-${k}`, 'X', 'buy', 'limit', 'day', 10, { price: 158.59 + k, valuation: 158.59 + k }, { seq: 3 * k + 1, ts: ts + k });
    }
    for (let k = 0; k < 3; k++) {
      byNumbers.at(k).touch(3 * k + 2, ts + 10 + k);
      byEvents.at(k).touchAt({ seq: 3 * k + 2, ts: ts + 10 + k });
      const a = byNumbers.at(k).bookFill(k + 7, 4, 158.61 + k, 3 * k + 3, ts + 20 + k);
      const b = byEvents.at(k).bookFillOf({ execId: k + 7, fillQty: 4, fillPrice: 158.61 + k }, { seq: 3 * k + 3, ts: ts + 20 + k });
      expect(b).toBe(a);
    }
    const rows = (t: OrderTable): unknown[] => [0, 1, 2].map((r) => [
      t.orderId(r), t.createdTs(r), t.updatedTs(r), t.eventSeqs(r), t.price(r), t.valuationPrice(r), t.filledQuantity(r),
      t.leavesQuantity(r), t.avgPrice(r), t.filledValue(r),
    ]);
    const fills = (t: OrderTable): unknown[] => [0, 1, 2].map((f) => [
      t.fills.execId(f), t.fills.orderId(f), t.fills.quantity(f), t.fills.price(f), t.fills.seq(f), t.fills.ts(f), t.fills.prev(f),
    ]);
    expect(rows(byEvents)).toEqual(rows(byNumbers));
    expect(fills(byEvents)).toEqual(fills(byNumbers));
    expect(byEvents.updatedTs(2)).toBe(ts + 12);
    expect(byEvents.fills.ts(2)).toBe(ts + 22);
  });

  it('addAt reads its prices object during the call only: one object rewritten for every order (decision 270)', () => {
    const t = new OrderTable(1);
    const prices = { price: 0.5, valuation: 0.5 };
    const terms = [[101.25, 101.25], [0, 99.5], [1e-6, 1e-6], [3_000_000.75, 3_000_000.75]] as const;
    terms.forEach(([price, valuation], k) => {
      prices.price = price;
      prices.valuation = valuation;
      t.addAt(k + 1, 0, `c-${k}`, 'X', 'buy', price === 0 ? 'market' : 'limit', 'day', 10, prices, { seq: k + 1, ts: 1_767_225_600_000_000 + k });
    });
    prices.price = -1;
    prices.valuation = -1;
    expect(terms.map((_, r) => [t.price(r), t.valuationPrice(r), t.orderType(r)])).toEqual([
      [101.25, 101.25, 'limit'], [0, 99.5, 'market'], [1e-6, 1e-6, 'limit'], [3_000_000.75, 3_000_000.75, 'limit'],
    ]);
  });
});
