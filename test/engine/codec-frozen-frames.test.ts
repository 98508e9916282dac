import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODEC_VERSION, decodeFrame, encodeFrame, FrameBuilder, TS_EPOCH, visitFrameReusing, WELL_KNOWN_SOURCES } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';

/*
 * Frames of codec version 2 as the build of 9c21b17 (before round 9's faster encoders and string tables)
 * wrote them, with the events they hold (test/fixtures/frames-v2-9c21b17/make-fixture.mjs): every event type
 * with and without its optional fields, one- to eight-byte varints, non-ASCII and long strings, frames of
 * 1, 2 and 7 events and one of 1,157 events of the bench's order mix (a string table of ~200 entries). The log
 * is permanent, so these bytes must decode to these events in every later build.
 *
 * Frames of codec version 3 (decision 260) as round 12's build wrote them (test/fixtures/frames-v3-r12): the
 * same events and frames, and frames of what version 3 added (well-known and other sources, base timestamps
 * before and after TS_EPOCH, decimal and float64-escaped numbers). Decoded in every later build; while the
 * format stays version 3, today's encoder must write exactly these bytes (decision 237).
 */
interface Fixture {
  readonly codecVersion: number;
  readonly session: number;
  readonly events: Sequenced[];
  readonly frames: readonly { readonly from: number; readonly to: number; readonly bytes: string }[];
}
const load = (dir: string) => JSON.parse(readFileSync(new URL(`../fixtures/${dir}/frames.json`, import.meta.url), 'utf8')) as Fixture;
const fixture = load('frames-v2-9c21b17');
const v3 = load('frames-v3-r12');

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

  it('decode the same through visitFrameReusing (older versions have no kept-object decoders)', () => {
    for (const f of fixture.frames) {
      const got: unknown[] = [];
      visitFrameReusing(Buffer.from(f.bytes, 'base64'), (e) => got.push(structuredClone({ ...e, event: withoutUndefined(e.event) })));
      expect(got).toEqual(fixture.events.slice(f.from, f.to));
    }
  });
});

/** An event as a plain object without the undefined fields a kept object carries. */
function withoutUndefined(e: object): object {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
}

describe('frames written by round 12 (codec version 3)', () => {
  it('hold the version-2 fixture\'s events and frames, and frames of what version 3 added', () => {
    expect(v3.codecVersion).toBe(3);
    expect(v3.codecVersion).toBe(CODEC_VERSION);
    expect(v3.events.slice(0, fixture.events.length)).toEqual(fixture.events);
    const srcs = new Set(v3.events.map((e) => e.src));
    expect([...srcs].filter((s) => WELL_KNOWN_SOURCES.includes(s)).length).toBeGreaterThan(2);
    expect([...srcs].filter((s) => !WELL_KNOWN_SOURCES.includes(s)).length).toBeGreaterThan(1);
    expect(v3.events.some((e) => e.ts < TS_EPOCH)).toBe(true);
  });

  it('decode to the same events (visitFrame and visitFrameReusing)', () => {
    for (const f of v3.frames) {
      const bytes = Buffer.from(f.bytes, 'base64');
      const frame = decodeFrame(bytes);
      expect(frame.session).toBe(v3.session);
      expect(frame.events).toEqual(v3.events.slice(f.from, f.to));
      const got: unknown[] = [];
      visitFrameReusing(bytes, (e) => got.push(structuredClone({ ...e, event: withoutUndefined(e.event) })));
      expect(got).toEqual(v3.events.slice(f.from, f.to));
    }
  });

  it('are smaller than the same frames in version 2', () => {
    const size = (x: Fixture) => x.frames.slice(0, fixture.frames.length).reduce((n, f) => n + Buffer.from(f.bytes, 'base64').length, 0);
    expect(size(v3)).toBeLessThan(size(fixture));
  });

  it('are what the encoder writes today, byte for byte (encodeFrame and FrameBuilder)', () => {
    for (const f of v3.frames) {
      const want = Buffer.from(f.bytes, 'base64');
      expect(Buffer.from(encodeFrame(v3.session, v3.events, f.from, f.to)).equals(want), `frame of ${f.from}..${f.to}`).toBe(true);
      const builder = new FrameBuilder(v3.session);
      for (const e of v3.events.slice(f.from, f.to)) builder.add(e);
      expect(Buffer.from(builder.finish()).equals(want), `built frame of ${f.from}..${f.to}`).toBe(true);
    }
  });

  it('encode the same after a frame that failed half-way (the string table and type cache start clean)', () => {
    const big = v3.frames.reduce((a, f) => (f.to - f.from > a.to - a.from ? f : a));
    const bad: Sequenced[] = v3.events.slice(big.from, big.from + 40).map((e) => ({ ...e }));
    bad[39] = { ...bad[39]!, event: { type: 'OrderAccepted', orderId: -1 } as unknown as Sequenced['event'] };
    expect(() => encodeFrame(v3.session, bad)).toThrow(/OrderAccepted\.orderId/);
    expect(Buffer.from(encodeFrame(v3.session, v3.events, big.from, big.to)).equals(Buffer.from(big.bytes, 'base64'))).toBe(true);
  });
});
