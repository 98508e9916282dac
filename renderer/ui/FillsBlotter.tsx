import { memo, useMemo } from 'react';
import type { FillView } from '../../contract/api.ts';
import { decimalsOf, formatInt, formatPrice, formatQty, formatTime } from '../lib/format.ts';
import { fillNewestFirst } from '../store/fills-slice.ts';
import { selectFills, selectInstruments } from '../store/selectors.ts';
import { useOrdoState } from './context.tsx';
import { Panel } from './Panel.tsx';
import { gridStyle, SortHeader } from './SortHeader.tsx';
import type { Column } from './SortHeader.tsx';
import { VirtualList } from './VirtualList.tsx';

const TZ = new Date().getTimezoneOffset();

// What a trader reads first comes first; order id and seq scroll off on a narrow panel (the row's tooltip has them).
const COLUMNS: readonly Column[] = [
  { key: 'time', title: 'Time', width: '94px' },
  { key: 'symbol', title: 'Symbol', width: 'minmax(112px, 1fr)' },
  { key: 'side', title: 'Side', width: '42px' },
  { key: 'qty', title: 'Qty', width: '84px', align: 'right' },
  { key: 'price', title: 'Price', width: '66px', align: 'right' },
  { key: 'order', title: 'Order', width: '62px', align: 'right' },
  { key: 'seq', title: 'Seq', width: '64px', align: 'right' },
];
const GRID = gridStyle(COLUMNS);

/** Every execution, newest first, live (or as of the time machine's seq). */
export function FillsBlotter() {
  const fills = useOrdoState(selectFills);
  const instruments = useOrdoState(selectInstruments);
  const selectOrder = useOrdoState((s) => s.selectOrder);
  const decimals = useMemo(() => {
    const m = new Map<string, number>();
    for (const i of instruments.list) m.set(i.symbol, decimalsOf(i.tickSize));
    return m;
  }, [instruments.list]);
  const count = fills.list.length;
  return (
    <Panel
      title="Fills"
      testid="fills-panel"
      tools={
        <span className="count num" data-testid="fills-count" data-count={count}>
          {formatInt(count)}
        </span>
      }
    >
      <div className="table" style={GRID}>
        <VirtualList
          testid="fills-list"
          rowCount={count}
          header={<SortHeader columns={COLUMNS} testidPrefix="fills-sort" />}
          empty="No fills"
          renderRow={(i) => {
            const f = fillNewestFirst(fills, i);
            if (!f) return null;
            return <FillRow key={f.execId} fill={f} decimals={decimals.get(f.symbol) ?? 2} striped={i % 2 === 1} onSelect={selectOrder} />;
          }}
        />
      </div>
    </Panel>
  );
}

const FillRow = memo(function FillRow({
  fill: f,
  decimals,
  striped,
  onSelect,
}: {
  fill: FillView;
  decimals: number;
  striped: boolean;
  onSelect(orderId: number): void;
}) {
  return (
    <div
      className={`tr ${striped ? 'odd' : ''}`}
      data-testid={`fill-row-${f.execId}`}
      data-order-id={f.orderId}
      data-seq={f.seq}
      data-exec-id={f.execId}
      title={`exec ${f.execId} · order ${f.orderId} · seq ${formatInt(f.seq)}`}
      onClick={() => onSelect(f.orderId)}
    >
      <span className="td num-left dim">{formatTime(f.ts, TZ)}</span>
      <span className="td sym" title={f.symbol}>
        {f.symbol}
      </span>
      <span className={`td side-${f.side}`}>{f.side === 'buy' ? 'BUY' : 'SELL'}</span>
      <span className="td num">{formatQty(f.quantity)}</span>
      <span className="td num">{formatPrice(f.price, decimals)}</span>
      <span className="td num">{f.orderId}</span>
      <span className="td num dim">{formatInt(f.seq)}</span>
    </div>
  );
});
