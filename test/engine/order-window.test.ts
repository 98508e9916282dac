import { describe, expect, it } from 'vitest';
import type { OrderView } from '../../contract/api.ts';
import { matchesOrderText, orderFilterOf } from '../../contract/order-window.ts';
import type { OrderSortKey, OrderWindowQuery } from '../../contract/order-window.ts';
import { OrderWindows } from '../../engine/host/order-window.ts';
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
