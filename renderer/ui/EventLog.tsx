import { memo, useCallback, useMemo, useRef, useState } from 'react';
import type { EventLine } from '../../contract/api.ts';
import { formatInt, formatTime } from '../lib/format.ts';
import { travelTo } from '../store/bind.ts';
import { createFilteredEventsMemo, selectEventList, selectOrders } from '../store/selectors.ts';
import { useApi, useOrdoState, useOrdoStore } from './context.tsx';
import { gridStyle, SortHeader } from './SortHeader.tsx';
import type { Column } from './SortHeader.tsx';
import { VirtualList } from './VirtualList.tsx';

const TZ = new Date().getTimezoneOffset();

const COLUMNS: readonly Column[] = [
  { key: 'seq', title: 'Seq', width: '66px', align: 'right' },
  { key: 'time', title: 'Time', width: '92px' },
  { key: 'type', title: 'Type', width: '150px' },
  { key: 'src', title: 'Source', width: '96px' },
  { key: 'detail', title: 'Detail', width: 'minmax(120px, 1fr)' },
];
const GRID = gridStyle(COLUMNS);

const ENVELOPE = new Set(['session', 'seq', 'ts', 'type', 'src', 'cseq']);

/** The event's own fields, compactly: `orderId=12 qty=100 px=10.5`. */
export function eventDetail(e: EventLine): string {
  const parts: string[] = [];
  for (const k of Object.keys(e)) {
    if (ENVELOPE.has(k)) continue;
    const v = e[k];
    parts.push(`${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  }
  return parts.join(' ');
}

function typeClass(type: string): string {
  if (/reject|error|stale|fail/i.test(type)) return 'ev-bad';
  if (/fill|execution|trade/i.test(type)) return 'ev-fill';
  if (/session|component|activated/i.test(type)) return 'ev-sys';
  return '';
}

/**
 * The tail of the event stream, newest first, filtered by type text. A
 * seq is a link into the time machine; with an order selected, "order"
 * narrows the list to the events that touched it.
 */
export function EventLog() {
  const api = useApi();
  const store = useOrdoStore();
  const list = useOrdoState(selectEventList);
  const filter = useOrdoState((s) => s.eventFilter);
  const setFilter = useOrdoState((s) => s.setEventFilter);
  const tm = useOrdoState((s) => s.timeMachine);
  const selectedId = useOrdoState((s) => s.selectedOrderId);
  const selectedOrder = useOrdoState((s) => (s.selectedOrderId === undefined ? undefined : selectOrders(s).byId.get(s.selectedOrderId)));
  const [orderOnly, setOrderOnly] = useState(false);
  const memo = useRef(createFilteredEventsMemo());
  const filtered = memo.current(list, filter);
  const shown = useMemo(() => {
    if (!orderOnly || !selectedOrder) return filtered;
    const seqs = new Set(selectedOrder.eventSeqs);
    return filtered.filter((e) => seqs.has(e.seq));
  }, [filtered, orderOnly, selectedOrder]);
  const asOf = tm.mode === 'asof' ? tm.seq : undefined;
  const travel = useCallback((seq: number) => void travelTo(api, store, seq), [api, store]);

  return (
    <div className="eventlog" data-testid="events-panel">
      <div className="eventlog-tools">
        <input
          className="input input-sm"
          data-testid="events-filter"
          placeholder="Filter by type…"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
        />
        <label className={`toggle ${selectedId === undefined ? 'dim' : ''}`} title="Only the events that touched the selected order">
          <input
            type="checkbox"
            data-testid="events-order-only"
            checked={orderOnly}
            disabled={selectedId === undefined}
            onChange={(e) => setOrderOnly(e.currentTarget.checked)}
          />
          order {selectedId !== undefined ? `#${selectedId}` : ''}
        </label>
        <span className="count num" data-testid="events-count">
          {formatInt(shown.length)}
        </span>
      </div>
      <div className="table" style={GRID}>
        <VirtualList
          testid="events-list"
          rowCount={shown.length}
          header={<SortHeader columns={COLUMNS} testidPrefix="events-sort" />}
          empty="No events"
          renderRow={(i) => {
            const e = shown[i];
            if (!e) return null;
            return <EventRow key={e.seq} event={e} striped={i % 2 === 1} current={e.seq === asOf} onTravel={travel} />;
          }}
        />
      </div>
    </div>
  );
}

const EventRow = memo(function EventRow({
  event: e,
  striped,
  current,
  onTravel,
}: {
  event: EventLine;
  striped: boolean;
  current: boolean;
  onTravel(seq: number): void;
}) {
  const detail = eventDetail(e);
  return (
    <div className={`tr ${striped ? 'odd' : ''} ${current ? 'selected' : ''}`} data-testid={`event-row-${e.seq}`} data-type={e.type}>
      <span className="td num">
        <button type="button" className="link num" data-testid={`event-seq-${e.seq}`} title="Show the state as of this seq" onClick={() => onTravel(e.seq)}>
          {formatInt(e.seq)}
        </button>
      </span>
      <span className="td num-left dim">{formatTime(e.ts, TZ)}</span>
      <span className={`td ev-type ${typeClass(e.type)}`}>{e.type}</span>
      <span className="td dim">{e.src}</span>
      <span className="td dim mono" title={detail}>
        {detail}
      </span>
    </div>
  );
});
