import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../engine/oms/checkpoint-codec.ts';
import { CheckpointFold } from '../../engine/oms/checkpoint-fold.ts';
import { CHUNK } from '../../engine/oms/order-table/chunks.ts';
import { narrowChunks } from '../../engine/oms/order-table/narrow-chunks.ts';
import type { OrderTable } from '../../engine/oms/order-table/order-table.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';

/**
 * The time machine's decode leaves a checkpoint's narrowed order and fill chunk columns narrow until the chunk
 * is written (decision 298). A write of a value the narrow type cannot hold (a fractional average price into a
 * column of zeros stored as bytes, a large quantity) must land whole: the chunk is widened first. The state after
 * the tail is the state of folding every event from seq 1.
 */

const ORDERS = CHUNK + 900;

/** Orders pending → accepted → routed with whole prices and small quantities: nothing filled, so every filled column is zeros. */
function session(): LogBuilder {
  const b = new LogBuilder().openSession({ reference: loadReferenceData() });
  for (let id = 1; id <= ORDERS; id++) {
    b.add({ type: 'OrderPending', orderId: id, clientId: 'ALPHA', clientOrderId: `c-${id}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 100, price: 228 }, 'proxy-1');
    b.add({ type: 'OrderAccepted', orderId: id }, 'risk-1');
    b.add({ type: 'OrderRouted', orderId: id, venue: 'XNAS' }, 'router-1');
  }
  return b;
}

/** Decoded as the time machine decodes a stored checkpoint: parts of its own, no extras, columns left narrow. */
function timeMachineDecode(bytes: Buffer): OmsProjection {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 256 << 10) parts.push(Buffer.from(bytes.subarray(at, Math.min(bytes.length, at + (256 << 10)))));
  return decodeCheckpoint(parts, false, true, false, true).projection;
}

const tableOf = (p: OmsProjection): OrderTable => (p as unknown as { table: OrderTable }).table;

describe('a checkpoint decoded with narrow chunk columns (the time machine)', () => {
  const b = session();
  const fold = new CheckpointFold();
  for (const e of b.events) fold.apply(e);
  const bytes = encodeCheckpoint(fold.state);
  const atCheckpoint = fold.projection.stateHash();

  it('leaves chunks narrow, and reads back the same state', () => {
    const p = timeMachineDecode(bytes);
    expect(narrowChunks(tableOf(p))).toBeGreaterThanOrEqual(2);
    expect(p.stateHash()).toBe(atCheckpoint);
    // The host's decode (extras, risk) widens every column as before.
    const host = decodeCheckpoint(bytes.subarray(0));
    expect(narrowChunks(tableOf(host.projection))).toBe(0);
    expect(host.projection.stateHash()).toBe(atCheckpoint);
  });

  it('widens a chunk before a write: values the narrow type cannot hold land whole, and the state equals the fold from seq 1', () => {
    const p = timeMachineDecode(bytes);
    const narrowBefore = narrowChunks(tableOf(p));
    const n = b.events.length;
    const tail = b;
    // An old order in the first chunk filled at a fractional price; one in the second chunk canceled; a new order
    // (in the last decoded chunk) with a quantity and price no byte holds, filled.
    tail.add({ type: 'OrderExecuted', orderId: 7, execId: 1, fillQty: 40, fillPrice: 228.37 }, 'gateway-1');
    tail.add({ type: 'CancelRequested', orderId: CHUNK + 20 }, 'proxy-1');
    tail.add({ type: 'OrderCancelled', orderId: CHUNK + 20, reason: 0 }, 'gateway-1');
    tail.add({ type: 'OrderPending', orderId: ORDERS + 1, clientId: 'ALPHA', clientOrderId: 'big', symbol: 'AAPL', side: 'sell', orderType: 'limit', timeInForce: 'day', quantity: 1_000_000, price: 229.5 }, 'proxy-1');
    tail.add({ type: 'OrderAccepted', orderId: ORDERS + 1 }, 'risk-1');
    tail.add({ type: 'OrderRouted', orderId: ORDERS + 1, venue: 'XNAS' }, 'router-1');
    tail.add({ type: 'OrderExecuted', orderId: ORDERS + 1, execId: 2, fillQty: 70_000, fillPrice: 229.5 }, 'gateway-1');
    p.applyAll(b.events.slice(n));

    const expected = new OmsProjection();
    expected.applyAll(b.events);
    expect(p.order(7)).toMatchObject({ filledQuantity: 40, leavesQuantity: 60, avgPrice: 228.37 });
    expect(p.order(ORDERS + 1)).toMatchObject({ quantity: 1_000_000, filledQuantity: 70_000, leavesQuantity: 930_000 });
    expect(p.order(CHUNK + 20)?.state).toBe(expected.order(CHUNK + 20)?.state);
    expect(p.stateHash()).toBe(expected.stateHash());
    // Only the chunks written were widened.
    expect(narrowChunks(tableOf(p))).toBeLessThan(narrowBefore);
    expect(narrowChunks(tableOf(p))).toBeGreaterThan(0);
  });

  it('encodes as a checkpoint like any other: every column in its own type, the same state', () => {
    const p = timeMachineDecode(bytes);
    expect(narrowChunks(tableOf(p))).toBeGreaterThan(0);
    const again = decodeCheckpoint(encodeCheckpoint({ projection: p, risk: undefined, awaiting: [] }));
    expect(again.projection.stateHash()).toBe(atCheckpoint);
    const chunks = (tableOf(again.projection) as unknown as { chunks: Record<string, unknown>[] }).chunks;
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const c of chunks) {
      expect(c['avgPrice']).toBeInstanceOf(Float64Array);
      expect(c['quantity']).toBeInstanceOf(Float64Array);
      expect(c['client']).toBeInstanceOf(Int32Array);
    }
    expect(narrowChunks(tableOf(p))).toBe(0);
  });
});
