import { describe, expect, it } from 'vitest';
import type { OrderView } from '../../contract/api.ts';
import { createOrderIdsMemo, DEFAULT_ORDER_FILTER, matchesFilter, queryOrderIds } from '../../renderer/lib/order-query.ts';
import type { OrderFilter, OrderSort } from '../../renderer/lib/order-query.ts';
import { mergeOrders, ordersFrom } from '../../renderer/store/orders-slice.ts';
import { searchInstruments } from '../../renderer/lib/search.ts';
import { instrument, order } from './helpers.ts';

const orders = [
  order(1, { symbol: 'AAPL', side: 'buy', state: 'filled', quantity: 300, createdTs: 30 }),
  order(2, { symbol: 'MSFT', side: 'sell', state: 'new', quantity: 100, createdTs: 10 }),
  order(3, { symbol: 'AAPL', side: 'sell', state: 'partially_filled', quantity: 200, createdTs: 20 }),
  order(4, { symbol: 'VOD', side: 'buy', state: 'rejected', quantity: 100, createdTs: 40, rejectReason: 'RISK_PRICE_BAND' }),
  order(5, { symbol: 'AAPL', side: 'buy', state: 'pending_new', quantity: 100, createdTs: 20 }),
];

describe('order filters', () => {
  it('by state, the "open" group, instrument and side', () => {
    const q = (f: Partial<typeof DEFAULT_ORDER_FILTER>) => queryOrderIds(orders, { ...DEFAULT_ORDER_FILTER, ...f }, { key: 'orderId', dir: 'asc' });
    expect(q({})).toEqual([1, 2, 3, 4, 5]);
    expect(q({ state: 'open' })).toEqual([2, 3, 5]);
    expect(q({ state: 'rejected' })).toEqual([4]);
    expect(q({ symbol: 'AAPL' })).toEqual([1, 3, 5]);
    expect(q({ symbol: 'AAPL', side: 'sell' })).toEqual([3]);
    expect(q({ state: 'open', side: 'buy' })).toEqual([5]);
    expect(matchesFilter(orders[0]!, { ...DEFAULT_ORDER_FILTER, state: 'open' })).toBe(false);
  });

  it('by client and by free text over id, ClOrdID, symbol, state and reason', () => {
    const q = (f: Partial<typeof DEFAULT_ORDER_FILTER>) => queryOrderIds(orders, { ...DEFAULT_ORDER_FILTER, ...f }, { key: 'orderId', dir: 'asc' });
    expect(q({ clientId: 'NOBODY' })).toEqual([]);
    expect(q({ text: 'aapl' })).toEqual([1, 3, 5]);
    expect(q({ text: '#4' })).toEqual([4]);
    expect(q({ text: 'c2' })).toEqual([2]);
    expect(q({ text: 'rejected' })).toEqual([4]);
  });
});

describe('order sorting', () => {
  it('sorts by any column both ways with orderId breaking ties', () => {
    const all = DEFAULT_ORDER_FILTER;
    expect(queryOrderIds(orders, all, { key: 'createdTs', dir: 'desc' })).toEqual([4, 1, 5, 3, 2]);
    expect(queryOrderIds(orders, all, { key: 'createdTs', dir: 'asc' })).toEqual([2, 3, 5, 1, 4]);
    expect(queryOrderIds(orders, all, { key: 'quantity', dir: 'desc' })).toEqual([1, 3, 5, 4, 2]);
    expect(queryOrderIds(orders, all, { key: 'symbol', dir: 'asc' })).toEqual([1, 3, 5, 2, 4]);
    expect(queryOrderIds(orders, all, { key: 'orderId', dir: 'desc' })).toEqual([5, 4, 3, 2, 1]);
    // Absent values (no reject reason) sort first ascending.
    expect(queryOrderIds(orders, all, { key: 'rejectReason', dir: 'asc' })).toEqual([1, 2, 3, 5, 4]);
  });

  it('memoises on the table version, the filter and the sort', () => {
    const memo = createOrderIdsMemo();
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    const filter = { ...DEFAULT_ORDER_FILTER };
    const sort = { key: 'orderId' as const, dir: 'asc' as const };
    const a = memo({ byId, version: 1 }, filter, sort);
    expect(memo({ byId, version: 1 }, filter, sort)).toBe(a);
    byId.set(6, order(6));
    const b = memo({ byId, version: 2 }, filter, sort);
    expect(b).not.toBe(a);
    expect(b).toEqual([1, 2, 3, 4, 5, 6]);
    expect(memo({ byId, version: 2 }, { ...filter, side: 'sell' }, sort)).toEqual([2, 3]);
  });
});

describe('instrument type-ahead', () => {
  const list = [instrument('AAPL', { name: 'Apple Inc.' }), instrument('AAPL 240621C190', { instrumentType: 'option', name: 'AAPL call', underlying: 'AAPL' }), instrument('MSFT', { name: 'Microsoft Corp.' }), instrument('SAP', { name: 'SAP SE' })];
  it('ranks symbol prefixes, then symbol infixes, then names', () => {
    expect(searchInstruments(list, 'aap').map((i) => i.symbol)).toEqual(['AAPL', 'AAPL 240621C190']);
    expect(searchInstruments(list, 'ap').map((i) => i.symbol)).toEqual(['AAPL', 'AAPL 240621C190', 'SAP']);
    expect(searchInstruments(list, 'micro').map((i) => i.symbol)).toEqual(['MSFT']);
    expect(searchInstruments(list, '', 2)).toHaveLength(2);
  });
});

describe('the blotter ids memo updates by what changed (decision 151)', () => {
  it('gives the same rows as filtering and sorting every order, after every merge, for every sort and filter', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const states = ['pending_new', 'new', 'filled', 'cancelled'] as const;
    const make = (id: number): OrderView =>
      order(id, { symbol: ['AAPL', 'MSFT', 'JPM'][rnd(3)]!, side: rnd(2) ? 'buy' : 'sell', clientId: rnd(2) ? 'ALPHA' : 'BRAVO', quantity: 1 + rnd(9), createdTs: 1_000 + rnd(50), state: states[rnd(4)]! });
    const sorts: OrderSort[] = [
      { key: 'createdTs', dir: 'desc' },
      { key: 'createdTs', dir: 'asc' },
      { key: 'symbol', dir: 'asc' },
      { key: 'orderId', dir: 'desc' },
      { key: 'quantity', dir: 'desc' },
    ];
    const filters: OrderFilter[] = [DEFAULT_ORDER_FILTER, { ...DEFAULT_ORDER_FILTER, symbol: 'MSFT' }, { ...DEFAULT_ORDER_FILTER, state: 'open' }, { ...DEFAULT_ORDER_FILTER, side: 'sell', clientId: 'ALPHA' }];
    for (const sort of sorts) {
      for (const filter of filters) {
        let table = ordersFrom([]);
        const memo = createOrderIdsMemo();
        let next = 1;
        for (let step = 0; step < 40; step++) {
          const batch: OrderView[] = [];
          // New orders, and changes to old ones (a new state, a new quantity: a replace).
          for (let k = rnd(12); k > 0; k--) batch.push(make(next++));
          for (let k = rnd(6); k > 0 && next > 1; k--) {
            const old = table.byId.get(1 + rnd(next - 1));
            if (old) batch.push({ ...old, state: states[rnd(4)]!, quantity: 1 + rnd(9) });
          }
          table = mergeOrders(table, batch);
          // Sometimes two merges between two looks (two pushes in one flush).
          if (rnd(3) === 0) table = mergeOrders(table, [make(next++)]);
          expect(memo(table, filter, sort), `${JSON.stringify(sort)} ${JSON.stringify(filter)} step ${step}`).toEqual(queryOrderIds(table.byId.values(), filter, sort));
          expect(table.working).toBe([...table.byId.values()].filter((o) => !['filled', 'cancelled'].includes(o.state)).length);
        }
      }
    }
  });
});
