import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { projectionAt } from '../../engine/oms/projection-at.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { instrumentViews } from '../../engine/oms/views.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

/**
 * A stored session: reference data, then 20 orders pending → accepted → routed, 7 events a frame; risk moves
 * AAPL's reference price after the 5th order and again after the 15th.
 */
function storedSession() {
  const b = new LogBuilder().openSession({ reference: loadReferenceData() });
  for (let id = 1; id <= 20; id++) {
    b.add({ type: 'OrderPending', orderId: id, clientId: 'ALPHA', clientOrderId: `c-${id}`, symbol: 'AAPL', side: 'buy',
      orderType: 'limit', timeInForce: 'day', quantity: 100, price: 228.45 }, 'proxy-1');
    b.add({ type: 'OrderAccepted', orderId: id }, 'risk-1');
    b.add({ type: 'OrderRouted', orderId: id, venue: 'XNAS' }, 'router-1');
    if (id === 5) b.add({ type: 'ReferencePriceMoved', symbol: 'AAPL', price: 231.1 }, 'risk-1');
    if (id === 15) b.add({ type: 'ReferencePriceMoved', symbol: 'AAPL', price: 226.05 }, 'risk-1');
  }
  const dir = tempDir('ordo-at-');
  dirs.push(dir);
  const path = join(dir, 'ordo.db');
  const w = openWritableLog(path);
  w.transaction(() => {
    w.openSession(1, 1);
    for (let i = 0; i < b.events.length; i += 7) {
      const frame = b.events.slice(i, i + 7);
      w.appendFrame(1, frame[0]!.seq, frame[frame.length - 1]!.seq, encodeFrame(1, frame));
    }
  });
  w.close();
  return { events: b.events, log: openReadableLog(path) };
}

describe('projectionAt (the time machine)', () => {
  it('gives the state of applying exactly the events up to seq, for every seq, across frame edges', () => {
    const { events, log } = storedSession();
    try {
      for (let seq = 0; seq <= events.length; seq++) {
        const past = projectionAt(log, 1, seq);
        if (!past.ok) throw new Error(`seq ${seq}: ${past.problem}`);
        const expected = new OmsProjection();
        expected.applyAll(events.slice(0, seq));
        expect(past.projection.stateHash()).toBe(expected.stateHash());
      }
    } finally {
      log.close();
    }
  });

  it('shows the instruments with the reference price in force at the seq (ReferencePriceMoved), not the latest', () => {
    const { events, log } = storedSession();
    try {
      const moves = events.filter((e) => e.event.type === 'ReferencePriceMoved').map((e) => e.seq);
      const opening = loadReferenceData().instruments.find((i) => i.symbol === 'AAPL')!.referencePrice;
      const aaplAt = (seq: number) => {
        const past = projectionAt(log, 1, seq);
        if (!past.ok) throw new Error(`seq ${seq}: ${past.problem}`);
        return instrumentViews(past.projection).find((i) => i.symbol === 'AAPL')!.referencePrice;
      };
      expect(moves).toHaveLength(2);
      expect([aaplAt(moves[0]! - 1), aaplAt(moves[0]!), aaplAt(moves[1]! - 1), aaplAt(moves[1]!), aaplAt(events.length)]).toEqual([
        opening, 231.1, 231.1, 226.05, 226.05,
      ]);
      // Other instruments keep their opening price.
      const past = projectionAt(log, 1, events.length);
      if (!past.ok) throw new Error(past.problem);
      const msft = loadReferenceData().instruments.find((i) => i.symbol === 'MSFT')!.referencePrice;
      expect(instrumentViews(past.projection).find((i) => i.symbol === 'MSFT')!.referencePrice).toBe(msft);
    } finally {
      log.close();
    }
  });

  it('says which session is missing and where a session ends', () => {
    const { events, log } = storedSession();
    try {
      expect(projectionAt(log, 2, 1)).toEqual({ ok: false, problem: 'no-session' });
      expect(projectionAt(log, 1, events.length + 1)).toEqual({ ok: false, problem: 'beyond-end', lastSeq: events.length });
    } finally {
      log.close();
    }
  });
});
