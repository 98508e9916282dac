import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Timelines } from '../../engine/host/timeline.ts';
import { parseTimelineQuery } from '../../engine/host/validation.ts';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { openReadableLog, openWritableLog, type WritableLog } from '../../engine/store/log.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

const S = 1_000_000;
const T0 = 1_780_000_000 * S;

/** Events at the given offsets (µs from T0), seq 1, 2, 3 … in frames of 3. */
function append(w: WritableLog, from: number, offsets: readonly number[]): number {
  const events: Sequenced[] = offsets.map((off, i) => ({ seq: from + i, ts: T0 + off, src: 'proxy-1', cseq: from + i, event: { type: 'OrderAccepted', orderId: from + i } }));
  w.transaction(() => {
    for (let i = 0; i < events.length; i += 3) {
      const f = events.slice(i, i + 3);
      w.appendFrame(1, f[0]!.seq, f[f.length - 1]!.seq, encodeFrame(1, f));
    }
  });
  return from + offsets.length;
}

describe('the time machine axis (events per second of a session)', () => {
  it('buckets the density, answers the seq as of a second, and extends with the log', () => {
    const dir = tempDir('ordo-timeline-');
    dirs.push(dir);
    const path = join(dir, 'ordo.db');
    const w = openWritableLog(path);
    w.transaction(() => w.openSession(1, T0));
    // 4 events in second 0, none in 1, 2 in second 2, 1 in second 9.
    let next = append(w, 1, [0, 100, 0.5 * S, 0.99 * S, 2 * S, 2.5 * S, 9 * S + 1]);
    const log = openReadableLog(path);
    try {
      const t = new Timelines(log);
      const v = t.view(1, log.lastSeq(1), 5, T0 + 1.5 * S);
      expect(v.lastSeq).toBe(7);
      expect([v.firstTs, v.lastTs]).toEqual([T0, T0 + 9 * S + 1]);
      // Ten seconds in five buckets of two seconds each.
      expect(v.bucketUs).toBe(2 * S);
      expect(v.buckets.map((b) => [b.ts - T0, b.count, b.firstSeq, b.lastSeq])).toEqual([
        [0, 4, 1, 4],
        [2 * S, 2, 5, 6],
        [4 * S, 0, 0, 0],
        [6 * S, 0, 0, 0],
        [8 * S, 1, 7, 7],
      ]);
      // As of a time: the last seq of the last second with events at or before it.
      expect(v.seqAtTs).toBe(4);
      expect(t.view(1, 7, 5, T0 - 1).seqAtTs).toBe(0);
      expect(t.view(1, 7, 5, T0 + 2 * S).seqAtTs).toBe(6);
      expect(t.view(1, 7, 5, T0 + 100 * S).seqAtTs).toBe(7);
      // New events: only they are read, and the axis grows.
      next = append(w, next, [10 * S, 10 * S + 5]);
      const v2 = t.view(1, log.lastSeq(1), 11, T0 + 10 * S);
      expect(v2.lastSeq).toBe(9);
      expect(v2.seqAtTs).toBe(9);
      expect(v2.bucketUs).toBe(S);
      expect(v2.buckets.reduce((n, b) => n + b.count, 0)).toBe(9);
      expect(next).toBe(10);
    } finally {
      log.close();
      w.close();
    }
  });

  it('reads a long session in slices between turns of the event loop: two callers at once get what one pass gives (decision 150)', async () => {
    const dir = tempDir('ordo-timeline-');
    dirs.push(dir);
    const path = join(dir, 'ordo.db');
    const w = openWritableLog(path);
    w.transaction(() => w.openSession(1, T0));
    append(w, 1, Array.from({ length: 40 }, (_, i) => Math.floor(i / 3) * S + i));
    const log = openReadableLog(path);
    try {
      const whole = new Timelines(log).view(1, 40, 20, T0 + 5 * S);
      const sliced = new Timelines(log, 7);
      let turns = 0;
      const ticking = (async () => {
        while (turns < 1000) {
          turns++;
          await new Promise((r) => setImmediate(r));
        }
      })();
      const [a, b] = await Promise.all([sliced.viewInSlices(1, 40, 20, T0 + 5 * S), sliced.viewInSlices(1, 40, 20, T0 + 5 * S)]);
      const between = turns;
      turns = 1000;
      await ticking;
      expect(a).toEqual(whole);
      expect(b).toEqual(whole);
      // Other work ran while it read (six slices of 7 shared by the two callers).
      expect(between).toBeGreaterThanOrEqual(3);
      // A head past the log's end ends the reading instead of spinning.
      expect((await new Timelines(log, 7).viewInSlices(1, 45, 20)).lastSeq).toBe(40);
    } finally {
      log.close();
      w.close();
    }
  });

  it('refuses a bad query with one line naming the field', () => {
    expect(parseTimelineQuery({ session: 2, buckets: 300, atTs: 5 })).toEqual({ session: 2, buckets: 300, atTs: 5 });
    expect(() => parseTimelineQuery({ buckets: 0 })).toThrow(/timeline\.buckets/);
    expect(() => parseTimelineQuery({ buckets: 5000 })).toThrow(/timeline\.buckets/);
    expect(() => parseTimelineQuery({ when: 1 })).toThrow(/timeline/);
  });
});
