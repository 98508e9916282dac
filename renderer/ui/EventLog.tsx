import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EventPage } from '../../contract/history.ts';
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

/** What identifies the time machine's position, for the search key. */
function asOfKey(tm: { mode: string; seq: number }): string {
  return tm.mode === 'asof' ? `asof:${tm.seq}` : 'live';
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
  const asOf = tm.mode === 'asof' ? tm.seq : undefined;
  const selectedOrder = useOrdoState((s) => (s.selectedOrderId === undefined ? undefined : selectOrders(s).byId.get(s.selectedOrderId)));
  const [orderOnly, setOrderOnly] = useState(false);
  // Whole session: the host searches the log (any age), a page at a time; otherwise the live tail.
  const [whole, setWhole] = useState(false);
  const [client, setClient] = useState('');
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<{ key: string; page: EventPage; loading: boolean; error?: string } | undefined>(undefined);
  const sessionId = useOrdoState((s) => (s.timeMachine.mode === 'asof' && s.timeMachine.view ? s.timeMachine.view.session.id : s.session.id));
  const orderFilter = orderOnly && selectedId !== undefined ? selectedId : undefined;
  const key = JSON.stringify([whole, sessionId, filter, client, reason, orderFilter, asOfKey(tm)]);
  useEffect(() => {
    if (!whole) return;
    let live = true;
    const t = setTimeout(() => {
      setResult((r) => ({ key, page: r?.page ?? { events: [] }, loading: true }));
      void api
        .searchEvents({
          session: sessionId,
          limit: 200,
          ...(tm.mode === 'asof' ? { before: tm.seq + 1 } : {}),
          ...(filter.trim() ? { type: filter.trim() } : {}),
          ...(client.trim() ? { clientId: client.trim() } : {}),
          ...(reason.trim() ? { reason: reason.trim() } : {}),
          ...(orderFilter !== undefined ? { orderId: orderFilter } : {}),
        })
        .then((r) => {
          if (!live) return;
          setResult(r.ok ? { key, page: r.value, loading: false } : { key, page: { events: [] }, loading: false, error: r.error.message });
        });
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key]);
  const older = async (): Promise<void> => {
    const cur = result;
    if (!cur?.page.next) return;
    const r = await api.searchEvents({
      session: sessionId,
      limit: 200,
      before: cur.page.next,
      ...(filter.trim() ? { type: filter.trim() } : {}),
      ...(client.trim() ? { clientId: client.trim() } : {}),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
      ...(orderFilter !== undefined ? { orderId: orderFilter } : {}),
    });
    if (r.ok) setResult({ key: cur.key, page: { events: [...cur.page.events, ...r.value.events], ...(r.value.next ? { next: r.value.next } : {}) }, loading: false });
  };
  const memo = useRef(createFilteredEventsMemo());
  const filtered = memo.current(list, filter);
  const tail = useMemo(() => {
    if (!orderOnly || !selectedOrder) return filtered;
    const seqs = new Set(selectedOrder.eventSeqs);
    return filtered.filter((e) => seqs.has(e.seq));
  }, [filtered, orderOnly, selectedOrder]);
  const shown: readonly EventLine[] = whole ? (result?.page.events ?? []) : tail;
  const travel = useCallback((seq: number) => void travelTo(api, store, seq), [api, store]);

  return (
    <div className="eventlog" data-testid="events-panel">
      <div className="eventlog-tools">
        <input
          className="input input-sm"
          data-testid="events-filter"
          placeholder="Type…"
          title="Part of the event type: exec, reject, cancel…"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
        />
        <label className="toggle" title="Search the whole session's log on the host (any age), not only the recent tail">
          <input type="checkbox" data-testid="events-whole" checked={whole} onChange={(e) => setWhole(e.currentTarget.checked)} />
          whole session
        </label>
        {whole ? (
          <>
            <input className="input input-sm ev-small" data-testid="events-client" placeholder="Client" value={client} onChange={(e) => setClient(e.currentTarget.value.toUpperCase())} />
            <input className="input input-sm ev-small" data-testid="events-reason" placeholder="Reason" title="A reason code or part of its name (band, notional…)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
          </>
        ) : null}
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
        <span className="count num" data-testid="events-count" data-count={shown.length}>
          {formatInt(shown.length)}
          {whole && result?.loading ? '…' : ''}
        </span>
        {whole && result?.page.next ? (
          <button type="button" className="btn btn-xs" data-testid="events-older" title="The next 200 older matches" onClick={() => void older()}>
            Older ›
          </button>
        ) : null}
        {whole && result?.error ? <span className="bad">{result.error}</span> : null}
      </div>
      <div className="table" style={GRID}>
        <VirtualList
          testid="events-list"
          rowCount={shown.length}
          header={<SortHeader columns={COLUMNS} testidPrefix="events-sort" />}
          empty={whole ? (result?.loading ? 'Searching…' : 'No events match in this session') : 'No events'}
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
