import type { KeyboardEvent, ReactNode } from 'react';
import type { OrderView } from '../../contract/api.ts';
import { formatAvgPrice, formatPrice, formatQty, formatTime, orderStateLabel, PARKED_HINT } from '../lib/format.ts';
import { isTerminal } from '../lib/order-query.ts';

export interface Amend {
  orderId: number;
  quantity: string;
  price: string;
  error?: string;
  sending?: boolean;
}

interface CellProps {
  col: string;
  align?: 'left' | 'right';
  order: OrderView;
  decimals: number;
  canAct: boolean;
  readOnly: boolean;
  waiting: string | undefined;
  amend: Amend | undefined;
  onCancel(orderId: number): void;
  onAmend(order: OrderView): void;
  onAmendChange(a: Amend | undefined): void;
  onAmendSend(): void;
}

const TZ = new Date().getTimezoneOffset();

/** One cell of an orders row, by column key; long values carry a tooltip with the whole text. */
export function OrderCell(p: CellProps) {
  const o = p.order;
  const id = o.orderId;
  const amendKeys = (e: KeyboardEvent): void => {
    e.stopPropagation();
    if (e.key === 'Enter') {
      e.preventDefault();
      p.onAmendSend();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      p.onAmendChange(undefined);
    }
  };
  // The amend form's two inputs (quantity first, and focused with its text selected).
  const amendInput = (a: Amend, field: 'quantity' | 'price', col: string, first: boolean) => (
    <span className="td td-input" data-col={col}>
      <input
        className="input input-cell num"
        data-testid={`amend-${col}-${id}`}
        value={a[field]}
        autoFocus={first}
        onFocus={first ? (e) => e.currentTarget.select() : undefined}
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => p.onAmendChange({ ...a, [field]: e.currentTarget.value, error: undefined })}
        onKeyDown={amendKeys}
      />
    </span>
  );
  switch (p.col) {
    case 'time':
      return cell('num-left dim', 'time', formatTime(o.createdTs, TZ).slice(0, 8), `${formatTime(o.createdTs, TZ)} · ${new Date(o.createdTs / 1000).toISOString()}`);
    case 'orderId':
      return cell('num', 'orderId', id, `#${id}`);
    case 'client':
      return cell('', 'client', o.clientId, o.clientId);
    case 'symbol':
      return cell('sym', 'symbol', o.symbol, o.symbol);
    case 'side':
      return cell(`side-${o.side}`, 'side', o.side === 'buy' ? 'BUY' : 'SELL');
    case 'type':
      return cell('dim', 'type', o.orderType === 'limit' ? 'LMT' : 'MKT');
    case 'qty':
      return p.amend ? amendInput(p.amend, 'quantity', 'qty', true) : cell('num', 'qty', formatQty(o.quantity), formatQty(o.quantity));
    case 'price':
      return p.amend
        ? amendInput(p.amend, 'price', 'price', false)
        : cell('num', 'price', o.orderType === 'market' ? <span className="dim">MKT</span> : formatPrice(o.price, p.decimals));
    case 'state':
      return cell(
        '',
        'state',
        <span
          className={`badge state-badge state-${o.state}${o.parked === true ? ' parked' : ''}`}
          data-testid={`order-state-${id}`}
          data-state={o.state}
          data-parked={o.parked === true ? 'true' : undefined}
          title={o.parked === true ? PARKED_HINT : o.state}
        >
          {orderStateLabel(o)}
        </span>,
      );
    case 'filled':
      return cell('num', 'filled', o.filledQuantity > 0 ? formatQty(o.filledQuantity) : <span className="dim">0</span>, formatQty(o.filledQuantity));
    case 'leaves':
      return cell('num', 'leaves', formatQty(o.leavesQuantity), formatQty(o.leavesQuantity));
    case 'avg':
      return cell('num', 'avg', formatAvgPrice(o.avgPrice, p.decimals));
    case 'venue':
      return cell('', 'venue', o.venue ?? '');
    case 'tif':
      return cell('dim', 'tif', o.timeInForce.toUpperCase());
    case 'clOrdId':
      return cell('dim mono', 'clOrdId', o.clientOrderId, o.clientOrderId);
    case 'reason':
      return o.rejectReason ? (
        cell('reason', 'reason', o.rejectReason, o.rejectReason)
      ) : (
        <span className="td waiting-hint" data-col="reason" data-testid={p.waiting ? `order-waiting-${id}` : undefined} title={p.waiting ?? ''}>
          {p.waiting ?? ''}
        </span>
      );
    case 'actions':
      return <ActionsCell {...p} />;
    default:
      return <span className="td" data-col={p.col} />;
  }
}

/** A plain cell: `td` plus `cls`, its column key, its content and an optional tooltip (a plain function, not a component: no extra fiber per cell). */
function cell(cls: string, col: string, content: ReactNode, title?: string) {
  return (
    <span className={cls === '' ? 'td' : `td ${cls}`} data-col={col} title={title}>
      {content}
    </span>
  );
}

function ActionsCell(p: CellProps) {
  const o = p.order;
  const id = o.orderId;
  if (p.readOnly || isTerminal(o.state)) return <span className="td actions" data-col="actions" />;
  const why = p.canAct ? undefined : 'Disconnected from the host';
  return (
    <span className="td actions" data-col="actions" onClick={(e) => e.stopPropagation()}>
      {p.amend ? (
        <>
          <button type="button" className="btn btn-xs btn-primary" data-testid={`amend-submit-${id}`} disabled={p.amend.sending || !p.canAct} onClick={p.onAmendSend}>
            Send
          </button>
          <button type="button" className="btn btn-xs" data-testid={`amend-dismiss-${id}`} onClick={() => p.onAmendChange(undefined)}>
            ✕
          </button>
        </>
      ) : (
        <>
          <button type="button" className="btn btn-xs btn-danger-outline" data-testid={`order-cancel-${id}`} disabled={!p.canAct} title={why ?? `Cancel #${id}`} onClick={() => p.onCancel(id)}>
            Cancel
          </button>
          {o.orderType === 'limit' ? (
            <button type="button" className="btn btn-xs" data-testid={`order-amend-${id}`} disabled={!p.canAct} title={why ?? `Amend #${id}`} onClick={() => p.onAmend(o)}>
              Amend
            </button>
          ) : null}
        </>
      )}
    </span>
  );
}
