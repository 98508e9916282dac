import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameBuilder } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';

/** `n` order events from seq `first`: many distinct strings (more than a small table scans), two sources. */
function orderEvents(first: number, n: number): Sequenced[] {
  const out: Sequenced[] = [];
  for (let i = 0; i < n; i++) {
    const seq = first + i;
    const ts = 1_700_000_000_000_000 + i * 37;
    out.push(
      i % 3 === 2
        ? { seq, ts, src: 'venue-1', cseq: i, event: { type: 'OrderAcknowledged', orderId: 100 + i } }
        : { seq, ts, src: 'proxy-1', cseq: i, event: { type: 'OrderPending', orderId: 100 + i, clientId: i % 2 ? 'ALPHA' : 'CHARLIE', clientOrderId: `c-${i}`, symbol: `S${i % 7}`, side: i % 2 ? 'buy' : 'sell', orderType: 'limit', timeInForce: 'day', quantity: 1 + i, price: 10.5 + i / 100, ...(i % 4 === 0 ? { intentional: true } : {}) } },
    );
  }
  return out;
}

describe('FrameBuilder', () => {
  it('builds, an event at a time, the very bytes encodeFrame makes of the same events', () => {
    for (const n of [1, 5, 17, 300]) {
      const events = orderEvents(41, n);
      const b = new FrameBuilder(9);
      for (const e of events) b.add(e);
      expect(b.count).toBe(n);
      const bytes = b.finish();
      expect(Buffer.from(bytes).equals(Buffer.from(encodeFrame(9, events)))).toBe(true);
      expect(decodeFrame(bytes).events).toEqual(events);
    }
  });

  it('builds interleaved frames apart, and reuses writers without mixing them', () => {
    const a = orderEvents(1, 400);
    const b = orderEvents(1000, 300);
    for (let round = 0; round < 3; round++) {
      const fa = new FrameBuilder(1);
      const fb = new FrameBuilder(2);
      for (let i = 0; i < 400; i++) {
        fa.add(a[i]!);
        if (i < 300) fb.add(b[i]!);
      }
      const bytesB = fb.finish();
      const bytesA = fa.finish();
      expect(Buffer.from(bytesA).equals(Buffer.from(encodeFrame(1, a)))).toBe(true);
      expect(Buffer.from(bytesB).equals(Buffer.from(encodeFrame(2, b)))).toBe(true);
    }
  });

  it('is not disturbed by frames encoded between its events (the sequencer encodes while the compactor builds)', () => {
    const events = orderEvents(1, 200);
    const b = new FrameBuilder(2);
    for (let i = 0; i < events.length; i++) {
      b.add(events[i]!);
      if (i % 10 === 0) encodeFrame(5, orderEvents(5000 + i, 20));
    }
    expect(Buffer.from(b.finish()).equals(Buffer.from(encodeFrame(2, events)))).toBe(true);
  });

  it('refuses what encodeFrame refuses: a gap in seqs, a timestamp before the first, an empty frame', () => {
    const events = orderEvents(10, 3);
    const gap = new FrameBuilder(1);
    gap.add(events[0]!);
    expect(() => gap.add(events[2]!)).toThrow(/consecutive/);
    const back = new FrameBuilder(1);
    back.add(events[1]!);
    expect(() => back.add({ ...events[2]!, ts: events[0]!.ts })).toThrow(/go back/);
    expect(() => new FrameBuilder(1).finish()).toThrow(/at least one event/);
    const once = new FrameBuilder(1);
    once.add(events[0]!);
    once.finish();
    expect(() => once.add(events[1]!)).toThrow(/already finished/);
    expect(() => once.finish()).toThrow(/already finished/);
  });
});
