import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameBuilder } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';

/*
 * Frames of codec version 2 as the build of 9c21b17 (before round 9's faster encoders and string tables)
 * wrote them, with the events they hold (test/fixtures/frames-v2-9c21b17/make-fixture.mjs): every event type
 * with and without its optional fields, one- to eight-byte varints, non-ASCII and long strings, frames of
 * 1, 2 and 7 events and one of 1,157 events of the bench's order mix (a string table of ~200 entries). The log
 * is permanent, so these bytes must decode to these events in every later build; and while the format stays
 * version 2, today's encoder must write exactly these bytes (decision 237).
 */
interface Fixture {
  readonly codecVersion: number;
  readonly session: number;
  readonly events: Sequenced[];
  readonly frames: readonly { readonly from: number; readonly to: number; readonly bytes: string }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/frames-v2-9c21b17/frames.json', import.meta.url), 'utf8')) as Fixture;

describe('frames written by 9c21b17 (codec version 2)', () => {
  it('cover every field kind and both small and big string tables', () => {
    expect(fixture.codecVersion).toBe(2);
    expect(fixture.frames.map((f) => f.to - f.from)).toContain(1);
    expect(Math.max(...fixture.frames.map((f) => f.to - f.from))).toBeGreaterThan(1000);
    // Every event type of that build (36), each with all its optional fields and with none.
    expect(new Set(fixture.events.map((e) => e.event.type)).size).toBe(36);
  });

  it('decode to the same events', () => {
    for (const f of fixture.frames) {
      const frame = decodeFrame(Buffer.from(f.bytes, 'base64'));
      expect(frame.session).toBe(fixture.session);
      expect(frame.events).toEqual(fixture.events.slice(f.from, f.to));
    }
  });

  it('are what the encoder writes today, byte for byte (encodeFrame and FrameBuilder)', () => {
    for (const f of fixture.frames) {
      const want = Buffer.from(f.bytes, 'base64');
      expect(Buffer.from(encodeFrame(fixture.session, fixture.events, f.from, f.to)).equals(want), `frame of ${f.from}..${f.to}`).toBe(true);
      const builder = new FrameBuilder(fixture.session);
      for (const e of fixture.events.slice(f.from, f.to)) builder.add(e);
      expect(Buffer.from(builder.finish()).equals(want), `built frame of ${f.from}..${f.to}`).toBe(true);
    }
  });

  it('encode the same after a frame that failed half-way (the string table and type cache start clean)', () => {
    const big = fixture.frames.at(-1)!;
    const bad: Sequenced[] = fixture.events.slice(big.from, big.from + 40).map((e) => ({ ...e }));
    bad[39] = { ...bad[39]!, event: { type: 'OrderAccepted', orderId: -1 } as unknown as Sequenced['event'] };
    expect(() => encodeFrame(fixture.session, bad)).toThrow(/OrderAccepted\.orderId/);
    expect(Buffer.from(encodeFrame(fixture.session, fixture.events, big.from, big.to)).equals(Buffer.from(big.bytes, 'base64'))).toBe(true);
  });
});
