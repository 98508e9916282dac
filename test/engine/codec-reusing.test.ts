import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { encodeFrame, visitFrame, visitFrameReusing } from '../../engine/protocol/codec.ts';
import { EVENT_SPECS, type Sequenced } from '../../engine/protocol/events.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { orderSession, storeSession } from '../../bench/session.ts';

/*
 * visitFrameReusing (decision 245): one Sequenced rewritten per event and the order lifecycle's events decoded
 * into one kept object per type. What it hands over must read exactly as visitFrame's events do, event by event
 * (an absent optional field reads undefined, never the previous event's value), and a projection fed through it
 * must end in the same state.
 */
interface Fixture {
  readonly session: number;
  readonly events: Sequenced[];
  readonly frames: readonly { readonly from: number; readonly to: number; readonly bytes: string }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/frames-v2-9c21b17/frames.json', import.meta.url), 'utf8')) as Fixture;

/** The event as a plain object without undefined fields (how visitFrame's events look). */
function plain(e: Sequenced): unknown {
  const event: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e.event)) if (v !== undefined) event[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
  return { seq: e.seq, ts: e.ts, src: e.src, cseq: e.cseq, event };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('visitFrameReusing', () => {
  it('hands over what visitFrame does, event by event, for every event type with and without its optional fields', () => {
    let seen = 0;
    for (const f of fixture.frames) {
      const bytes = Buffer.from(f.bytes, 'base64');
      const want: unknown[] = [];
      visitFrame(bytes, (e) => want.push(plain(e)));
      const got: unknown[] = [];
      visitFrameReusing(bytes, (e) => got.push(plain(e)));
      expect(got).toEqual(want);
      seen += got.length;
    }
    expect(seen).toBe(fixture.events.length);
  });

  it('refuses a frame with trailing bytes or cut short as visitFrame does, after the same events', () => {
    const bytes = Buffer.from(fixture.frames[0]!.bytes, 'base64');
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    const outcome = (visit: typeof visitFrame, frame: Uint8Array) => {
      let n = 0;
      try {
        visit(frame, () => n++);
      } catch (err) {
        return { n, error: String(err) };
      }
      return { n, error: undefined };
    };
    const trailing = outcome(visitFrameReusing, longer);
    expect(trailing.error).toMatch(/3 trailing bytes after frame/);
    expect(trailing).toEqual(outcome(visitFrame, longer));
    for (const cut of [bytes.length - 1, bytes.length >> 1]) {
      const short = bytes.subarray(0, cut);
      expect(outcome(visitFrameReusing, short).error).toMatch(/DecodeError|truncated|cannot fit/);
      expect(outcome(visitFrameReusing, short)).toEqual(outcome(visitFrame, short));
    }
  });

  it('never shows a field of the event before: optional fields present, then absent, in one frame', () => {
    const ts = 1_767_225_600_000_000;
    const pending = (orderId: number, extra: Record<string, unknown>): Sequenced => ({
      seq: orderId, ts: ts + orderId, src: 'client-1', cseq: orderId,
      event: {
        type: 'OrderPending', orderId, clientId: 'C1', clientOrderId: `c${orderId}`, symbol: 'AAPL', side: 'buy', orderType: 'limit',
        timeInForce: 'gtd', quantity: 10, price: 1.5, ...extra,
      } as unknown as Sequenced['event'],
    });
    const events = [
      pending(1, { expireAt: ts + 9, locate: true, intentional: true }),
      pending(2, {}),
      { seq: 3, ts: ts + 3, src: 'client-1', cseq: 3, event: { type: 'ReplaceRequested', orderId: 1, quantity: 5, price: 1.25, clientOrderId: 'r1' } },
      { seq: 4, ts: ts + 4, src: 'client-1', cseq: 4, event: { type: 'ReplaceRequested', orderId: 2, quantity: 6, price: 1.5 } },
      pending(5, { locate: true }),
    ] as Sequenced[];
    const got: unknown[] = [];
    visitFrameReusing(encodeFrame(3, events), (e) => got.push(plain(e)));
    expect(got).toEqual(events.map(plain));
    const second = got[1] as { event: Record<string, unknown> };
    expect('expireAt' in second.event).toBe(false);
  });

  it('gives the projection the same state as visitFrame on every event type (the fixture\'s events)', () => {
    const fresh = new OmsProjection();
    const reused = new OmsProjection();
    for (const f of fixture.frames) {
      const bytes = Buffer.from(f.bytes, 'base64');
      visitFrame(bytes, (e) => fresh.apply(e));
      visitFrameReusing(bytes, (e) => reused.apply(e));
    }
    expect(reused.stateHash()).toBe(fresh.stateHash());
  });

  it('hands every visitor the message code of its event\'s type, from frames of every event type (decision 276)', () => {
    const types = new Set<string>();
    for (const visit of [visitFrame, visitFrameReusing]) {
      for (const f of fixture.frames) {
        const bytes = Buffer.from(f.bytes, 'base64');
        const wrong: unknown[] = [];
        visit(bytes, (e, code) => {
          types.add(e.event.type);
          if (code !== EVENT_SPECS.byType.get(e.event.type)!.code) wrong.push({ seq: e.seq, type: e.event.type, code });
        });
        expect(wrong).toEqual([]);
      }
    }
    expect(types.size).toBeGreaterThan(20);
  });

  it('applyCoded gives the projection apply\'s state on every event type, and any other code goes to apply', () => {
    const byType = new OmsProjection();
    const byCode = new OmsProjection();
    const otherCode = new OmsProjection();
    for (const f of fixture.frames) {
      const bytes = Buffer.from(f.bytes, 'base64');
      visitFrame(bytes, (e) => byType.apply(e));
      visitFrameReusing(bytes, (e, code) => byCode.applyCoded(e, code));
      visitFrameReusing(bytes, (e) => otherCode.applyCoded(e, 0));
    }
    expect(byCode.orderCount).toBeGreaterThan(0);
    expect(byCode.stateHash()).toBe(byType.stateHash());
    expect(otherCode.stateHash()).toBe(byType.stateHash());
  });

  it('gives the projection the same state as visitFrame through log.replay, on the bench session in frames of 1 to 4,096 events', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ordo-reusing-'));
    dirs.push(dir);
    const path = join(dir, 'ordo.db');
    const log = openWritableLog(path);
    // Frames of mixed sizes: row by row and paged reading both run (frame-pages.ts picks by frame size).
    const total = storeSession(log, orderSession(60_000), undefined, [1, 3, 7, 4096, 2, 500]);
    log.close();
    const read = openReadableLog(path);
    const fresh = new OmsProjection();
    const reused = new OmsProjection();
    expect(read.replay(1, (e) => fresh.apply(e), 1)).toBe(total);
    expect(read.replay(1, (e) => reused.apply(e), 1, Number.MAX_SAFE_INTEGER, true)).toBe(total);
    const coded = new OmsProjection();
    expect(read.replay(1, (e, code) => coded.applyCoded(e, code), 1, Number.MAX_SAFE_INTEGER, true)).toBe(total);
    // A slice in the middle as well (a past state played forward).
    const part = new OmsProjection();
    read.replay(1, (e) => part.apply(e), 1, 20_000, true);
    read.replay(1, (e) => part.apply(e), 20_001, Number.MAX_SAFE_INTEGER, true);
    read.close();
    expect(reused.orderCount).toBeGreaterThan(1000);
    expect(reused.stateHash()).toBe(fresh.stateHash());
    expect(part.stateHash()).toBe(fresh.stateHash());
    expect(coded.stateHash()).toBe(fresh.stateHash());
  });
});
