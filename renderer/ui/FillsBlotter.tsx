import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CSSProperties, KeyboardEvent, MouseEvent } from 'react';
import type { FillView } from '../../contract/api.ts';
import { gridTemplate, resolveColumns, toggleColumn } from '../lib/columns.ts';
import type { ResolvedColumn } from '../lib/columns.ts';
import { downloadText, toCsv } from '../lib/csv.ts';
import { createFillsMemo, DEFAULT_FILL_FILTER, FILL_VIEW_KEY, isDefaultFillFilter, loadFillView, nextFillSort } from '../lib/fill-query.ts';
import type { FillFilter, FillSort, FillSortKey } from '../lib/fill-query.ts';
import { decimalsOf, formatInt, formatPrice, formatQty, formatTime } from '../lib/format.ts';
import { savePref } from '../lib/settings.ts';
import { selectFills, selectInstruments, selectOrders } from '../store/selectors.ts';
import { ContextMenu } from './ContextMenu.tsx';
import type { MenuItem } from './ContextMenu.tsx';
import { useOrdoState } from './context.tsx';
import { FILL_COLUMNS, fillCsvValue, useFillColumnPrefs } from './fill-columns.ts';
import { GridHeader } from './GridHeader.tsx';
import { useFlash } from './hooks.ts';
import { OrderHistoryDrawer } from './OrderHistory.tsx';
import { Panel } from './Panel.tsx';
import { VirtualList } from './VirtualList.tsx';

const TZ = new Date().getTimezoneOffset();
const SORT_OF: Record<string, FillSortKey | undefined> = Object.fromEntries(FILL_COLUMNS.map((c) => [c.key, c.sort]));
const PAGE = 20;

type Menu = { x: number; y: number; kind: 'row'; execId: number } | { x: number; y: number; kind: 'columns' | 'more' };

/**
 * Every execution (live, or as of the time machine's seq) in a grid like the
 * orders blotter's: sort by any column, filter by client, symbol and side,
 * free-text search, CSV of what passes the filters (side, CSV and columns
 * in the "⋯" menu, a symbol from a row's menu: the panel is narrow), columns moved, resized
 * and hidden, keyboard navigation (Enter opens the order's history), a
 * context menu; filter, sort and columns kept across reloads.
 */
export function FillsBlotter() {
  const fills = useOrdoState(selectFills);
  const orders = useOrdoState(selectOrders);
  const instruments = useOrdoState(selectInstruments);
  const clients = useOrdoState((s) => s.clients);
  const selectOrder = useOrdoState((s) => s.selectOrder);
  const [view, setView] = useState(loadFillView);
  const { filter, sort } = view;
  useEffect(() => savePref(FILL_VIEW_KEY, view), [view]);
  const setFilter = useCallback((patch: Partial<FillFilter>) => setView((v) => ({ ...v, filter: { ...v.filter, ...patch } })), []);
  const sortBy = useCallback((key: FillSortKey) => setView((v): { filter: FillFilter; sort: FillSort } => ({ ...v, sort: nextFillSort(v.sort, key) })), []);
  const [prefs, setPrefs] = useFillColumnPrefs();
  const columns = useMemo(() => resolveColumns(FILL_COLUMNS, prefs), [prefs]);
  const grid = useMemo(() => {
    const g = gridTemplate(columns);
    return { ['--cols' as string]: g.template, ['--min-w' as string]: `${g.minWidth}px` } as CSSProperties;
  }, [columns]);
  const memo = useRef(createFillsMemo());
  const rows = memo.current(fills, filter, sort, orders);
  const decimals = useMemo(() => {
    const m = new Map<string, number>();
    for (const i of instruments.list) m.set(i.symbol, decimalsOf(i.tickSize));
    return m;
  }, [instruments.list]);
  const [focus, setFocus] = useState<number | undefined>(undefined);
  const [menu, setMenu] = useState<Menu | undefined>(undefined);
  const [historyId, setHistoryId] = useState<number | undefined>(undefined);
  const closeHistory = useCallback(() => setHistoryId(undefined), []);
  const [status, setStatus] = useFlash(6000);
  const focusIndex = focus === undefined ? -1 : rows.findIndex((f) => f.execId === focus);
  const clientOf = (orderId: number): string | undefined => orders.byId.get(orderId)?.clientId;

  const choose = useCallback(
    (f: FillView) => {
      setFocus(f.execId);
      selectOrder(f.orderId);
    },
    [selectOrder],
  );
  const onRowClick = useCallback((f: FillView) => choose(f), [choose]);
  const onRowMenu = useCallback(
    (f: FillView, e: MouseEvent) => {
      e.preventDefault();
      choose(f);
      setMenu({ kind: 'row', execId: f.execId, x: e.clientX, y: e.clientY });
    },
    [choose],
  );

  const onKeys = (e: KeyboardEvent<HTMLDivElement>): void => {
    if ((e.target as HTMLElement).tagName === 'INPUT') return;
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: PAGE, PageUp: -PAGE };
    if (e.key in moves || e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      if (rows.length === 0) return;
      const next = e.key === 'Home' ? 0 : e.key === 'End' ? rows.length - 1 : Math.max(0, Math.min(rows.length - 1, (focusIndex < 0 ? -1 : focusIndex) + (moves[e.key] ?? 0)));
      choose(rows[next] as FillView);
    } else if (e.key === 'Enter' && focusIndex >= 0) {
      e.preventDefault();
      setHistoryId((rows[focusIndex] as FillView).orderId);
    } else if (e.key === 'Escape') {
      setFocus(undefined);
    } else if (e.key === 'ContextMenu' && focusIndex >= 0) {
      e.preventDefault();
      const f = rows[focusIndex] as FillView;
      const row = (e.currentTarget as HTMLElement).querySelector(`[data-testid="fill-row-${f.execId}"]`)?.getBoundingClientRect();
      setMenu({ kind: 'row', execId: f.execId, x: row ? row.left + 40 : 100, y: row ? row.bottom : 100 });
    }
  };

  const exportCsv = (): void => {
    const csv = toCsv(
      columns.map((c) => c.title),
      rows.map((f) => columns.map((c) => fillCsvValue(c.key, f, clientOf(f.orderId)))),
    );
    downloadText(`ordo-fills-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`, csv);
    setStatus(`Exported ${formatInt(rows.length)} fills to CSV`);
  };

  const menuItems = (m: Menu): MenuItem[] => {
    if (m.kind === 'more') {
      return [
        { label: `Export ${formatInt(rows.length)} fills shown as CSV`, testid: 'fills-export', onSelect: exportCsv },
        { label: `${filter.side === 'buy' ? '●' : '○'} Buys only`, testid: 'fills-side-buy', separator: true, onSelect: () => setFilter({ side: 'buy' }) },
        { label: `${filter.side === 'sell' ? '●' : '○'} Sells only`, testid: 'fills-side-sell', onSelect: () => setFilter({ side: 'sell' }) },
        { label: `${filter.side === 'all' ? '●' : '○'} Both sides`, testid: 'fills-side-all', onSelect: () => setFilter({ side: 'all' }) },
        { label: 'Columns…', testid: 'fills-columns', separator: true, onSelect: () => setMenu({ ...m, kind: 'columns' }) },
      ];
    }
    if (m.kind !== 'row') {
      return [
        ...FILL_COLUMNS.map((c) => ({
          label: `${prefs.hidden.includes(c.key) ? '☐' : '☑'} ${c.title}`,
          testid: `fills-column-toggle-${c.key}`,
          onSelect: () => setPrefs(toggleColumn(prefs, c.key)),
        })),
        { label: 'Reset columns', testid: 'fills-columns-reset', separator: true, onSelect: () => setPrefs(undefined) },
      ];
    }
    const f = rows.find((x) => x.execId === m.execId) ?? fills.list[fills.indexByExecId.get(m.execId) ?? -1];
    if (!f) return [];
    const client = clientOf(f.orderId);
    return [
      { label: `History of order #${f.orderId}`, testid: 'fills-ctx-history', onSelect: () => setHistoryId(f.orderId) },
      ...(client ? [{ label: `Only ${client}`, testid: 'fills-ctx-filter-client', separator: true, onSelect: () => setFilter({ clientId: client }) }] : []),
      { label: `Only ${f.symbol}`, testid: 'fills-ctx-filter-symbol', separator: !client, onSelect: () => setFilter({ symbol: f.symbol }) },
      { label: 'Copy exec id', testid: 'fills-ctx-copy', onSelect: () => void navigator.clipboard?.writeText(String(f.execId)).catch(() => undefined) },
    ];
  };

  const filtered = !isDefaultFillFilter(filter);
  return (
    <Panel
      title="Fills"
      testid="fills-panel"
      className="fills-panel"
      tools={
        <div className="filters">
          <input
            className="input input-sm search"
            data-testid="fills-search"
            placeholder="Search fills…"
            title="Free text: exec id, order id (#12), client, symbol, side"
            value={filter.text}
            onChange={(e) => setFilter({ text: e.currentTarget.value })}
            onKeyDown={(e) => e.key === 'Escape' && setFilter({ text: '' })}
          />
          <select className="input input-sm" data-testid="fills-filter-client" title="Client" value={filter.clientId} onChange={(e) => setFilter({ clientId: e.currentTarget.value })}>
            <option value="">All clients</option>
            {clients.map((c) => (
              <option key={c.clientId} value={c.clientId}>
                {c.clientId}
              </option>
            ))}
          </select>
          {filter.symbol !== '' ? (
            <button type="button" className="btn btn-xs chip" data-testid="fills-filter-symbol" title="Only this symbol: click to show all" onClick={() => setFilter({ symbol: '' })}>
              {filter.symbol} ✕
            </button>
          ) : null}
          {filter.side !== 'all' ? (
            <button type="button" className="btn btn-xs chip" data-testid="fills-filter-side" title="Only this side: click to show both" onClick={() => setFilter({ side: 'all' })}>
              {filter.side.toUpperCase()} ✕
            </button>
          ) : null}
          {filtered ? (
            <button type="button" className="btn btn-xs" data-testid="fills-filter-reset" title="Show every fill" onClick={() => setFilter(DEFAULT_FILL_FILTER)}>
              ✕
            </button>
          ) : null}
          <span className="count num" data-testid="fills-count" data-count={rows.length} data-total={fills.list.length} title="shown / all fills">
            {filtered ? `${formatInt(rows.length)}/` : ''}
            {formatInt(fills.list.length)}
          </span>
          <button
            type="button"
            className="btn btn-xs"
            data-testid="fills-more"
            title="Export CSV, side filter, columns"
            onClick={(e) => {
              const r = e.currentTarget.getBoundingClientRect();
              setMenu({ kind: 'more', x: r.left, y: r.bottom + 2 });
            }}
          >
            ⋯
          </button>
        </div>
      }
      footer={status ? <div className="panel-status" data-testid="fills-status">{status}</div> : undefined}
    >
      <div className="table fills-table" style={grid}>
        <VirtualList
          testid="fills-list"
          rowCount={rows.length}
          scrollToIndex={focusIndex}
          onKeyDown={onKeys}
          header={
            <GridHeader
              columns={columns}
              sortKeyOf={(k) => SORT_OF[k]}
              sort={sort}
              onSort={sortBy}
              defs={FILL_COLUMNS}
              prefs={prefs}
              onPrefs={setPrefs}
              onHeaderMenu={(x, y) => setMenu({ kind: 'columns', x, y })}
              testidPrefix="fills-sort"
            />
          }
          empty={fills.list.length === 0 ? 'No fills' : 'No fills match the filters'}
          renderRow={(i) => {
            const f = rows[i];
            if (!f) return null;
            return (
              <FillRow
                // By place in the list: a stream of new fills patches rows in place (decision 151).
                key={i}
                fill={f}
                client={clientOf(f.orderId)}
                columns={columns}
                decimals={decimals.get(f.symbol) ?? 2}
                striped={i % 2 === 1}
                focused={f.execId === focus}
                onClick={onRowClick}
                onMenu={onRowMenu}
                onOpen={setHistoryId}
              />
            );
          }}
        />
      </div>
      {historyId !== undefined ? <OrderHistoryDrawer orderId={historyId} onClose={closeHistory} /> : null}
      {menu ? <ContextMenu key={menu.kind} x={menu.x} y={menu.y} items={menuItems(menu)} onClose={() => setMenu(undefined)} /> : null}
    </Panel>
  );
}

interface RowProps {
  fill: FillView;
  client: string | undefined;
  columns: readonly ResolvedColumn[];
  decimals: number;
  striped: boolean;
  focused: boolean;
  onClick(f: FillView): void;
  onMenu(f: FillView, e: MouseEvent): void;
  onOpen(orderId: number): void;
}

const FillRow = memo(function FillRow(p: RowProps) {
  const f = p.fill;
  return (
    <div
      className={`tr ${p.striped ? 'odd' : ''} ${p.focused ? 'selected focused' : ''}`}
      data-testid={`fill-row-${f.execId}`}
      data-order-id={f.orderId}
      data-seq={f.seq}
      data-exec-id={f.execId}
      data-selected={p.focused}
      title={`exec ${f.execId} · order ${f.orderId} · seq ${formatInt(f.seq)}`}
      onClick={() => p.onClick(f)}
      onContextMenu={(e) => p.onMenu(f, e)}
      onDoubleClick={() => p.onOpen(f.orderId)}
    >
      {p.columns.map((c) => (
        <FillCell key={c.key} col={c.key} fill={f} client={p.client} decimals={p.decimals} />
      ))}
    </div>
  );
});

function FillCell({ col, fill: f, client, decimals }: { col: string; fill: FillView; client: string | undefined; decimals: number }) {
  switch (col) {
    case 'time':
      return (
        <span className="td num-left dim" data-col="time">
          {formatTime(f.ts, TZ)}
        </span>
      );
    case 'client':
      return (
        <span className="td" data-col="client">
          {client}
        </span>
      );
    case 'symbol':
      return (
        <span className="td sym" data-col="symbol">
          {f.symbol}
        </span>
      );
    case 'side':
      return (
        <span className={`td side-${f.side}`} data-col="side">
          {f.side === 'buy' ? 'BUY' : 'SELL'}
        </span>
      );
    case 'qty':
      return (
        <span className="td num" data-col="qty">
          {formatQty(f.quantity)}
        </span>
      );
    case 'price':
      return (
        <span className="td num" data-col="price">
          {formatPrice(f.price, decimals)}
        </span>
      );
    case 'notional':
      return (
        <span className="td num" data-col="notional">
          {formatPrice(f.quantity * f.price, 2)}
        </span>
      );
    case 'orderId':
      return (
        <span className="td num" data-col="orderId">
          {f.orderId}
        </span>
      );
    case 'execId':
      return (
        <span className="td num dim" data-col="execId">
          {f.execId}
        </span>
      );
    case 'seq':
      return (
        <span className="td num dim" data-col="seq">
          {formatInt(f.seq)}
        </span>
      );
    default:
      return <span className="td" />;
  }
}
