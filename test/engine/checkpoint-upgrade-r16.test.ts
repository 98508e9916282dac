import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { orderSession } from '../../bench/session.ts';
import { CheckpointFormatError, decodeProjection } from '../../engine/oms/checkpoint-codec.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';

/*
 * A checkpoint written by round 16's build (test/fixtures/checkpoint-r16/make-fixture.mjs, at seq 12,000 of
 * orderSession(20000)), before decision 293 gave SeqChains the rows of links not yet linked. This build reads it
 * (SeqChains.afterDecode), so an upgraded host resumes from its checkpoints instead of replaying from further
 * back: the decoded projection, carried on with the rest of the session, equals a full replay in this build.
 */
const bytes = gunzipSync(readFileSync(new URL('../fixtures/checkpoint-r16/checkpoint-12000.bin.gz', import.meta.url)));
const FIXTURE_V8 = '11.3.244.8-node.38';
const events = [...orderSession(20_000)];

function history(p: OmsProjection): unknown[] {
  const out: unknown[] = [];
  for (const o of p.orders()) out.push([o.orderId, o.eventSeqs, p.orderTouchedSeq(p.orderRow(o.orderId))]);
  return out;
}

describe('a checkpoint of round 16 (SeqChains before decision 293)', () => {
  it('decodes, carries on, and equals a full replay: state hash, every order\'s seqs and last touch', () => {
    if (process.versions.v8 !== FIXTURE_V8) {
      // Checkpoints are V8's serialization: another V8 refuses every checkpoint, by name, before any field check.
      expect(() => decodeProjection(bytes)).toThrow(CheckpointFormatError);
      expect(() => decodeProjection(bytes)).toThrow(/written by V8/);
      return;
    }
    const resumed = decodeProjection(bytes);
    expect(resumed.lastSeq).toBe(12_000);
    const full = new OmsProjection();
    for (const e of events.slice(0, 12_000)) full.apply(e);
    expect(resumed.stateHash()).toBe(full.stateHash());
    for (const e of events.slice(12_000)) {
      resumed.apply(e);
      full.apply(e);
    }
    expect(resumed.lastSeq).toBe(events.length);
    expect(resumed.stateHash()).toBe(full.stateHash());
    expect(history(resumed)).toEqual(history(full));
  });
});
