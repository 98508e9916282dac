import type { KeyboardEvent } from 'react';
import type { OrderView } from '../../contract/api.ts';
import { formatAvgPrice, formatPrice, formatQty, formatTime, stateLabel } from '../lib/format.ts';
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
  switch (p.col) {
    case 'time':
      return (
        <span className="td num-left dim" data-col="time" title={`${formatTime(o.createdTs, TZ)} · ${new Date(o.createdTs / 1000).toISOString()}`}>
          {formatTime(o.createdTs, TZ).slice(0, 8)}
        </span>
      );
    case 'orderId':
      return (
        <span className="td num" data-col="orderId" title={`#${id}`}>
          {id}
        </span>
      );
    case 'client':
      return (
        <span className="td" data-col="client" title={o.clientId}>
          {o.clientId}
        </span>
      );
    case 'symbol':
      return (
        <span className="td sym" data-col="symbol" title={o.symbol}>
          {o.symbol}
        </span>
      );
    case 'side':
      return (
        <span className={`td side-${o.side}`} data-col="side">
          {o.side === 'buy' ? 'BUY' : 'SELL'}
        </span>
      );
    case 'type':
      return (
        <span className="td dim" data-col="type">
          {o.orderType === 'limit' ? 'LMT' : 'MKT'}
        </span>
      );
    case 'qty':
      return p.amend ? (
        <span className="td td-input" data-col="qty">
          <input
            className="input input-cell num"
            data-testid={`amend-qty-${id}`}
            value={p.amend.quantity}
            autoFocus
            onFocus={(e) => e.currentTarget.select()}
            onClick={(e) => e.stopPropagation()}
            onChange={(e) => p.amend && p.onAmendChange({ ...p.amend, quantity: e.currentTarget.value, error: undefined })}
            onKeyDown={amendKeys}
          />
        </span>
      ) : (
        <span className="td num" data-col="qty" title={formatQty(o.quantity)}>
          {formatQty(o.quantity)}
        </span>
      );
    case 'price':
      return p.amend ? (
        <span className="td td-input" data-col="price">
          <input
            className="input input-cell num"
            data-testid={`amend-price-${id}`}
            value={p.amend.price}
            onClick={(e) => e.stopPropagation()}
            onChange={(e) => p.amend && p.onAmendChange({ ...p.amend, price: e.currentTarget.value, error: undefined })}
            onKeyDown={amendKeys}
          />
        </span>
      ) : (
        <span className="td num" data-col="price">
          {o.orderType === 'market' ? <span className="dim">MKT</span> : formatPrice(o.price, p.decimals)}
        </span>
      );
    case 'state':
      return (
        <span className="td" data-col="state">
          <span className={`badge state-badge state-${o.state}`} data-testid={`order-state-${id}`} data-state={o.state} title={o.state}>
            {stateLabel(o.state)}
          </span>
        </span>
      );
    case 'filled':
      return (
        <span className="td num" data-col="filled" title={formatQty(o.filledQuantity)}>
          {o.filledQuantity > 0 ? formatQty(o.filledQuantity) : <span className="dim">0</span>}
        </span>
      );
    case 'leaves':
      return (
        <span className="td num" data-col="leaves" title={formatQty(o.leavesQuantity)}>
          {formatQty(o.leavesQuantity)}
        </span>
      );
    case 'avg':
      return (
        <span className="td num" data-col="avg">
          {formatAvgPrice(o.avgPrice, p.decimals)}
        </span>
      );
    case 'venue':
      return (
        <span className="td" data-col="venue">
          {o.venue ?? ''}
        </span>
      );
    case 'tif':
      return (
        <span className="td dim" data-col="tif">
          {o.timeInForce.toUpperCase()}
        </span>
      );
    case 'clOrdId':
      return (
        <span className="td dim mono" data-col="clOrdId" title={o.clientOrderId}>
          {o.clientOrderId}
        </span>
      );
    case 'reason':
      return o.rejectReason ? (
        <span className="td reason" data-col="reason" title={o.rejectReason}>
          {o.rejectReason}
        </span>
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
