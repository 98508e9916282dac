import { describe, expect, it } from 'vitest';
import type { OrderView } from '../../contract/api.ts';
import { matchesOrderText, orderFilterOf } from '../../contract/order-window.ts';
import type { OrderSortKey, OrderWindowQuery } from '../../contract/order-window.ts';
import { mergeSortRun, OrderWindows } from '../../engine/host/order-window.ts';
import { parseOrderSelection, parseOrderWindowQuery } from '../../engine/host/validation.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import { orderViews } from '../../engine/oms/views.ts';
import type { OrdoEvent } from '../../engine/protocol/events.ts';

const reference = loadReferenceData();
const SYMBOLS = ['AAPL', 'MSFT', 'JPM'];
const PRICES: Record<string, number> = { AAPL: 228.45, MSFT: 420.1, JPM: 245.3 };

/** A session of `n` orders in every kind of state, built from a seeded walk (no clock, no Math.random). */
function session(n: number) {
  const log = new LogBuilder().openSession({ reference });
  const p = new OmsProjection();
  p.applyAll(log.events);
  const step = (event: OrdoEvent, src = 'sequencer') => p.apply(log.add(event, src));
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31);
  let exec = 1;
  for (let id = 1; id <= n; id++) {
    const symbol = SYMBOLS[next() % 3]!;
    step(
      {
        type: 'OrderPending', orderId: id, clientId: next() % 2 ? 'ALPHA' : 'CHARLIE', clientOrderId: `W-${id}`, symbol,
        side: next() % 2 ? 'buy' : 'sell', orderType: 'limit', timeInForce: 'day', quantity: 1 + (next() % 50), price: PRICES[symbol]!,
      },
      'proxy-1',
    );
    const fate = next() % 4;
    if (fate === 0) step({ type: 'OrderRejected', orderId: id, reason: 107, text: 'no' }, 'risk-1');
    if (fate >= 1) step({ type: 'OrderAccepted', orderId: id }, 'risk-1');
    if (fate >= 2) step({ type: 'OrderRouted', orderId: id, venue: 'XNAS' }, 'router-1');
    if (fate === 3) step({ type: 'OrderExecuted', orderId: id, execId: exec++, fillQty: 1, fillPrice: PRICES[symbol]! }, 'gateway-1');
  }
  return { p, step };
}

/** The naive reference: every order as a view, filtered, sorted by the key then the id. */
function reference_(p: OmsProjection, q: OrderWindowQuery): OrderView[] {
  // The text as matchesOrderText reads it (a lower-cased string per order), not the host's compiled matcher.
  const rest = orderFilterOf({ ...q, text: '' });
  const needle = (q.text ?? '').trim().toLowerCase();
  const match = (o: OrderView): boolean => rest(o) && matchesOrderText(o, needle);
  const key: OrderSortKey = q.sort ?? 'createdTs';
  const sign = (q.dir ?? 'desc') === 'asc' ? 1 : -1;
  const val = (o: OrderView) => o[key] ?? '';
  return orderViews(p)
    .filter(match)
    .sort((a, b) => (val(a) < val(b) ? -sign : val(a) > val(b) ? sign : sign * (a.orderId - b.orderId)));
}

/**
 * A session of `n` orders in every state, by a seeded walk that draws from the generator's high bits (session()'s
 * `% 4` of the low bits repeats with period 4: its orders all share one fate per id's phase).
 */
function mixedSession(n: number, seed: number) {
  const { p, step } = session(0);
  let s = seed;
  const draw = (k: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return Math.floor(s / 65536) % k;
  };
  let exec = 1;
  for (let id = 1; id <= n; id++) {
    const symbol = SYMBOLS[draw(3)]!;
    const price = PRICES[symbol]! + draw(9);
    step({ type: 'OrderPending', orderId: id, clientId: draw(2) ? 'ALPHA' : 'CHARLIE', clientOrderId: `W-${id}`, symbol, side: draw(2) ? 'buy' : 'sell', orderType: 'limit', timeInForce: 'day', quantity: 5 + draw(50), price }, 'proxy-1');
    const fate = draw(5);
    if (fate === 0) step({ type: 'OrderRejected', orderId: id, reason: 107, text: 'no' }, 'risk-1');
    if (fate >= 1) step({ type: 'OrderAccepted', orderId: id }, 'risk-1');
    if (fate >= 2) step({ type: 'OrderRouted', orderId: id, venue: draw(2) ? 'XNAS' : 'XNYS' }, 'router-1');
    if (fate >= 3) step({ type: 'OrderExecuted', orderId: id, execId: exec++, fillQty: 1 + draw(3), fillPrice: price }, 'gateway-1');
  }
  return { p, step, draw };
}

describe('getOrderWindow: the blotter window cut by the host (decision 150)', () => {
  it('answers the same rows, order and counts as filtering and sorting every order', () => {
    const { p } = session(400);
    const w = new OrderWindows();
    const queries: OrderWindowQuery[] = [
      {},
      { sort: 'orderId', dir: 'asc' },
      { sort: 'quantity', dir: 'desc' },
      { sort: 'symbol', dir: 'asc', state: 'open' },
      { sort: 'state', clientId: 'ALPHA', side: 'sell' },
      { symbol: 'JPM', state: 'rejected', sort: 'rejectReason' },
      { text: 'w-1', sort: 'venue', dir: 'asc' },
      { text: '#17' },
      { text: 'ALPHA aapl', sort: 'price', dir: 'asc' },
      { text: 'xnas', state: 'open' },
      { text: 'charlie', sort: 'state' },
    ];
    for (const q of queries) {
      const all = reference_(p, q);
      for (const [offset, limit] of [[0, 50], [37, 100], [all.length - 5, 50]] as const) {
        const from = Math.max(0, offset);
        const got = w.window(p, { ...q, offset: from, limit });
        expect(got.total, JSON.stringify(q)).toBe(all.length);
        // An offset past the end is clamped to it (an empty window, not an error).
        expect(got.offset).toBe(Math.min(from, all.length));
        expect(got.orders.map((o) => o.orderId), JSON.stringify(q)).toEqual(all.slice(from, from + limit).map((o) => o.orderId));
      }
    }
    const views = orderViews(p);
    const first = w.window(p, {});
    expect(first.orderCount).toBe(400);
    expect(first.working).toBe(views.filter((o) => !['rejected', 'filled', 'cancelled', 'expired'].includes(o.state)).length);
    // Newest first by default: the trader's live end of the session.
    expect(first.orders[0]!.orderId).toBe(400);
    expect(w.window(p, { text: '#17' }).orders.map((o) => o.orderId)).toEqual([17]);
  });

  it('adds new orders to a list by entry time at once; other lists are reused for their age; rows are always fresh', () => {
    const { p, step } = session(20);
    let now = 0;
    const w = new OrderWindows(() => now, 1000);
    const byQty = { sort: 'quantity' as const };
    expect(w.window(p, byQty).total).toBe(20);
    const pendingOf = (id: number) => ({ type: 'OrderPending' as const, orderId: id, clientId: 'ALPHA', clientOrderId: `N-${id}`, symbol: 'AAPL', side: 'buy' as const, orderType: 'limit' as const, timeInForce: 'day' as const, quantity: 99, price: 228.45 });
    step(pendingOf(21), 'proxy-1');
    now = 500;
    // Sorted by a field that changes (a replace moves quantity): the kept list, until its age.
    expect(w.window(p, byQty).total).toBe(20);
    now = 1001;
    expect(w.window(p, byQty).orders[0]!.orderId).toBe(21);
    // Newest first (the default): each new order is on top at the next request, no rebuild needed.
    const w2 = new OrderWindows(() => now, 1000);
    expect(w2.window(p, {}).orders[0]!.orderId).toBe(21);
    step(pendingOf(22), 'proxy-1');
    now = 1002;
    const top = w2.window(p, {});
    expect(top.orders.map((o) => o.orderId).slice(0, 2)).toEqual([22, 21]);
    expect(top.total).toBe(22);
    expect(w2.window(p, { dir: 'asc', offset: 21 }).orders.map((o) => o.orderId)).toEqual([22]);
    // A row's contents are read when the window is cut, even from a kept list.
    step({ type: 'OrderAccepted', orderId: 22 }, 'risk-1');
    step({ type: 'OrderRouted', orderId: 22, venue: 'XNAS' }, 'router-1');
    now = 1100;
    const row = w2.window(p, {}).orders[0]!;
    expect(row.stage).toBe('routed');
    expect(row).toEqual(orderViews(p).find((o) => o.orderId === 22));
    // And the result always equals a fresh build once the list's age is past.
    now = 5000;
    expect(w2.window(p, {}).working).toBe(orderViews(p).filter((o) => !['rejected', 'filled', 'cancelled', 'expired'].includes(o.state)).length);
  });

  it('a list built in slices (the live path of the host) answers exactly what one built at once does', async () => {
    const { p } = session(700);
    let turns = 0;
    const pause = () => {
      turns++;
      return Promise.resolve();
    };
    const queries: OrderWindowQuery[] = [{}, { sort: 'quantity', dir: 'asc' }, { sort: 'state' }, { sort: 'symbol', state: 'open' }, { sort: 'price', clientId: 'ALPHA', dir: 'asc' }, { text: 'w-1', sort: 'venue' }];
    for (const q of queries) {
      const sliced = new OrderWindows();
      for (const [offset, limit] of [[0, 100], [333, 250], [650, 100]] as const) {
        // Slices of 64 orders: 11 slices over the orders, 11 sorted runs, 4 levels of merges.
        const got = await sliced.windowSliced(p, { ...q, offset, limit }, pause, 64);
        const want = new OrderWindows().window(p, { ...q, offset, limit });
        expect(got, JSON.stringify(q)).toEqual(want);
        expect(got.orders.map((o) => o.orderId)).toEqual(reference_(p, q).slice(offset, offset + limit).map((o) => o.orderId));
      }
    }
    expect(turns).toBeGreaterThan(queries.length * 11);
  });

  it('a fixed list built in slices takes new orders in its headroom and past it (a new buffer): the same rows as a fresh build', async () => {
    const { p, step } = mixedSession(60, 7);
    const pause = () => Promise.resolve();
    const queries: OrderWindowQuery[] = [{}, { dir: 'asc' }, { clientId: 'ALPHA', dir: 'asc' }, { sort: 'orderId', symbol: 'MSFT' }];
    // A clock that stands still: only the appends, never the age, decide (decision 150 keeps a fixed list while it can append).
    const kept = queries.map(() => new OrderWindows(() => 0));
    let id = 60;
    // 5 new orders (in the headroom), then 1,500 (past the 1,024 entries of headroom: a new buffer), then 700 more.
    for (const more of [0, 5, 1500, 700]) {
      for (let i = 0; i < more; i++) {
        id++;
        step({ type: 'OrderPending', orderId: id, clientId: id % 3 ? 'ALPHA' : 'CHARLIE', clientOrderId: `A-${id}`, symbol: SYMBOLS[id % 3]!, side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 1 + (id % 7), price: 230 }, 'proxy-1');
      }
      for (const [k, q] of queries.entries()) {
        for (const [offset, limit] of [[0, 50], [40, 30], [Math.max(0, id - 30), 50]] as const) {
          const got = await kept[k]!.windowSliced(p, { ...q, offset, limit }, pause, 64);
          expect(got, `${JSON.stringify(q)} +${more} @${offset}`).toEqual(new OrderWindows().window(p, { ...q, offset, limit }));
        }
      }
    }
    // Every call after the first appended to the kept list rather than building it again.
    for (const w of kept) expect(w.builds).toBe(1);
  });

  it('a text sort key is sorted by its names\' ranks, and by the strings themselves past 4,096 distinct names: the same rows as the naive sort', async () => {
    const { p, step } = session(0);
    // 4,300 rejected orders with distinct reasons (past the 4,096 names a build codes), and working ones with none.
    for (let id = 1; id <= 4400; id++) {
      step({ type: 'OrderPending', orderId: id, clientId: id % 2 ? 'ALPHA' : 'CHARLIE', clientOrderId: `R-${id}`, symbol: SYMBOLS[id % 3]!, side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 1, price: 230 }, 'proxy-1');
      if (id > 100) step({ type: 'OrderRejected', orderId: id, reason: 107, text: `why ${(id * 7919) % 4409}` }, 'risk-1');
    }
    const pause = () => Promise.resolve();
    for (const q of [{ sort: 'rejectReason', dir: 'asc' }, { sort: 'rejectReason', clientId: 'ALPHA' }, { sort: 'state', dir: 'asc' }, { sort: 'symbol' }] as OrderWindowQuery[]) {
      for (const [offset, limit] of [[0, 120], [2000, 150], [4300, 100]] as const) {
        const want = reference_(p, q).slice(offset, offset + limit).map((o) => o.orderId);
        expect(new OrderWindows().window(p, { ...q, offset, limit }).orders.map((o) => o.orderId), JSON.stringify(q)).toEqual(want);
        expect((await new OrderWindows().windowSliced(p, { ...q, offset, limit }, pause, 500)).orders.map((o) => o.orderId), JSON.stringify(q)).toEqual(want);
      }
    }
  });

  it('sorts a run in place (insertion runs of 16, then merges through a scratch array) as a comparison sort does', () => {
    let s = 99;
    const next = (k: number) => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return Math.floor(s / 65536) % k;
    };
    for (const len of [0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 257, 1000]) {
      const keys = Array.from({ length: len + 10 }, () => next(len < 50 ? 5 : 40));
      const before = (x: number, y: number) => keys[x]! < keys[y]! || (keys[x] === keys[y] && x < y);
      // A run in the middle of a larger array: what is outside [lo, hi) stays as it was.
      const a = Int32Array.from({ length: len + 10 }, (_, i) => len + 9 - i);
      const want = [...a.subarray(5, 5 + len)].sort((x, y) => (before(x, y) ? -1 : before(y, x) ? 1 : 0));
      mergeSortRun(a, 5, 5 + len, new Int32Array(len), before);
      expect([...a.subarray(5, 5 + len)], `length ${len}`).toEqual(want);
      expect([...a.subarray(0, 5)]).toEqual([len + 9, len + 8, len + 7, len + 6, len + 5]);
      expect([...a.subarray(5 + len)]).toEqual([4, 3, 2, 1, 0]);
    }
  });

  it('calls that ask for a list while it is being built share the one build, and see events applied between its slices', async () => {
    const { p, step } = session(300);
    const w = new OrderWindows();
    const waiting: (() => void)[] = [];
    const pause = () => new Promise<void>((r) => waiting.push(r));
    const first = w.windowSliced(p, { sort: 'quantity' }, pause, 50);
    const second = w.windowSliced(p, { sort: 'quantity', offset: 10 }, pause, 50);
    // An order entered mid-build: the build counts the orders there were when it began; the next call appends it later.
    step({ type: 'OrderPending', orderId: 301, clientId: 'ALPHA', clientOrderId: 'MID', symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 7, price: 228.45 }, 'proxy-1');
    for (let i = 0; i < 200 && waiting.length > 0; i++) {
      waiting.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    const [a, b] = await Promise.all([first, second]);
    expect(a.total).toBe(300);
    expect(b.offset).toBe(10);
    // One list answered both.
    expect(b.orders.slice(0, 190).map((o) => o.orderId)).toEqual(a.orders.slice(10).map((o) => o.orderId));
  });

  it('a stale list of orders that move is repaired from the orders touched since (decision 232): the same rows as a fresh build', async () => {
    const { p, step, draw } = mixedSession(600, 777);
    const next = () => draw(1 << 14);
    let nextId = 601;
    let exec = 10_000;
    // One random change to an order: a fill, a cancel, a replace (new price, new ClOrdID), a route, or a new order.
    const change = () => {
      const id = 1 + (next() % (nextId - 1));
      const o = p.order(id)!;
      const kind = next() % 6;
      if (kind === 0) {
        const symbol = SYMBOLS[next() % 3]!;
        step({ type: 'OrderPending', orderId: nextId, clientId: next() % 2 ? 'ALPHA' : 'CHARLIE', clientOrderId: `N-${nextId}`, symbol, side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 1 + (next() % 50), price: PRICES[symbol]! + (next() % 7) }, 'proxy-1');
        step({ type: 'OrderAccepted', orderId: nextId++ }, 'risk-1');
      } else if (kind === 1 && o.leavesQuantity > 0) step({ type: 'OrderExecuted', orderId: id, execId: exec++, fillQty: 1, fillPrice: o.price }, 'gateway-1');
      else if (kind === 2) {
        step({ type: 'CancelRequested', orderId: id }, 'proxy-1');
        step({ type: 'OrderCancelled', orderId: id, reason: 405 }, 'gateway-1');
      } else if (kind === 3) {
        step({ type: 'ReplaceRequested', orderId: id, quantity: o.quantity + 5, price: o.price + 1 + (next() % 5), clientOrderId: `R-${id}-${exec}` }, 'proxy-1');
        step({ type: 'OrderReplaced', orderId: id, quantity: o.quantity + 5, price: o.price + 1 + (next() % 5) }, 'gateway-1');
      } else if (kind === 4) step({ type: 'OrderRouted', orderId: id, venue: 'XNYS' }, 'router-1');
      else step({ type: 'OrderRejected', orderId: id, reason: 107, text: 'late' }, 'risk-1');
    };
    const queries: OrderWindowQuery[] = [
      { sort: 'price', dir: 'asc' },
      { sort: 'state' },
      { sort: 'filledQuantity', state: 'open' },
      { text: 'r-', sort: 'price' },
      { sort: 'venue', clientId: 'ALPHA', dir: 'asc' },
    ];
    for (const q of queries) {
      let t = 0;
      // A list is kept 1,000 ms: each step moves the clock past it, so every call after changes repairs the list.
      const w = new OrderWindows(() => t, 1000);
      const pause = () => Promise.resolve();
      await w.windowSliced(p, q, pause, 64);
      for (let round = 0; round < 6; round++) {
        for (let k = 0; k < 3 + (next() % 40); k++) change();
        t += 5000;
        const all = reference_(p, q);
        for (const [offset, limit] of [[0, 80], [211, 150], [Math.max(0, all.length - 30), 50]] as const) {
          const got = await w.windowSliced(p, { ...q, offset, limit }, pause, 64);
          expect(got.total, JSON.stringify([q, round])).toBe(all.length);
          expect(got.orders.map((o) => o.orderId), JSON.stringify([q, round, offset])).toEqual(all.slice(offset, offset + limit).map((o) => o.orderId));
          expect(got.working).toBe(orderViews(p).filter((o) => !['rejected', 'filled', 'cancelled', 'expired'].includes(o.state)).length);
        }
      }
      // The session has orders in every state, and the changes reached them.
    expect(new Set(orderViews(p).map((o) => o.state)).size).toBeGreaterThanOrEqual(4);
    // Every stale list was repaired, none built afresh (changes stay under an eighth of the orders).
      expect([w.builds, w.repairs], JSON.stringify(q)).toEqual([1, 6]);
    }
  });

  it('a repair that meets orders changed while it runs still converges to a fresh build\'s rows', async () => {
    const { p, step } = mixedSession(500, 4242);
    let t = 0;
    const w = new OrderWindows(() => t, 1000);
    const q: OrderWindowQuery = { sort: 'price', dir: 'asc' };
    await w.windowSliced(p, q, () => Promise.resolve(), 32);
    let exec = 50_000;
    let price = 100;
    // Orders replaced to a new price between the repair's turns (the list then is as of its start, or built afresh).
    // Working orders across the list (replaced, then filled a unit, between the turns).
    const moving = orderViews(p).filter((o) => o.leavesQuantity > 0).map((o) => o.orderId).filter((_, i) => i % 10 === 0);
    expect(moving.length).toBeGreaterThan(3);
    const pause = () => {
      for (const id of moving) {
        const o = p.order(id)!;
        if (o.leavesQuantity === 0) continue;
        step({ type: 'ReplaceRequested', orderId: id, quantity: o.quantity, price: (price += 0.5) }, 'proxy-1');
        step({ type: 'OrderReplaced', orderId: id, quantity: o.quantity, price }, 'gateway-1');
        step({ type: 'OrderExecuted', orderId: id, execId: exec++, fillQty: 1, fillPrice: price }, 'gateway-1');
      }
      return Promise.resolve();
    };
    for (let round = 0; round < 3; round++) {
      t += 5000;
      // A change before the call (the list is stale), and more between its turns.
      await pause();
      await w.windowSliced(p, q, pause, 32);
    }
    // A quiet call after: the list is exactly a fresh build's.
    t += 5000;
    const quiet = () => Promise.resolve();
    const got = await w.windowSliced(p, { ...q, limit: 2000 }, quiet, 32);
    expect(got.orders.map((o) => o.orderId)).toEqual(reference_(p, q).map((o) => o.orderId));
    expect(w.builds + w.repairs).toBe(5);
    expect(w.repairs).toBeGreaterThan(0);
  });

  it('a repair whose binary search reads an order changed while the repair ran gives way to a full build', async () => {
    const { p, step } = session(0);
    const add = (id: number, price: number) => {
      step({ type: 'OrderPending', orderId: id, clientId: 'ALPHA', clientOrderId: `M-${id}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 10, price }, 'proxy-1');
      step({ type: 'OrderAccepted', orderId: id }, 'risk-1');
    };
    // Orders 1-40 at 10, 20, …, 400.
    for (let id = 1; id <= 40; id++) add(id, 10 * id);
    let t = 0;
    const w = new OrderWindows(() => t, 1000);
    const q: OrderWindowQuery = { sort: 'price', dir: 'asc', limit: 100 };
    const quiet = () => Promise.resolve();
    await w.windowSliced(p, q, quiet, 8);
    // A new order at 15 (one order in 41 touched: a repair, not a build), to go between orders 1 and 2.
    add(41, 15);
    t += 5000;
    // The first pause comes after the scan for touched orders: order 21, kept and the row a binary search over the
    // 40 kept reads first, is replaced to 5. Read as 5, it would send order 41 to the right half (after order 21),
    // a place the next repair would not correct.
    let pauses = 0;
    const pause = () => {
      if (++pauses === 1) {
        step({ type: 'ReplaceRequested', orderId: 21, quantity: 10, price: 5 }, 'proxy-1');
        step({ type: 'OrderReplaced', orderId: 21, quantity: 10, price: 5 }, 'gateway-1');
      }
      return Promise.resolve();
    };
    await w.windowSliced(p, q, pause, 8);
    const counts = [w.builds, w.repairs];
    t += 5000;
    add(42, 1000);
    const got = await w.windowSliced(p, q, quiet, 8);
    expect(got.orders.map((o) => o.orderId)).toEqual(reference_(p, q).map((o) => o.orderId));
    expect(got.orders.slice(0, 4).map((o) => o.orderId)).toEqual([21, 1, 41, 2]);
    // The call that met the change built afresh; the quiet one after it repaired.
    expect(counts).toEqual([2, 0]);
    expect([w.builds, w.repairs]).toEqual([2, 1]);
  });

  it('refuses a bad query with one line naming the field', () => {
    expect(() => parseOrderWindowQuery({ sort: 'colour' })).toThrow(/orderWindow\.sort/);
    expect(() => parseOrderWindowQuery({ limit: 5000 })).toThrow(/orderWindow\.limit/);
    expect(() => parseOrderWindowQuery({ offset: -1 })).toThrow(/orderWindow\.offset/);
    expect(() => parseOrderWindowQuery({ state: 'open', nope: 1 })).toThrow(/orderWindow/);
    expect(parseOrderWindowQuery({ state: 'open', sort: 'symbol', dir: 'asc', offset: 0, limit: 10 })).toEqual({ state: 'open', sort: 'symbol', dir: 'asc', offset: 0, limit: 10 });
  });
});

describe('a blotter selection resolved by the host (decision 164)', () => {
  it('every matching order, or a range between two orders, in the blotter order', () => {
    const { p } = session(300);
    const w = new OrderWindows();
    for (const q of [{}, { sort: 'quantity', dir: 'asc' }, { sort: 'state' }, { sort: 'price', dir: 'asc' }] as OrderWindowQuery[]) {
      const all = reference_(p, q).map((o) => o.orderId);
      expect(w.selection(p, q), JSON.stringify(q)).toEqual(all);
      // Ends in either order, both included.
      const [a, z] = [all[7]!, all[all.length - 9]!];
      expect(w.selection(p, { ...q, fromId: z, toId: a }), JSON.stringify([q, all.length])).toEqual(all.slice(7, all.length - 8));
      expect(w.selection(p, { ...q, fromId: a, toId: a })).toEqual([a]);
    }
  });

  it('the host\'s path builds the selection\'s list in slices (several turns) and answers the same ids', async () => {
    const { p } = session(300);
    for (const q of [{ sort: 'quantity', dir: 'asc' }, { sort: 'price' }] as OrderWindowQuery[]) {
      const all = reference_(p, q).map((o) => o.orderId);
      let turns = 0;
      const pause = () => {
        turns++;
        return Promise.resolve();
      };
      const w = new OrderWindows();
      expect(await w.selectionSliced(p, q, pause, 32), JSON.stringify(q)).toEqual(all);
      expect(turns).toBeGreaterThanOrEqual(10);
      const [a, z] = [all[5]!, all[all.length - 4]!];
      expect(await w.selectionSliced(p, { ...q, fromId: a, toId: z }, pause, 32)).toEqual(all.slice(5, all.length - 3));
    }
  });

  it('a range keeps its ends when new orders arrive before it; an end that left the list is placed at the row it was seen at', () => {
    const { p, step } = session(0);
    const add = (id: number) => {
      step({ type: 'OrderPending', orderId: id, clientId: 'ALPHA', clientOrderId: `W-${id}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 5, price: 228.45 }, 'proxy-1');
      step({ type: 'OrderAccepted', orderId: id }, 'risk-1');
    };
    for (let id = 1; id <= 120; id++) add(id);
    // A clock a second on at every look: a list is never reused, every call sees the orders as they are.
    let t = 0;
    const w = new OrderWindows(() => (t += 1000), 0);
    const q: OrderWindowQuery = { state: 'open' };
    const before = reference_(p, q).map((o) => o.orderId);
    const [a, z] = [before[3]!, before[10]!];
    add(121);
    // Newest first: the new order is row 0 and the range moved down a row, still from a to z.
    expect(w.selection(p, { ...q, fromId: a, toId: z })).toEqual(before.slice(3, 11));
    // z is cancelled: no longer "open"; placed at row 11 (where the blotter saw it, now one row lower).
    step({ type: 'CancelRequested', orderId: z }, 'proxy-1');
    step({ type: 'OrderCancelled', orderId: z, reason: 405 }, 'gateway-1');
    const now = reference_(p, q).map((o) => o.orderId);
    expect(w.selection(p, { ...q, fromId: a, toId: z, from: 4, to: 11 })).toEqual(now.slice(4, 12));
    expect(w.selection(p, { ...q, fromId: a, toId: z })).toBeUndefined();
  });

  it('refuses half a range and bad fields with one line naming them', () => {
    expect(() => parseOrderSelection({ fromId: 3 })).toThrow(/fromId and toId go together/);
    expect(() => parseOrderSelection({ dryRun: 'yes' })).toThrow(/orderSelection\.dryRun/);
    expect(parseOrderSelection({ state: 'open', fromId: 3, toId: 9, from: 0, to: 6, dryRun: true })).toEqual({ state: 'open', fromId: 3, toId: 9, from: 0, to: 6, dryRun: true });
  });
});
