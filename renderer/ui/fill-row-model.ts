import type { FillView } from '../../contract/api.ts';
import { formatInt, formatPrice, formatQty, formatTime } from '../lib/format.ts';
import type { CellModel, PoolItem } from './row-pool-model.ts';

const TZ = new Date().getTimezoneOffset();

/** The model of column `col` of fill `f` (decision 215): the pooled fills grid and its server rendering draw the same. */
export function fillCellModel(col: string, f: FillView, client: string | undefined, decimals: number): CellModel {
  switch (col) {
    case 'time':
      return { cls: 'num-left dim', text: formatTime(f.ts, TZ).slice(0, 8), title: `${formatTime(f.ts, TZ)} · ${new Date(f.ts / 1000).toISOString()}`, titleAlways: true };
    case 'client':
      return { cls: '', text: client ?? '', title: client };
    case 'symbol':
      return { cls: 'sym', text: f.symbol, title: f.symbol, titleAlways: true };
    case 'side':
      return { cls: `side-${f.side}`, text: f.side === 'buy' ? 'BUY' : 'SELL' };
    case 'qty': {
      const q = formatQty(f.quantity);
      return { cls: 'num', text: q, title: q };
    }
    case 'price': {
      const p = formatPrice(f.price, decimals);
      return { cls: 'num', text: p, title: p };
    }
    case 'notional': {
      const n = formatPrice(f.quantity * f.price, 2);
      return { cls: 'num', text: n, title: n };
    }
    case 'orderId':
      return { cls: 'num', text: String(f.orderId), title: `#${f.orderId}` };
    case 'execId':
      return { cls: 'num dim', text: String(f.execId), title: String(f.execId) };
    case 'seq': {
      const s = formatInt(f.seq);
      return { cls: 'num dim', text: s, title: s };
    }
    default:
      return { cls: '', text: '' };
  }
}

/** A fills row's look: stripes and the focused (selected) row. */
export interface FillRowFlags {
  striped: boolean;
  focused: boolean;
}

/**
 * The pooled grid's item for a fills row: a placeholder for a row the host's window does not hold yet (it keeps
 * the rows below in place), else the fill's row and cells.
 */
export function fillItem(f: FillView | undefined, client: string | undefined, decimals: number, flags: FillRowFlags): PoolItem {
  if (!f) return { attrs: { class: `tr loading${flags.striped ? ' odd' : ''}`, 'data-testid': 'fill-row-loading' } };
  return {
    attrs: {
      class: `tr${flags.striped ? ' odd' : ''}${flags.focused ? ' selected focused' : ''}`,
      'data-testid': `fill-row-${f.execId}`,
      'data-order-id': String(f.orderId),
      'data-seq': String(f.seq),
      'data-exec-id': String(f.execId),
      'data-selected': String(flags.focused),
      title: `exec ${f.execId} · order ${f.orderId} · seq ${formatInt(f.seq)}`,
    },
    // Fills never change: the cells change only with the fill, its client (its order arrived) or its tick size.
    deps: [f, client, decimals],
    cells: (col) => fillCellModel(col, f, client, decimals),
  };
}
