import { describe, expect, it } from 'vitest';
import { orderSession } from '../../bench/session.ts';
import { decodeProjection, encodeProjection } from '../../engine/oms/checkpoint-codec.ts';
import { PREFAULT_FROM_EVENTS, prefaultedBuffer, withChunkPrefault } from '../../engine/oms/order-table/chunk-prefault.ts';
import { projectionAt } from '../../engine/oms/projection-at.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { storedSessions } from './helpers/stored-session.ts';

/**
 * Column memory touched ahead on a worker during a long cold replay (decision 261): the projection built on
 * prefaulted (shared) chunks is the same state, hashes the same, and checkpoints and restores the same, as one
 * built on ordinary buffers; the worker's chunks are really used; nothing is prefaulted outside the scope.
 */

const { storedSession } = storedSessions('prefault');

/** The bench's order mix, long enough for a worker (PREFAULT_FROM_EVENTS) and many chunks of every table (a long test on a loaded machine: its timeout is the runner's, not a figure). */
function events(): Sequenced[] {
  return [...orderSession(PREFAULT_FROM_EVENTS + 50_000)];
}

describe('chunk prefault', () => {
  it('builds the same projection on prefaulted chunks, and its checkpoint restores to the same state', () => {
    const log = events();
    const plain = new OmsProjection();
    const r0 = withChunkPrefault(0, () => {
      for (const e of log) plain.apply(e);
    });
    expect(r0).toMatchObject({ taken: 0, missed: 0 });

    const pre = new OmsProjection();
    const r = withChunkPrefault(log.length, () => {
      for (const e of log) pre.apply(e);
    });
    // The worker's chunks were taken (the first few are made here while it starts).
    expect(r.taken).toBeGreaterThan(0);
    expect(pre.orderCount).toBe(plain.orderCount);
    expect(pre.fillCount).toBe(plain.fillCount);
    expect(pre.stateHash()).toBe(plain.stateHash());

    // A checkpoint of the prefaulted projection holds the same bytes and restores to the same state.
    const bytes = encodeProjection(pre);
    expect(Buffer.from(bytes).equals(Buffer.from(encodeProjection(plain)))).toBe(true);
    const back = decodeProjection(bytes);
    expect(back.stateHash()).toBe(plain.stateHash());
    // The restored projection goes on like the original.
    const more = { seq: plain.lastSeq + 1, ts: plain.lastTs + 1, src: 'proxy-1', cseq: 0, event: { type: 'OrderAccepted', orderId: 1 } } as Sequenced;
    back.apply(more);
    plain.apply(more);
    expect(back.stateHash()).toBe(plain.stateHash());
  }, 240_000);

  it('prefaults nothing for a short replay, inside another one, or after the scope', () => {
    expect(withChunkPrefault(PREFAULT_FROM_EVENTS - 1, () => prefaultedBuffer(1 << 16))).toEqual({ result: undefined, taken: 0, missed: 0 });
    const outer = withChunkPrefault(PREFAULT_FROM_EVENTS, () => withChunkPrefault(PREFAULT_FROM_EVENTS, () => 7));
    expect(outer.result).toEqual({ result: 7, taken: 0, missed: 0 });
    expect(prefaultedBuffer(1 << 16)).toBeUndefined();
  });

  it('projectionAt on a long session gives the state of a plain replay', () => {
    const path = storedSession(PREFAULT_FROM_EVENTS + 20_000);
    const log = openReadableLog(path);
    try {
      const last = log.lastSeq(1);
      const at = projectionAt(log, 1, last);
      if (!at.ok) throw new Error('no projection');
      expect(at.fromCheckpoint).toBe(0);
      const plain = new OmsProjection();
      log.replay(1, (e) => plain.apply(e));
      expect(at.projection.lastSeq).toBe(last);
      expect(at.projection.stateHash()).toBe(plain.stateHash());
    } finally {
      log.close();
    }
  }, 240_000);
});
