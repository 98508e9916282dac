import { memo, useCallback, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { InstrumentView, OrderView } from '../../contract/api.ts';
import { ORDER_STATES } from '../../contract/domain.ts';
import { decimalsOf, formatAvgPrice, formatInt, formatPrice, formatQty, formatTime, stateLabel } from '../lib/format.ts';
import { createOrderIdsMemo, isTerminal } from '../lib/order-query.ts';
import type { OrderSortKey, StateFilter } from '../lib/order-query.ts';
import { validateReplace } from '../lib/validation.ts';
import { selectInstruments, selectOrders, selectReadOnly } from '../store/selectors.ts';
import { useApi, useOrdoState } from './context.tsx';
import { useFlash } from './hooks.ts';
import { Panel } from './Panel.tsx';
import { gridStyle, SortHeader } from './SortHeader.tsx';
import type { Column } from './SortHeader.tsx';
import { VirtualList } from './VirtualList.tsx';

const TZ = new Date().getTimezoneOffset();

const COLUMNS: readonly Column<OrderSortKey>[] = [
  { key: 'time', title: 'Time', width: '96px', sort: 'createdTs' },
  { key: 'orderId', title: 'Order', width: '64px', sort: 'orderId', align: 'right' },
  { key: 'client', title: 'Client', width: '68px', sort: 'clientId' },
  { key: 'symbol', title: 'Symbol', width: '78px', sort: 'symbol' },
  { key: 'side', title: 'Side', width: '44px', sort: 'side' },
  { key: 'type', title: 'Type', width: '38px', sort: 'type' },
  { key: 'qty', title: 'Qty', width: '72px', sort: 'quantity', align: 'right' },
  { key: 'price', title: 'Price', width: '72px', sort: 'price', align: 'right' },
  { key: 'state', title: 'State', width: '92px', sort: 'state' },
  { key: 'filled', title: 'Filled', width: '72px', sort: 'filledQuantity', align: 'right' },
  { key: 'leaves', title: 'Leaves', width: '72px', sort: 'leavesQuantity', align: 'right' },
  { key: 'avg', title: 'Avg Px', width: '80px', sort: 'avgPrice', align: 'right' },
  { key: 'venue', title: 'Venue', width: '56px', sort: 'venue' },
  { key: 'tif', title: 'TIF', width: '36px', sort: 'timeInForce' },
  { key: 'reason', title: 'Reject reason', width: 'minmax(110px, 1fr)', sort: 'rejectReason' },
  { key: 'actions', title: '', width: '118px' },
];
const GRID = gridStyle(COLUMNS);

interface Amend {
  orderId: number;
  quantity: string;
  price: string;
  error?: string;
  sending?: boolean;
}

function decimalsFor(instruments: ReadonlyMap<string, InstrumentView>): Map<string, number> {
  const m = new Map<string, number>();
  for (const [sym, i] of instruments) m.set(sym, decimalsOf(i.tickSize));
  return m;
}

export function OrdersBlotter() {
  const api = useApi();
  const table = useOrdoState(selectOrders);
  const filter = useOrdoState((s) => s.orderFilter);
  const sort = useOrdoState((s) => s.orderSort);
  const readOnly = useOrdoState(selectReadOnly);
  const selectedId = useOrdoState((s) => s.selectedOrderId);
  const setFilter = useOrdoState((s) => s.setOrderFilter);
  const sortBy = useOrdoState((s) => s.sortOrdersBy);
  const selectOrder = useOrdoState((s) => s.selectOrder);
  const instruments = useOrdoState(selectInstruments);
  const memo = useRef(createOrderIdsMemo());
  // Lazily computed here, at render, and memoised on (orders version, filter, sort).
  const ids = memo.current(table, filter, sort);
  const decimals = useMemo(() => decimalsFor(instruments.bySymbol), [instruments.bySymbol]);
  // O(n) over the orders, once per orders version.
  const working = useMemo(() => {
    let n = 0;
    for (const o of table.byId.values()) if (!isTerminal(o.state)) n++;
    return n;
  }, [table.byId, table.version]);
  const [amend, setAmend] = useState<Amend | undefined>(undefined);
  const [status, setStatus] = useFlash(8000);
  const amendRef = useRef(amend);
  amendRef.current = amend;

  const cancel = useCallback(
    async (orderId: number) => {
      setStatus(`Cancel #${orderId} sent…`);
      const r = await api.cancelOrder(orderId);
      setStatus(r.ok ? `Cancel #${orderId} requested` : `Cancel #${orderId} failed: ${r.error.message}`);
    },
    [api, setStatus],
  );

  const startAmend = useCallback((o: OrderView) => {
    setAmend({ orderId: o.orderId, quantity: String(o.quantity), price: String(o.price) });
  }, []);

  const sendAmend = useCallback(async () => {
    const a = amendRef.current;
    if (!a) return;
    const order = table.byId.get(a.orderId);
    if (!order) return;
    const v = validateReplace(a.quantity, a.price, order.filledQuantity, instruments.bySymbol.get(order.symbol));
    if (!v.ok) {
      setAmend({ ...a, error: v.errors.quantity ?? v.errors.price });
      return;
    }
    setAmend({ ...a, sending: true, error: undefined });
    const r = await api.replaceOrder(a.orderId, v.change);
    if (r.ok) {
      setAmend(undefined);
      setStatus(`Amend #${a.orderId} → ${formatQty(v.change.quantity)} @ ${v.change.price} requested`);
    } else {
      setAmend({ ...a, sending: false, error: r.error.message });
    }
  }, [api, instruments.bySymbol, setStatus, table.byId]);

  const symbols = instruments.list.map((i) => i.symbol);
  const visibleAmend = amend && !readOnly ? amend : undefined;

  return (
    <Panel
      title={
        <>
          Orders{' '}
          <span className="title-meta num" data-testid="orders-working" data-count={working}>
            {formatInt(working)} working
          </span>
        </>
      }
      testid="orders-panel"
      tools={
        <div className="filters">
          <select
            className="input input-sm"
            data-testid="orders-filter-state"
            value={filter.state}
            onChange={(e) => setFilter({ state: e.currentTarget.value as StateFilter })}
          >
            <option value="all">All states</option>
            <option value="open">Open (working)</option>
            {ORDER_STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabel(s)}
              </option>
            ))}
          </select>
          <select
            className="input input-sm"
            data-testid="orders-filter-symbol"
            value={filter.symbol}
            onChange={(e) => setFilter({ symbol: e.currentTarget.value })}
          >
            <option value="">All instruments</option>
            {symbols.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <select
            className="input input-sm"
            data-testid="orders-filter-side"
            value={filter.side}
            onChange={(e) => setFilter({ side: e.currentTarget.value as 'all' | 'buy' | 'sell' })}
          >
            <option value="all">Both sides</option>
            <option value="buy">Buy</option>
            <option value="sell">Sell</option>
          </select>
          <span className="count num" data-testid="orders-count" data-count={ids.length}>
            {formatInt(ids.length)} / {formatInt(table.byId.size)}
          </span>
        </div>
      }
      footer={
        status || visibleAmend?.error ? (
          <div className={`panel-status ${visibleAmend?.error ? 'error' : ''}`} data-testid="order-action-status">
            {visibleAmend?.error ? `Amend #${visibleAmend.orderId}: ${visibleAmend.error}` : status}
          </div>
        ) : null
      }
    >
      <div className="table orders-table" style={GRID}>
        <VirtualList
          testid="orders-list"
          rowCount={ids.length}
          header={<SortHeader columns={COLUMNS} sort={sort} onSort={sortBy} testidPrefix="orders-sort" />}
          empty={table.byId.size === 0 ? 'No orders' : 'No orders match the filters'}
          renderRow={(i) => {
            const id = ids[i] as number;
            const o = table.byId.get(id);
            if (!o) return null;
            return (
              <OrderRow
                key={id}
                order={o}
                decimals={decimals.get(o.symbol) ?? 2}
                readOnly={readOnly}
                selected={id === selectedId}
                striped={i % 2 === 1}
                amend={visibleAmend?.orderId === id && !isTerminal(o.state) ? visibleAmend : undefined}
                onSelect={selectOrder}
                onCancel={cancel}
                onAmend={startAmend}
                onAmendChange={setAmend}
                onAmendSend={sendAmend}
              />
            );
          }}
        />
      </div>
    </Panel>
  );
}

interface RowProps {
  order: OrderView;
  decimals: number;
  readOnly: boolean;
  selected: boolean;
  striped: boolean;
  amend: Amend | undefined;
  onSelect(orderId: number): void;
  onCancel(orderId: number): void;
  onAmend(order: OrderView): void;
  onAmendChange(a: Amend | undefined): void;
  onAmendSend(): void;
}

const OrderRow = memo(function OrderRow({
  order: o,
  decimals,
  readOnly,
  selected,
  striped,
  amend,
  onSelect,
  onCancel,
  onAmend,
  onAmendChange,
  onAmendSend,
}: RowProps) {
  const working = !isTerminal(o.state);
  const id = o.orderId;
  const amendKeys = (e: KeyboardEvent): void => {
    if (e.key === 'Enter') {
      e.preventDefault();
      onAmendSend();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      onAmendChange(undefined);
    }
  };
  return (
    <div
      className={`tr ${striped ? 'odd' : ''} ${selected ? 'selected' : ''} ${working ? 'working' : 'done'} ${amend ? 'amending' : ''}`}
      data-testid={`order-row-${id}`}
      data-state={o.state}
      onClick={() => onSelect(id)}
    >
      <span className="td num-left dim" data-col="time">
        {formatTime(o.createdTs, TZ)}
      </span>
      <span className="td num" data-col="orderId">
        {id}
      </span>
      <span className="td" data-col="client">
        {o.clientId}
      </span>
      <span className="td sym" data-col="symbol">
        {o.symbol}
      </span>
      <span className={`td side-${o.side}`} data-col="side">
        {o.side === 'buy' ? 'BUY' : 'SELL'}
      </span>
      <span className="td dim" data-col="type">
        {o.type === 'limit' ? 'LMT' : 'MKT'}
      </span>
      {amend ? (
        <span className="td td-input" data-col="qty">
          <input
            className="input input-cell num"
            data-testid={`amend-qty-${id}`}
            value={amend.quantity}
            autoFocus
            onFocus={(e) => e.currentTarget.select()}
            onClick={(e) => e.stopPropagation()}
            onChange={(e) => onAmendChange({ ...amend, quantity: e.currentTarget.value, error: undefined })}
            onKeyDown={amendKeys}
          />
        </span>
      ) : (
        <span className="td num" data-col="qty">
          {formatQty(o.quantity)}
        </span>
      )}
      {amend ? (
        <span className="td td-input" data-col="price">
          <input
            className="input input-cell num"
            data-testid={`amend-price-${id}`}
            value={amend.price}
            onClick={(e) => e.stopPropagation()}
            onChange={(e) => onAmendChange({ ...amend, price: e.currentTarget.value, error: undefined })}
            onKeyDown={amendKeys}
          />
        </span>
      ) : (
        <span className="td num" data-col="price">
          {o.type === 'market' ? <span className="dim">MKT</span> : formatPrice(o.price, decimals)}
        </span>
      )}
      <span className="td" data-col="state">
        <span className={`badge state-${o.state}`} data-testid={`order-state-${id}`} data-state={o.state}>
          {stateLabel(o.state)}
        </span>
      </span>
      <span className="td num" data-col="filled">
        {o.filledQuantity > 0 ? formatQty(o.filledQuantity) : <span className="dim">0</span>}
      </span>
      <span className="td num" data-col="leaves">
        {formatQty(o.leavesQuantity)}
      </span>
      <span className="td num" data-col="avg">
        {formatAvgPrice(o.avgPrice, decimals)}
      </span>
      <span className="td" data-col="venue">
        {o.venue ?? ''}
      </span>
      <span className="td dim" data-col="tif">
        {o.timeInForce.toUpperCase()}
      </span>
      <span className="td reason" data-col="reason" title={o.rejectReason ?? ''}>
        {o.rejectReason ?? ''}
      </span>
      <span className="td actions" data-col="actions" onClick={(e) => e.stopPropagation()}>
        {readOnly || !working ? null : amend ? (
          <>
            <button type="button" className="btn btn-xs btn-primary" data-testid={`amend-submit-${id}`} disabled={amend.sending} onClick={onAmendSend}>
              Send
            </button>
            <button type="button" className="btn btn-xs" data-testid={`amend-dismiss-${id}`} onClick={() => onAmendChange(undefined)}>
              ✕
            </button>
          </>
        ) : (
          <>
            <button type="button" className="btn btn-xs btn-danger-outline" data-testid={`order-cancel-${id}`} onClick={() => onCancel(id)}>
              Cancel
            </button>
            {o.type === 'limit' ? (
              <button type="button" className="btn btn-xs" data-testid={`order-amend-${id}`} onClick={() => onAmend(o)}>
                Amend
              </button>
            ) : null}
          </>
        )}
      </span>
    </div>
  );
});
