import type { OrderView } from '../../contract/api.ts';
import { formatAvgPrice, formatOrderPrice, formatQty, formatTime, orderStateLabel, PARKED_HINT } from '../lib/format.ts';
import { isTerminal } from '../lib/order-query.ts';
import type { CellModel, PoolItem } from './row-pool-model.ts';

export type { BadgeModel, CellModel } from './row-pool-model.ts';

/** An amend in progress on one row: the trader's text in its two inputs. */
export interface Amend {
  orderId: number;
  quantity: string;
  price: string;
  error?: string;
  sending?: boolean;
}

const TZ = new Date().getTimezoneOffset();

/** The model of column `col` of order `o` (not the actions column, which has buttons). */
export function orderCellModel(col: string, o: OrderView, decimals: number, waiting: string | undefined): CellModel {
  const id = o.orderId;
  switch (col) {
    case 'time':
      return { cls: 'num-left dim', text: formatTime(o.createdTs, TZ).slice(0, 8), title: `${formatTime(o.createdTs, TZ)} · ${new Date(o.createdTs / 1000).toISOString()}`, titleAlways: true };
    case 'orderId':
      return { cls: 'num', text: String(id), title: `#${id}` };
    case 'client':
      return { cls: '', text: o.clientId, title: o.clientId };
    case 'symbol':
      return { cls: 'sym', text: o.symbol, title: o.symbol, titleAlways: true };
    case 'side':
      return { cls: `side-${o.side}`, text: o.side === 'buy' ? 'BUY' : 'SELL' };
    case 'type':
      return { cls: 'dim', text: o.orderType === 'limit' ? 'LMT' : 'MKT' };
    case 'qty': {
      const q = formatQty(o.quantity);
      return { cls: 'num', text: q, title: q };
    }
    case 'price':
      return o.orderType === 'market' ? { cls: 'num dim', text: 'MKT' } : { cls: 'num', text: formatOrderPrice(o.price, decimals) };
    case 'state':
      return {
        cls: '',
        text: '',
        badge: {
          cls: `badge state-badge state-${o.state}${o.parked === true ? ' parked' : ''}`,
          testid: `order-state-${id}`,
          state: o.state,
          parked: o.parked === true,
          title: o.parked === true ? PARKED_HINT : o.state,
          text: orderStateLabel(o),
        },
      };
    case 'filled': {
      const f = formatQty(o.filledQuantity);
      return o.filledQuantity > 0 ? { cls: 'num', text: f, title: f } : { cls: 'num dim', text: '0', title: f };
    }
    case 'leaves': {
      const l = formatQty(o.leavesQuantity);
      return { cls: 'num', text: l, title: l };
    }
    case 'avg':
      return { cls: 'num', text: formatAvgPrice(o.avgPrice, decimals) };
    case 'venue':
      return { cls: '', text: o.venue ?? '' };
    case 'tif':
      return { cls: 'dim', text: o.timeInForce.toUpperCase() };
    case 'clOrdId':
      return { cls: 'dim mono', text: o.clientOrderId, title: o.clientOrderId };
    case 'reason':
      return o.rejectReason
        ? { cls: 'reason', text: o.rejectReason, title: o.rejectReason, titleAlways: true }
        : { cls: 'waiting-hint', text: waiting ?? '', title: waiting ?? '', titleAlways: true, testid: waiting ? `order-waiting-${id}` : undefined };
    default:
      return { cls: '', text: '' };
  }
}

/** What sets a row apart from its neighbours (selection, focus, stripes, state). */
export interface RowFlags {
  striped: boolean;
  selected: boolean;
  focused: boolean;
  amending: boolean;
  waiting: string | undefined;
}

/** The row's classes. */
export function orderRowClass(o: OrderView, f: RowFlags): string {
  let c = 'tr';
  if (f.striped) c += ' odd';
  if (f.selected) c += ' selected';
  if (f.focused) c += ' focused';
  c += isTerminal(o.state) ? ' done' : ' working';
  if (f.amending) c += ' amending';
  if (f.waiting) c += ' waiting';
  return c;
}

/** The actions cell's classes: it stands apart from its row (one sticky strip, decision 203) and takes the row's background. */
export function actionsClass(f: { striped: boolean; selected: boolean; focused: boolean }): string {
  return `td actions${f.striped ? ' odd' : ''}${f.selected ? ' selected' : ''}${f.focused ? ' focused' : ''}`;
}

/** Which buttons a row's actions cell shows: none for a finished order or in the past; Amend only for a limit order. */
export function orderActions(o: OrderView, readOnly: boolean): { cancel: boolean; amend: boolean } {
  if (readOnly || isTerminal(o.state)) return { cancel: false, amend: false };
  return { cancel: true, amend: o.orderType === 'limit' };
}

/** What the pool asks of the blotter for row `i` of the list: its order (undefined: not loaded yet) and how it stands out. */
export interface PoolRow {
  id: number | undefined;
  order: OrderView | undefined;
  flags: RowFlags;
  decimals: number;
}

/**
 * The pooled grid's item for an orders row: a placeholder for a row not loaded yet (it keeps the rows below in
 * place), an empty hidden row for the one being amended (React draws it), else the order's row and cells.
 */
export function orderItem(r: PoolRow, amending: boolean): PoolItem {
  const o = r.order;
  if (amending) return { attrs: { class: 'tr hidden' } };
  if (r.id === undefined || !o) return { attrs: { class: `tr loading${r.flags.striped ? ' odd' : ''}`, 'data-testid': 'order-row-loading' } };
  const waiting = r.flags.waiting;
  return {
    attrs: {
      class: orderRowClass(o, r.flags),
      'data-testid': `order-row-${o.orderId}`,
      'data-state': o.state,
      'data-selected': String(r.flags.selected),
      'data-waiting': waiting ?? null,
      'data-order-id': String(o.orderId),
    },
    // Orders are replaced, never mutated: the cells change only with the order, its tick size or its hint.
    deps: [o, r.decimals, waiting],
    cells: (col) => orderCellModel(col, o, r.decimals, waiting),
  };
}
