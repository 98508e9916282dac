import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../engine/protocol/bytes.ts';
import { COMMANDS_MAGIC, CODEC_VERSION, decodeCommands, decodeFrame, decodeHead, encodeCommands, encodeFrame, encodeHead, FRAME_MAGIC, readFrameInfo, visitFrame } from '../../engine/protocol/codec.ts';
import { COMMAND_SPECS, EVENT_SPECS, type CommandBody, type OrdoEvent, type Sequenced } from '../../engine/protocol/events.ts';
import type { MessageSpec } from '../../engine/protocol/schema.ts';
import { record } from './helpers/figures.ts';

/**
 * Bad bytes never crash a decoder: every input either decodes or throws
 * DecodeError, quickly. Inputs: random bytes, and valid encodings (built from
 * the message schemas, so every message type is covered) with random
 * mutations — the inputs most likely to get past the first checks.
 */

// Well-formed UTF-16 only: a lone surrogate is not representable in UTF-8 and would not round-trip.
const text = fc.string({ unit: 'grapheme', maxLength: 12 });

function messageOf(spec: MessageSpec): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of spec.fields) {
    let a: fc.Arbitrary<unknown>;
    switch (f.scalar) {
      case 'uint':
        a = fc.oneof(fc.nat({ max: 1000 }), fc.maxSafeNat());
        break;
      case 'int':
        a = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger());
        break;
      case 'f64':
        a = fc.double({ noNaN: true, noDefaultInfinity: true });
        break;
      case 'str':
        a = text;
        break;
      case 'bool':
        a = fc.boolean();
        break;
      case 'strs':
        a = fc.array(text, { maxLength: 4 });
        break;
      case 'enum':
        a = fc.constantFrom(...f.values!);
        break;
    }
    fields[f.name] = f.optional ? fc.option(a, { nil: undefined }) : a;
  }
  return fc.record(fields).map((r) => {
    const out: Record<string, unknown> = { type: spec.type };
    for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
    return out;
  });
}

const anyEvent = fc.oneof(...[...EVENT_SPECS.byType.values()].map(messageOf)) as fc.Arbitrary<OrdoEvent>;
const anyCommandBody = fc.oneof(...[...COMMAND_SPECS.byType.values()].map(messageOf)) as fc.Arbitrary<CommandBody>;

const frameArb = fc
  .record({
    session: fc.nat({ max: 1_000_000 }),
    firstSeq: fc.integer({ min: 1, max: 1_000_000_000 }),
    baseTs: fc.integer({ min: 0, max: 2 ** 52 }),
    events: fc.array(fc.record({ dt: fc.nat({ max: 10_000 }), src: fc.constantFrom('sequencer', 'proxy-1', 'risk-1', 'gateway-2'), cseq: fc.nat({ max: 1 << 20 }), event: anyEvent }), { minLength: 1, maxLength: 12 }),
  })
  .map(({ session, firstSeq, baseTs, events }) => {
    let ts = baseTs;
    const list: Sequenced[] = events.map((e, i) => {
      ts += e.dt;
      return { seq: firstSeq + i, ts, src: e.src, cseq: e.cseq, event: e.event };
    });
    return { session, events: list };
  });

const batchArb = fc.record({
  src: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 16 }),
  commands: fc.array(fc.record({ cseq: fc.integer({ min: 1, max: 2 ** 40 }), body: anyCommandBody }), { minLength: 1, maxLength: 8 }),
});

type Mutation = { kind: 'flip' | 'set' | 'insert' | 'delete' | 'truncate' | 'dup'; at: number; value: number; len: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate', 'dup'),
  at: fc.nat(),
  value: fc.oneof(fc.constantFrom(0x00, 0x7f, 0x80, 0xff), fc.nat({ max: 255 })),
  len: fc.integer({ min: 1, max: 16 }),
});

function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = Array.from(bytes);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    switch (m.kind) {
      case 'flip':
        if (b.length) b[at] = b[at]! ^ (1 << (m.value % 8));
        break;
      case 'set':
        if (b.length) b[at] = m.value;
        break;
      case 'insert':
        b.splice(at, 0, ...new Array<number>(m.len).fill(m.value));
        break;
      case 'delete':
        b.splice(at, m.len);
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'dup':
        b.splice(at, 0, ...b.slice(at, at + m.len));
        break;
    }
  }
  return Uint8Array.from(b);
}

const counts = { decoded: 0, refused: 0, slowest: 0 };

/** Runs `decode`; only DecodeError may escape, and it must be quick. */
function survives(decode: () => unknown): unknown {
  const t0 = performance.now();
  try {
    const v = decode();
    counts.decoded++;
    return v;
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
    counts.refused++;
    return undefined;
  } finally {
    const ms = performance.now() - t0;
    counts.slowest = Math.max(counts.slowest, ms);
    expect(ms).toBeLessThan(250);
  }
}

const RUNS = 2000;

describe('decoders under random and mutated bytes (fast-check)', () => {
  it('encode → decode is the identity for frames and command batches of every message type', () => {
    fc.assert(
      fc.property(frameArb, ({ session, events }) => {
        const f = decodeFrame(encodeFrame(session, events));
        expect(f.session).toBe(session);
        expect(f.events).toEqual(events);
        const visited: Sequenced[] = [];
        visitFrame(encodeFrame(session, events), (e) => visited.push({ ...e }));
        expect(visited).toEqual(events);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(batchArb, ({ src, commands }) => {
        const d = decodeCommands(encodeCommands(src, commands));
        expect(d.src).toBe(src);
        expect(d.commands).toEqual(commands.map((c) => ({ src, cseq: c.cseq, body: c.body })));
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes (bare, or behind a valid header) only ever decode or throw DecodeError', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc.uint8Array({ maxLength: 2048 }).map((b) => Uint8Array.from([FRAME_MAGIC, CODEC_VERSION, ...b])),
      fc.uint8Array({ maxLength: 2048 }).map((b) => Uint8Array.from([COMMANDS_MAGIC, CODEC_VERSION, ...b])),
      // Version 1 (a1c4d71's layout) goes through its own decoders (decision 068).
      fc.uint8Array({ maxLength: 2048 }).map((b) => Uint8Array.from([FRAME_MAGIC, 1, ...b])),
      fc.uint8Array({ maxLength: 2048 }).map((b) => Uint8Array.from([COMMANDS_MAGIC, 1, ...b])),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        survives(() => decodeFrame(b));
        survives(() => readFrameInfo(b));
        survives(() => visitFrame(b, () => undefined));
        survives(() => decodeCommands(b));
        survives(() => decodeHead(b));
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated valid frames only ever decode or throw DecodeError, and whatever decodes is well-formed', () => {
    fc.assert(
      fc.property(frameArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), ({ session, events }, ms) => {
        const bad = mutate(encodeFrame(session, events), ms);
        const f = survives(() => decodeFrame(bad)) as ReturnType<typeof decodeFrame> | undefined;
        survives(() => visitFrame(bad, () => undefined));
        if (f) {
          // It decoded, so every event fits its schema: each encodes again. (One frame per event: the
          // decoder takes per-event time deltas the encoder never writes, e.g. a first event after the
          // frame's base time; harmless, as only the sequencer's own frames are ever decoded.)
          for (const e of f.events) expect(() => encodeFrame(f.session, [e])).not.toThrow();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated valid command batches only ever decode or throw DecodeError, and whatever decodes is a valid command', () => {
    fc.assert(
      fc.property(batchArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), ({ src, commands }, ms) => {
        const bad = mutate(encodeCommands(src, commands), ms);
        const d = survives(() => decodeCommands(bad)) as ReturnType<typeof decodeCommands> | undefined;
        if (d) {
          expect(d.src.length).toBeGreaterThan(0);
          for (const c of d.commands) expect(c.cseq).toBeGreaterThanOrEqual(1);
          expect(() => encodeCommands(d.src, d.commands)).not.toThrow();
        }
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.array(mutationArb, { maxLength: 3 }), (s, q, ms) => {
        survives(() => decodeHead(mutate(encodeHead(s, q), ms)));
      }),
      { numRuns: 500 },
    );
  });

  it('claims of huge counts in a small input are refused at once (no allocation, no hang)', () => {
    const huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]; // a 7-byte varint near 2^53
    for (const b of [
      Uint8Array.from([FRAME_MAGIC, CODEC_VERSION, 1, 1, ...huge, 0]),
      Uint8Array.from([FRAME_MAGIC, CODEC_VERSION, 1, 1, 1, 0, ...huge]),
      Uint8Array.from([COMMANDS_MAGIC, CODEC_VERSION, ...huge]),
      Uint8Array.from([COMMANDS_MAGIC, CODEC_VERSION, 1, 1, 0x41, 0, ...huge]),
    ]) {
      expect(survives(() => decodeFrame(b))).toBeUndefined();
      expect(survives(() => decodeCommands(b))).toBeUndefined();
    }
    record('codec-fuzz', { decoded: counts.decoded, refused: counts.refused, slowestMs: Math.round(counts.slowest * 100) / 100 });
  });
});
