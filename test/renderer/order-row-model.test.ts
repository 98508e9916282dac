import { describe, expect, it } from 'vitest';
import { fillCellModel, fillItem } from '../../renderer/ui/fill-row-model.ts';
import { actionsClass, orderActions, orderCellModel, orderItem, orderRowClass } from '../../renderer/ui/order-row-model.ts';
import { fill, order } from './helpers.ts';

const flags = { striped: false, selected: false, focused: false, amending: false, waiting: undefined };

describe('the orders grid cell model (decision 203)', () => {
  it('writes each column as the pooled grid and the server rendering show it', () => {
    const o = order(7, { state: 'new', symbol: 'AAPL 281215C230', quantity: 100_000_000, price: 6.15 });
    expect(orderCellModel('symbol', o, 2, undefined)).toEqual({ cls: 'sym', text: 'AAPL 281215C230', title: 'AAPL 281215C230', titleAlways: true });
    expect(orderCellModel('qty', o, 2, undefined)).toEqual({ cls: 'num', text: '100,000,000', title: '100,000,000' });
    expect(orderCellModel('price', o, 3, undefined).text).toBe('6.150');
    expect(orderCellModel('price', order(8, { orderType: 'market', price: 0 }), 2, undefined)).toEqual({ cls: 'num dim', text: 'MKT' });
    expect(orderCellModel('filled', o, 2, undefined)).toMatchObject({ cls: 'num dim', text: '0' });
    expect(orderCellModel('orderId', o, 2, undefined)).toEqual({ cls: 'num', text: '7', title: '#7' });
  });

  it("an order's price off the tick shows as sent, not rounded to the tick (round 19: 228.125 showed 228.13)", () => {
    expect(orderCellModel('price', order(9, { price: 228.125 }), 2, undefined).text).toBe('228.125');
    expect(orderCellModel('price', order(9, { price: 228.123456789 }), 2, undefined).text).toBe('228.123456789');
    expect(orderCellModel('price', order(9, { price: 228.1 }), 2, undefined).text).toBe('228.10');
    expect(orderCellModel('price', order(9, { price: 0.1 + 0.2 }), 2, undefined).text).toBe('0.3000000000');
  });

  it('the state column is a badge; a parked order says so; a waiting order names what it waits on', () => {
    const parked = orderCellModel('state', order(3, { state: 'pending_new', parked: true }), 2, undefined);
    expect(parked.badge).toEqual({ cls: 'badge state-badge state-pending_new parked', testid: 'order-state-3', state: 'pending_new', parked: true, title: 'parked — re-enters at open', text: 'PARKED' });
    const waiting = orderCellModel('reason', order(4, { state: 'new' }), 2, 'waiting: no active router');
    expect(waiting).toMatchObject({ cls: 'waiting-hint', text: 'waiting: no active router', testid: 'order-waiting-4', titleAlways: true });
    const rejected = orderCellModel('reason', order(5, { state: 'rejected', rejectReason: 'PRICE_OUT_OF_BAND' }), 2, undefined);
    expect(rejected).toMatchObject({ cls: 'reason', text: 'PRICE_OUT_OF_BAND', title: 'PRICE_OUT_OF_BAND' });
  });

  it('row classes: stripes, selection, focus, finished orders dimmed, waiting; the actions strip follows the row', () => {
    expect(orderRowClass(order(1, { state: 'new' }), flags)).toBe('tr working');
    expect(orderRowClass(order(1, { state: 'filled' }), { ...flags, striped: true, selected: true, focused: true })).toBe('tr odd selected focused done');
    expect(orderRowClass(order(1, { state: 'new' }), { ...flags, amending: true, waiting: 'waiting: no active router' })).toBe('tr working amending waiting');
    expect(actionsClass({ striped: true, selected: true, focused: false })).toBe('td actions odd selected');
  });

  it('Cancel only on working orders and not in the past; Amend only on a working limit order', () => {
    expect(orderActions(order(1, { state: 'new' }), false)).toEqual({ cancel: true, amend: true });
    expect(orderActions(order(1, { state: 'new', orderType: 'market' }), false)).toEqual({ cancel: true, amend: false });
    expect(orderActions(order(1, { state: 'filled' }), false)).toEqual({ cancel: false, amend: false });
    expect(orderActions(order(1, { state: 'new' }), true)).toEqual({ cancel: false, amend: false });
  });
});

describe('the pooled grids\' row items (decision 215: one pool, a model per grid)', () => {
  it('an orders row: its attributes, its cells by the order, tick size and hint; a placeholder and the amended row have no cells', () => {
    const o = order(7, { state: 'new' });
    const it = orderItem({ id: 7, order: o, decimals: 2, flags }, false);
    expect(it.attrs).toEqual({ class: 'tr working', 'data-testid': 'order-row-7', 'data-state': 'new', 'data-selected': 'false', 'data-waiting': null, 'data-order-id': '7' });
    expect(it.deps).toEqual([o, 2, undefined]);
    expect(it.cells!('orderId')).toEqual(orderCellModel('orderId', o, 2, undefined));
    expect(orderItem({ id: undefined, order: undefined, decimals: 2, flags: { ...flags, striped: true } }, false)).toEqual({ attrs: { class: 'tr loading odd', 'data-testid': 'order-row-loading' } });
    expect(orderItem({ id: 7, order: o, decimals: 2, flags }, true)).toEqual({ attrs: { class: 'tr hidden' } });
  });

  it('a fills row: seconds in the cell and the full time in its tooltip, the symbol always titled, the focused row selected', () => {
    const f = fill(5, { symbol: 'AAPL 281215C230', quantity: 1200, price: 6.15 });
    const it = fillItem(f, 'ALPHA', 2, { striped: true, focused: true });
    expect(it.attrs).toMatchObject({ class: 'tr odd selected focused', 'data-testid': 'fill-row-5', 'data-exec-id': '5', 'data-selected': 'true' });
    expect(it.deps).toEqual([f, 'ALPHA', 2]);
    const time = it.cells!('time');
    expect(time.text).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(time.title).toContain(time.text);
    expect(time.titleAlways).toBe(true);
    expect(it.cells!('symbol')).toEqual({ cls: 'sym', text: 'AAPL 281215C230', title: 'AAPL 281215C230', titleAlways: true });
    expect(it.cells!('qty')).toEqual({ cls: 'num', text: '1,200', title: '1,200' });
    expect(it.cells!('client').text).toBe('ALPHA');
    expect(fillCellModel('price', f, undefined, 3).text).toBe('6.150');
    expect(fillItem(undefined, undefined, 2, { striped: false, focused: false })).toEqual({ attrs: { class: 'tr loading', 'data-testid': 'fill-row-loading' } });
  });
});
