import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, DecodeError } from '../../engine/protocol/bytes.ts';
import { decodeFrame, encodeFrame, readFrameInfo, TS_EPOCH, visitFrameReusing, WELL_KNOWN_SOURCES } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';

/* Codec version 3's smaller frame (decision 260): decimal numbers, well-known sources, base ts from TS_EPOCH. */

const fill = (seq: number, ts: number, src: string, fillPrice: number): Sequenced => ({ seq, ts, src, cseq: seq, event: { type: 'OrderExecuted', orderId: 7, execId: 9, fillQty: 1, fillPrice } });

describe('decimal numbers', () => {
  it('give back exactly the number written, in 1-4 bytes for prices, 9 for any other finite number', () => {
    const cases: [number, number][] = [
      [0, 1], [1, 1], [-1, 1], [158.59, 3], [0.01, 1], [12.5, 2], [99999.99, 4], [1e-6, 1],
      [1 / 3, 9], [Math.PI, 9], [1e-7, 9], [2 ** 50, 9], [-(2 ** 60), 9], [Number.MAX_VALUE, 9], [Number.MIN_VALUE, 9], [0.1 + 0.2, 9],
    ];
    for (const [v, size] of cases) {
      const w = new ByteWriter(16);
      w.dec(v);
      expect(w.pos, `${v}`).toBe(size);
      const r = new ByteReader(w.finish());
      expect(Object.is(r.dec(), v), `${v}`).toBe(true);
      expect(r.done).toBe(true);
    }
  });

  it('keep -0 (as float64 bytes)', () => {
    const w = new ByteWriter(16);
    w.dec(-0);
    expect(Object.is(new ByteReader(w.finish()).dec(), -0)).toBe(true);
  });

  it('refuse a scale of 7 with digits, a non-finite float64 and truncated input with a DecodeError', () => {
    expect(() => new ByteReader(Uint8Array.of(15)).dec()).toThrow(DecodeError);
    const nan = new ByteWriter(16);
    nan.u8(7);
    nan.f64(Number.NaN);
    expect(() => new ByteReader(nan.finish()).dec()).toThrow(/not a finite number/);
    expect(() => new ByteReader(Uint8Array.of(7, 0, 0)).dec()).toThrow(DecodeError);
  });

  it('round-trip every price of a frame; a NaN or infinite price is refused when encoding', () => {
    const prices = [158.59, 0.0001, 1 / 7, -3.25, 123456.789];
    const events = prices.map((p, i) => fill(i + 1, TS_EPOCH + 10 + i, 'gateway-1', p));
    expect(decodeFrame(encodeFrame(1, events)).events).toEqual(events);
    expect(() => encodeFrame(1, [fill(1, TS_EPOCH, 'gateway-1', Number.NaN)])).toThrow(/fillPrice/);
    expect(() => encodeFrame(1, [fill(1, TS_EPOCH, 'gateway-1', Number.POSITIVE_INFINITY)])).toThrow(/fillPrice/);
  });
});

describe('version 3 frames', () => {
  it('name a well-known source by number (no string table entry) and any other by the table', () => {
    const known = encodeFrame(1, [fill(5, TS_EPOCH + 1, 'proxy-1', 1)]);
    const other = encodeFrame(1, [fill(5, TS_EPOCH + 1, 'proxy-x', 1)]);
    expect(other.length - known.length).toBe('proxy-x'.length + 1);
    const mixed = WELL_KNOWN_SOURCES.map((s, i) => fill(i + 1, TS_EPOCH + i, s, 1)).concat([fill(WELL_KNOWN_SOURCES.length + 1, TS_EPOCH + 99, 'elsewhere', 2)]);
    expect(decodeFrame(encodeFrame(1, mixed)).events).toEqual(mixed);
  });

  it('keep base timestamps before, at and long after TS_EPOCH, and every event ts', () => {
    for (const ts of [0, 1, TS_EPOCH - 1, TS_EPOCH, TS_EPOCH + 1, 1_767_225_600_123_456, Number.MAX_SAFE_INTEGER - 10]) {
      const events = [fill(3, ts, 'risk-1', 1), fill(4, ts, 'risk-1', 1), fill(5, ts + 3, 'host', 1)];
      const bytes = encodeFrame(2, events);
      expect(readFrameInfo(bytes)).toEqual({ session: 2, firstSeq: 3, count: 3, baseTs: ts });
      expect(decodeFrame(bytes).events).toEqual(events);
    }
  });

  it('refuse a source number past the well-known names and the frame table', () => {
    const bytes = encodeFrame(1, [fill(1, TS_EPOCH, 'risk-1', 1)]);
    // 'O' 3 session firstSeq count baseTs (TS_EPOCH: the varint 1) nStrings (0) code, no dt for the first event, src …
    const at = 2 + 1 + 1 + 1 + 1 + 1 + 1;
    expect(bytes[at]).toBe(WELL_KNOWN_SOURCES.indexOf('risk-1'));
    const bad = Uint8Array.from(bytes);
    bad[at] = WELL_KNOWN_SOURCES.length;
    expect(() => decodeFrame(bad)).toThrow(/bad source index at seq 1/);
  });

  it('write a cseq as the difference from the event before of the same source, and read every cseq back', () => {
    const at = (seq: number, src: string, cseq: number): Sequenced => ({ ...fill(seq, TS_EPOCH, src, 1), cseq });
    const events = [at(1, 'gateway-1', 300_000), at(2, 'gateway-1', 300_001), at(3, 'gateway-1', 300_001), at(4, 'risk-1', 5), at(5, 'gateway-1', 299_990), at(6, 'gateway-1', 0), at(7, 'gateway-1', 2 ** 40), at(8, 'other', 7), at(9, 'other', 6)];
    expect(decodeFrame(encodeFrame(1, events)).events).toEqual(events);
    // The second of two fills from one source: one byte of cseq where the first took three.
    const one = encodeFrame(1, [at(1, 'gateway-1', 300_000)]);
    const two = encodeFrame(1, [at(1, 'gateway-1', 300_000), at(2, 'gateway-1', 300_001)]);
    // code, dt, src, cseq difference (1 byte, not 3), orderId, execId, fillQty, price: 8 bytes.
    expect(two.length - one.length).toBe(8);
    expect(() => encodeFrame(1, [at(1, 'risk-1', 0), at(2, 'risk-1', Number.MAX_SAFE_INTEGER)])).toThrow(/too far/);
  });

  it('read a frame\'s first cseq whole whatever its source, the empty one included, through both visitors', () => {
    // The decoder's "source of the event before" starts as '' (decision 270): the first event must still not be
    // read as a difference from it. Frames start with '', then a run of '', then another source and '' again.
    const at = (seq: number, src: string, cseq: number): Sequenced => ({ ...fill(seq, TS_EPOCH, src, 1), cseq });
    const frames = [
      [at(1, '', 40), at(2, '', 41), at(3, 'risk-1', 9), at(4, '', 39)],
      [at(5, '', 1)],
      [at(6, 'other', 3), at(7, '', 2), at(8, '', 2)],
    ];
    for (const events of frames) {
      const bytes = encodeFrame(1, events);
      expect(decodeFrame(bytes).events).toEqual(events);
      const seen: Sequenced[] = [];
      visitFrameReusing(bytes, (e) => seen.push({ seq: e.seq, ts: e.ts, src: e.src, cseq: e.cseq, event: { ...e.event } }));
      expect(seen).toEqual(events);
    }
  });
});
