import { describe, expect, it } from 'vitest';
import type { EventLine } from '../../contract/api.ts';
import type { PositionView } from '../../contract/risk.ts';
import { createOrdoStore } from '../../renderer/store/store.ts';
import { remark } from '../../renderer/ui/risk/remark.ts';
import { POSITION_EVENTS } from '../../renderer/ui/risk/risk-events.ts';
import { watchPushes } from '../../renderer/ui/risk/watch-pushes.ts';
import { fill, stateView } from './helpers.ts';

const line = (seq: number, type: string, session = 1): EventLine => ({ session, seq, ts: seq, type, src: 'x-1', cseq: seq });

function setup() {
  const store = createOrdoStore({ schedule: () => () => undefined, now: () => 1000 });
  const push = (u: Parameters<ReturnType<typeof store.getState>['enqueue']>[0]): void => {
    store.getState().enqueue(u);
    store.getState().flush();
  };
  push({ reset: stateView({ fills: [fill(1)] }), events: [line(1, 'SessionOpened'), line(2, 'SessionReady')] });
  let calls = 0;
  const stop = watchPushes(store, { types: POSITION_EVENTS, fills: true }, () => calls++);
  return { push, calls: () => calls, stop };
}

describe('the positions panel is driven by the push stream, not a timer', () => {
  it('reloads on a fill or a position event, not on unrelated pushes; skipped lines and a new session count', () => {
    const t = setup();
    t.push({ events: [line(3, 'OrderPending'), line(4, 'OrderAccepted')] });
    expect(t.calls()).toBe(0);
    t.push({ fills: [fill(2)], events: [line(5, 'OrderExecuted')] });
    expect(t.calls()).toBe(1); // one change, however many reasons in the push
    t.push({ events: [line(6, 'ReferencePriceMoved')] });
    expect(t.calls()).toBe(2);
    t.push({ instruments: [{ symbol: 'AAPL', last: 191 }] }); // quotes re-mark locally; no reload
    expect(t.calls()).toBe(2);
    t.push({ events: [line(9, 'OrderAccepted')] }); // 7 and 8 were never pushed: they may have been fills
    expect(t.calls()).toBe(3);
    t.push({ events: [line(1, 'SessionOpened', 2)] }); // a new session: positions restored
    expect(t.calls()).toBe(4);
    t.stop();
    t.push({ fills: [fill(3)] });
    expect(t.calls()).toBe(4);
  });

  it('re-marks rows at the live last trade: unrealised and notional follow the quote, the multiplier applied', () => {
    const row: PositionView = { clientId: 'DELTA', symbol: 'AAPL 281215C230', quantity: 6, avgCost: 2.05, realizedPnl: 180, unrealizedPnl: 0, lastPrice: 2.05, notional: 1230, grossNotional: 1230, multiplier: 100, currency: 'USD' };
    const [r] = remark([row], (s) => (s === row.symbol ? 2.5 : undefined));
    expect(r).toMatchObject({ lastPrice: 2.5, realizedPnl: 180, notional: 1500, grossNotional: 1500 });
    expect(r!.unrealizedPnl).toBeCloseTo(6 * (2.5 - 2.05) * 100, 8); // 270
    const short = { ...row, quantity: -6 };
    expect(remark([short], () => 2.5)[0]).toMatchObject({ notional: -1500, grossNotional: 1500 });
    expect(remark([row], () => undefined)[0]).toBe(row);
  });
});
