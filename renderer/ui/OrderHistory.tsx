import { inBody } from './portal.ts';
import { useEffect, useState } from 'react';
import type { OrderHistoryView } from '../api/history.ts';
import { historyApi } from '../api/history.ts';
import { formatInt, formatQty, formatTime, orderStateLabel, PARKED_HINT } from '../lib/format.ts';
import { selectOrders } from '../store/selectors.ts';
import { useApi, useOrdoState } from './context.tsx';
import { eventDetail } from './EventLog.tsx';

const TZ = new Date().getTimezoneOffset();

/**
 * The full history of one order, asked from the host (every event of the
 * order whatever its age, reasons by name, the ClOrdID chain), in a drawer
 * over the right of the screen. Opened from the blotter (Enter, double-click,
 * the context menu); Esc closes it.
 */
export function OrderHistoryDrawer({ orderId, onClose }: { orderId: number; onClose(): void }) {
  const api = useApi();
  const session = useOrdoState((s) => (s.timeMachine.mode === 'asof' && s.timeMachine.view ? s.timeMachine.view.session.id : s.session.id));
  const order = useOrdoState((s) => selectOrders(s).byId.get(orderId));
  // Refetch when the order changes (a new fill, a cancel): the history grows with it.
  const version = order?.eventSeqs.length ?? 0;
  const [history, setHistory] = useState<OrderHistoryView | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void historyApi(api)
      .getOrderHistory({ orderId, session })
      .then((r) => {
        if (!live) return;
        if (r.ok) {
          setHistory(r.value);
          setError(undefined);
        } else setError(r.error.message);
      });
    return () => {
      live = false;
    };
  }, [api, orderId, session, version]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  // On the body, not in the panel: a panel's `contain: strict` would clip it and put it under the toasts.
  return inBody(
    <aside className="drawer" role="dialog" aria-label={`Order ${orderId} history`} data-testid="order-history" data-order-id={orderId}>
      <div className="drawer-head">
        <span className="drawer-title">Order #{orderId}</span>
        {order ? (
          <span
            className={`badge state-badge state-${order.state}${order.parked === true ? ' parked' : ''}`}
            data-testid="order-history-state"
            data-parked={order.parked === true ? 'true' : undefined}
            title={order.parked === true ? PARKED_HINT : order.state}
          >
            {orderStateLabel(order)}
          </span>
        ) : null}
        <button type="button" className="btn btn-xs drawer-close" data-testid="order-history-close" title="Close (Esc)" onClick={onClose}>
          ✕
        </button>
      </div>
      {order ? (
        <div className="drawer-summary">
          <span className={`side-${order.side}`}>{order.side.toUpperCase()}</span> {formatQty(order.quantity)} <strong>{order.symbol}</strong>{' '}
          {order.orderType === 'market' ? 'MKT' : `@ ${order.price}`} {order.timeInForce.toUpperCase()} · {order.clientId} · filled {formatQty(order.filledQuantity)}
        </div>
      ) : null}
      {history ? (
        <div className="drawer-chain" data-testid="order-history-chain">
          <span className="k">CLORDID CHAIN</span> {history.clientOrderIds.join(' → ')}
        </div>
      ) : null}
      {error ? <div className="panel-status error">{error}</div> : null}
      <div className="drawer-body">
        {history === undefined && !error ? <div className="dim pad">Loading…</div> : null}
        {history?.events.length === 0 ? <div className="dim pad">No events</div> : null}
        {history?.events.map((e) => (
          <div key={e.seq} className="hist-row" data-testid={`order-history-event-${e.seq}`} data-type={e.type}>
            <span className="num dim">#{formatInt(e.seq)}</span>
            <span className="num-left dim">{formatTime(e.ts, TZ)}</span>
            <span className="ev-type">{e.type}</span>
            <span className="dim">{e.src}</span>
            {e.reasonName ? (
              <span className="reason" data-testid={`order-history-reason-${e.seq}`}>
                {e.reasonName}
              </span>
            ) : null}
            <span className="dim mono hist-detail" title={eventDetail(e)}>
              {eventDetail(e)}
            </span>
          </div>
        ))}
      </div>
    </aside>,
  );
}
