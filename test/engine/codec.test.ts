import { describe, expect, it } from 'vitest';
import {
  decodeCommands,
  decodeFrame,
  encodeCommands,
  encodeFrame,
  readFrameInfo,
} from '../../engine/protocol/codec.ts';
import { ByteReader, ByteWriter, DecodeError } from '../../engine/protocol/bytes.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';

const events: Sequenced[] = [
  { seq: 7, ts: 1_700_000_000_000_000, src: 'sequencer', cseq: 0, event: { type: 'SessionOpened', sessionId: 3, previousSessionId: 2, orderIdBase: 1000 } },
  {
    seq: 8,
    ts: 1_700_000_000_000_123,
    src: 'refdata',
    cseq: 1,
    event: {
      type: 'InstrumentAdded', symbol: 'AAPL', name: 'Apple Inc. — ñ', instrumentType: 'equity', venue: 'XNAS',
      currency: 'USD', tickSize: 0.01, lotSize: 1, referencePrice: 189.25,
    },
  },
  {
    seq: 9, ts: 1_700_000_000_000_200, src: 'refdata', cseq: 2,
    event: {
      type: 'InstrumentAdded', symbol: 'AAPL 250620C190', name: 'AAPL Jun25 190 C', instrumentType: 'option', venue: 'XCBO',
      currency: 'USD', tickSize: 0.05, lotSize: 1, referencePrice: 4.1, underlying: 'AAPL', strike: 190, expiry: '2025-06-20', putCall: 'call',
    },
  },
  { seq: 10, ts: 1_700_000_000_000_300, src: 'refdata', cseq: 3, event: { type: 'ClientAdded', clientId: 'C1', name: 'Alpha', maxOrderNotional: 1e6, maxOpenNotional: 5e6, allowedSymbols: ['AAPL', 'MSFT'] } },
  {
    seq: 11, ts: 1_700_000_000_000_300, src: 'proxy-1', cseq: 99_999_999_999,
    event: { type: 'OrderPending', orderId: 2 ** 40, clientId: 'C1', clientOrderId: 'abc-1', symbol: 'AAPL', side: 'sell', orderType: 'limit', timeInForce: 'gtc', quantity: 100, price: 189.3 },
  },
];

describe('frame codec', () => {
  it('round-trips every field kind, optional fields and large integers', () => {
    const bytes = encodeFrame(3, events);
    const frame = decodeFrame(bytes);
    expect(frame.session).toBe(3);
    expect(frame.firstSeq).toBe(7);
    expect(frame.events).toEqual(events);
    expect(readFrameInfo(bytes)).toEqual({ session: 3, firstSeq: 7, count: 5, baseTs: events[0]!.ts });
  });

  it('refuses non-consecutive seqs and bad field values with the field named', () => {
    expect(() => encodeFrame(1, [events[0]!, events[2]!])).toThrow(/consecutive/);
    const bad = { ...events[4]!, seq: 1, event: { ...events[4]!.event, quantity: -1 } } as Sequenced;
    expect(() => encodeFrame(1, [bad])).toThrow(/OrderPending.quantity/);
  });

  it('reports truncation and trailing bytes as DecodeError', () => {
    const bytes = encodeFrame(3, events);
    for (const cut of [1, 5, 20, bytes.length - 1]) {
      expect(() => decodeFrame(bytes.subarray(0, cut))).toThrow(DecodeError);
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => decodeFrame(longer)).toThrow(/trailing/);
  });

  it('refuses a frame from a newer codec version', () => {
    const bytes = encodeFrame(3, events);
    bytes[1] = 9;
    expect(() => decodeFrame(bytes)).toThrow(/format version 9, written by a newer Ordo/);
  });
});

describe('varints', () => {
  it('reads every length back, in the middle of the input and at its very end, and refuses a cut one', () => {
    const values = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 35 + 5, Number.MAX_SAFE_INTEGER];
    const w = new ByteWriter(16);
    for (const v of values) w.uint(v);
    const bytes = w.finish();
    const r = new ByteReader(bytes);
    expect(values.map(() => r.uint())).toEqual(values);
    expect(r.done).toBe(true);
    // Each value alone (no padding after it: the reader's bounds-checked path).
    for (const v of values) {
      const one = new ByteWriter(16);
      one.uint(v);
      const b = one.finish();
      expect(new ByteReader(b).uint()).toBe(v);
      if (b.length > 1) expect(() => new ByteReader(b.subarray(0, b.length - 1)).uint()).toThrow(DecodeError);
    }
  });
});

describe('command codec', () => {
  it('round-trips a batch and rejects garbage', () => {
    const bytes = encodeCommands('risk-1', [
      { cseq: 1, body: { type: 'OrderAccepted', orderId: 5 } },
      { cseq: 2, body: { type: 'CloseSession' } },
    ]);
    expect(decodeCommands(bytes)).toEqual({
      src: 'risk-1',
      commands: [
        { src: 'risk-1', cseq: 1, body: { type: 'OrderAccepted', orderId: 5 } },
        { src: 'risk-1', cseq: 2, body: { type: 'CloseSession' } },
      ],
    });
    expect(() => decodeCommands(new Uint8Array([1, 2, 3]))).toThrow(DecodeError);
    expect(() => encodeCommands('x', [{ cseq: 0, body: { type: 'CloseSession' } }])).toThrow(/commandSeq/);
  });
});
