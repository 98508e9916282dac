import { describe, expect, it } from 'vitest';
import type { FillView } from '../../contract/api.ts';
import { fillFilterOf } from '../../contract/fill-window.ts';
import type { FillSortKey, FillWindowQuery } from '../../contract/fill-window.ts';
import { FillWindows } from '../../engine/host/fill-window.ts';
import { parseFillWindowQuery } from '../../engine/host/validation.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import { fillViews } from '../../engine/oms/views.ts';
import type { OrdoEvent } from '../../engine/protocol/events.ts';

const reference = loadReferenceData();
const SYMBOLS = ['AAPL', 'MSFT', 'JPM'];
const PRICES: Record<string, number> = { AAPL: 228.45, MSFT: 420.1, JPM: 245.3 };

/**
 * A session whose orders are filled a piece at a time, interleaved, from a
 * seeded walk (no clock, no Math.random): `more(n)` adds n orders, each
 * accepted, routed and filled 1-3 times, with fills of older orders between.
 */
function session() {
  const log = new LogBuilder().openSession({ reference });
  const p = new OmsProjection();
  p.applyAll(log.events);
  const step = (event: OrdoEvent, src: string) => p.apply(log.add(event, src));
  let s = 777;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31);
  let exec = 1;
  let id = 0;
  const open: { orderId: number; left: number; symbol: string }[] = [];
  const more = (n: number) => {
    for (let k = 0; k < n; k++) {
      id++;
      const symbol = SYMBOLS[next() % 3]!;
      const quantity = 3 + (next() % 20);
      step(
        {
          type: 'OrderPending', orderId: id, clientId: ['ALPHA', 'BRAVO', 'CHARLIE'][next() % 3]!, clientOrderId: `F-${id}`, symbol,
          side: next() % 2 ? 'buy' : 'sell', orderType: 'limit', timeInForce: 'day', quantity, price: PRICES[symbol]!,
        },
        'proxy-1',
      );
      step({ type: 'OrderAccepted', orderId: id }, 'risk-1');
      step({ type: 'OrderRouted', orderId: id, venue: 'XNAS' }, 'router-1');
      open.push({ orderId: id, left: quantity, symbol });
      // Fill a random working order (often an older one) a little.
      const o = open[next() % open.length]!;
      const q = Math.min(o.left, 1 + (next() % 3));
      step({ type: 'OrderExecuted', orderId: o.orderId, execId: exec++, fillQty: q, fillPrice: PRICES[o.symbol]! + (next() % 7) / 100 }, 'gateway-1');
      o.left -= q;
      if (o.left === 0) open.splice(open.indexOf(o), 1);
    }
  };
  return { p, more };
}

/** The naive reference: every fill as a view, filtered, sorted by the key then the seq. */
function naive(p: OmsProjection, q: FillWindowQuery): FillView[] {
  const match = fillFilterOf(q);
  const clientOf = (f: FillView) => p.order(f.orderId)?.clientId;
  const key: FillSortKey = q.sort ?? 'seq';
  const sign = (q.dir ?? 'desc') === 'asc' ? 1 : -1;
  const val = (f: FillView) => (key === 'clientId' ? (clientOf(f) ?? '') : key === 'notional' ? f.quantity * f.price : f[key]);
  return fillViews(p)
    .filter((f) => match(f, clientOf(f)))
    .sort((a, b) => (val(a) < val(b) ? -sign : val(a) > val(b) ? sign : sign * (a.seq - b.seq)));
}

const QUERIES: FillWindowQuery[] = [
  {},
  { dir: 'asc' },
  { sort: 'price', dir: 'desc' },
  { sort: 'notional', dir: 'asc' },
  { sort: 'clientId', dir: 'asc', side: 'sell' },
  { sort: 'symbol', clientId: 'BRAVO' },
  { symbol: 'JPM', sort: 'quantity' },
  { orderId: 7 },
  { text: 'charlie msft' },
  { text: 'alpha', sort: 'orderId', dir: 'asc' },
  { text: '#12' },
];

function expectSame(w: FillWindows, p: OmsProjection, q: FillWindowQuery) {
  const all = naive(p, q);
  for (const [offset, limit] of [[0, 60], [41, 100], [Math.max(0, all.length - 7), 50], [all.length + 10, 5]] as const) {
    const got = w.window(p, { ...q, offset, limit });
    expect(got.total, JSON.stringify(q)).toBe(all.length);
    expect(got.fillCount).toBe(p.fillCount);
    expect(got.offset).toBe(Math.min(offset, all.length));
    const want = all.slice(offset, offset + limit);
    expect(got.fills, JSON.stringify(q)).toEqual(want);
    expect(got.clients).toEqual(want.map((f) => p.order(f.orderId)?.clientId ?? ''));
  }
}

describe('getFillWindow: the fills blotter window cut by the host (decision 166)', () => {
  it('answers the same rows, order and counts as filtering and sorting every fill', () => {
    const { p, more } = session();
    more(300);
    expect(p.fillCount).toBe(300);
    const w = new FillWindows();
    for (const q of QUERIES) expectSame(w, p, q);
  });

  it('stays exact while fills stream in: new fills are merged into a built list, never a stale one', () => {
    const { p, more } = session();
    more(120);
    // One FillWindows per query, as a blotter keeps one view: each batch is merged into its built list.
    const windows = QUERIES.map(() => new FillWindows());
    for (let batch = 0; batch < 6; batch++) {
      QUERIES.forEach((q, i) => expectSame(windows[i]!, p, q));
      more(7 + batch * 13);
    }
    QUERIES.forEach((q, i) => expectSame(windows[i]!, p, q));
  });

  it('a list built in slices (the live path of the host) answers what one built at once does, and takes in fills booked meanwhile', async () => {
    const { p, more } = session();
    more(400);
    let turns = 0;
    for (const q of QUERIES) {
      const sliced = new FillWindows();
      const pause = () => {
        turns++;
        // Fills booked between two slices of the first build.
        if (turns % 7 === 0) more(3);
        return Promise.resolve();
      };
      await sliced.windowSliced(p, q, pause, 32);
      const all = naive(p, q);
      const got = await sliced.windowSliced(p, { ...q, offset: 0, limit: 2000 }, pause, 32);
      expect(got.total, JSON.stringify(q)).toBe(all.length);
      expect(got.fills, JSON.stringify(q)).toEqual(all);
    }
    expect(turns).toBeGreaterThan(QUERIES.length * 10);
  });

  it('a number key that rises within each slice but falls between two slices is sorted (the order seen is carried across slices)', async () => {
    const log = new LogBuilder().openSession({ reference });
    const p = new OmsProjection();
    p.applyAll(log.events);
    const step = (event: OrdoEvent, src: string) => p.apply(log.add(event, src));
    // 96 fills: quantities 40..71, then 8..39, then 72..103 (each slice of 32 in order, a fall at the first boundary).
    for (let id = 1; id <= 96; id++) {
      const qty = id <= 32 ? 39 + id : id <= 64 ? id - 25 : id + 7;
      step({ type: 'OrderPending', orderId: id, clientId: 'ALPHA', clientOrderId: `S-${id}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: qty, price: 228.45 }, 'proxy-1');
      step({ type: 'OrderAccepted', orderId: id }, 'risk-1');
      step({ type: 'OrderRouted', orderId: id, venue: 'XNAS' }, 'router-1');
      step({ type: 'OrderExecuted', orderId: id, execId: id, fillQty: qty, fillPrice: 228.45 + (id <= 32 ? id : id <= 64 ? id - 64 : id) / 100 }, 'gateway-1');
    }
    for (const q of [{ sort: 'quantity', dir: 'asc' }, { sort: 'price', dir: 'asc' }, { sort: 'notional', dir: 'asc' }] as FillWindowQuery[]) {
      const got = await new FillWindows().windowSliced(p, { ...q, limit: 2000 }, () => Promise.resolve(), 32);
      expect(got.fills, JSON.stringify(q)).toEqual(naive(p, q));
    }
  });

  it('merges a burst of new fills into a built list a slice per turn, and calls meanwhile wait for the merge', async () => {
    const { p, more } = session();
    more(600);
    const q: FillWindowQuery = { sort: 'price', dir: 'asc' };
    const w = new FillWindows();
    let turns = 0;
    let bookDuringMerge = false;
    const pause = () => {
      turns++;
      // Fills booked while a merge is under way: the next call must take them in too.
      if (bookDuringMerge) {
        bookDuringMerge = false;
        more(5);
      }
      return Promise.resolve();
    };
    await w.windowSliced(p, q, pause, 16);
    // A burst that sorts among the listed fills (prices repeat): a merge over the whole list, 64 entries a turn.
    more(200);
    const booked = naive(p, q);
    turns = 0;
    bookDuringMerge = true;
    const [a, b] = await Promise.all([w.windowSliced(p, { ...q, limit: 2000 }, pause, 16), w.windowSliced(p, { ...q, dir: 'desc', limit: 2000 }, pause, 16)]);
    // 600 listed + 200 new entries (more than the 64 kept pending beside the list), 64 a turn: at least 12 turns,
    // never the whole list in one.
    expect(turns).toBeGreaterThanOrEqual(12);
    expect(p.fillCount).toBe(805);
    // Each call holds every fill booked before it was made: the first not the 5 booked during its merge (at its
    // first pause); the second, made after them, waits for the merge and takes them in.
    expect(a.total).toBe(booked.length);
    expect(a.fills).toEqual(booked);
    const now = naive(p, q);
    expect(now.length).toBe(booked.length + 5);
    expect(b.total).toBe(now.length);
    expect(b.fills).toEqual([...now].reverse());
    for (const got of [a, b]) expect(got.fillCount).toBe(p.fillCount);
    const next = await w.windowSliced(p, { ...q, limit: 2000 }, pause, 16);
    expect(next.fills).toEqual(now);
    // Fills booked at every turn (a steady flow): a call still ends, with every fill booked before it was made.
    const flowing = () => {
      more(1);
      return Promise.resolve();
    };
    more(300);
    const before = p.fillCount;
    const got = await w.windowSliced(p, { ...q, limit: 1 }, flowing, 16);
    expect(p.fillCount).toBeGreaterThan(before);
    // No filter: every fill booked before the call is in the list.
    expect(got.total).toBeGreaterThanOrEqual(before);
    // The at-once path (the past-state thread's) merges the same way in one piece.
    more(50);
    expectSame(w, p, q);
  });

  it('keeps a few new fills pending beside the built list (no pass over it) and reads every window across both by rank', async () => {
    const { p, more } = session();
    more(500);
    const w = new FillWindows();
    let turns = 0;
    const pause = () => {
      turns++;
      return Promise.resolve();
    };
    for (const q of [{ sort: 'price', dir: 'asc' }, { sort: 'clientId', side: 'buy' }, { sort: 'notional', symbol: 'MSFT', dir: 'asc' }] as FillWindowQuery[]) {
      await w.windowSliced(p, q, pause, 16);
      // Up to 64 (16 x 4) new matching fills stay pending: a call takes them in without a turn of its own.
      for (let round = 0; round < 3; round++) {
        more(15);
        turns = 0;
        const all = naive(p, q);
        for (const [offset, limit] of [[0, 7], [3, 40], [Math.max(0, all.length - 9), 20], [Math.floor(all.length / 2), 33], [all.length + 3, 5]] as const) {
          const got = await w.windowSliced(p, { ...q, offset, limit }, pause, 16);
          expect(got.total, JSON.stringify(q)).toBe(all.length);
          expect(got.fills, `${JSON.stringify(q)} ${offset}`).toEqual(all.slice(offset, offset + limit));
          expect(got.clients).toEqual(all.slice(offset, offset + limit).map((f) => p.order(f.orderId)?.clientId ?? ''));
        }
        expect(turns, JSON.stringify(q)).toBe(0);
      }
    }
  });

  it('refuses bad queries with one line naming the field', () => {
    expect(() => parseFillWindowQuery({ sort: 'colour' })).toThrow(/^fillWindow\.sort/);
    expect(() => parseFillWindowQuery({ limit: 5000 })).toThrow(/^fillWindow\.limit/);
    expect(() => parseFillWindowQuery({ side: 'long' })).toThrow(/^fillWindow\.side/);
    expect(() => parseFillWindowQuery({ orderId: -1 })).toThrow(/^fillWindow\.orderId/);
    expect(() => parseFillWindowQuery({ state: 'open' })).toThrow(/fillWindow/);
    expect(parseFillWindowQuery({ sort: 'notional', dir: 'asc', at: 5, session: 1 })).toEqual({ sort: 'notional', dir: 'asc', at: 5, session: 1 });
  });
});
