import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CSSProperties, KeyboardEvent } from 'react';
import type { FillView } from '../../contract/api.ts';
import { gridTemplate, resolveColumns, toggleColumn } from '../lib/columns.ts';
import { downloadText, toCsv } from '../lib/csv.ts';
import { allMatchingFills, fillWindowQuery } from '../lib/fill-window.ts';
import { createFillsMemo, FILL_VIEW_KEY, isDefaultFillFilter, loadFillView, nextFillSort } from '../lib/fill-query.ts';
import type { FillFilter, FillSort, FillSortKey } from '../lib/fill-query.ts';
import { formatInt } from '../lib/format.ts';
import { savePref } from '../lib/settings.ts';
import { selectFills, selectOrders, selectTickKey, tickTable } from '../store/selectors.ts';
import { ContextMenu } from './ContextMenu.tsx';
import type { MenuItem } from './ContextMenu.tsx';
import { useApi, useOrdoState, useOrdoStore } from './context.tsx';
import { FILL_COLUMNS, fillCsvValue, useFillColumnPrefs } from './fill-columns.ts';
import { FillFilterInputs } from './FillFilters.tsx';
import { GridHeader } from './GridHeader.tsx';
import { useFlash } from './hooks.ts';
import { fillItem } from './fill-row-model.ts';
import { OrderHistoryDrawer } from './OrderHistory.tsx';
import { Panel } from './Panel.tsx';
import type { RowMouse } from './row-pool-model.ts';
import { PoolRows } from './RowPool.tsx';
import { useFillWindow } from './use-fill-window.ts';
import { VirtualList } from './VirtualList.tsx';

const SORT_OF: Record<string, FillSortKey | undefined> = Object.fromEntries(FILL_COLUMNS.map((c) => [c.key, c.sort]));
const sortKeyOf = (col: string): FillSortKey | undefined => SORT_OF[col];
const PAGE = 20;
const NO_FILLS: FillView[] = [];

type Menu = { x: number; y: number; kind: 'row'; execId: number } | { x: number; y: number; kind: 'columns' | 'more' };

/**
 * Every execution (live, or as of the time machine's seq) in a grid like the
 * orders blotter's: sort by any column, filter by client, symbol and side,
 * free-text search, CSV of what passes the filters (side, CSV and columns
 * in the "⋯" menu, a symbol from a row's menu: the panel is narrow), columns moved, resized
 * and hidden, keyboard navigation (Enter opens the order's history), a
 * context menu; filter, sort and columns kept across reloads. When the
 * store holds only part of the fills (a large live session, or a past state
 * larger than its first page), the rows come from the host a window at a
 * time, live or as of the time machine's seq (decision 166), and CSV export
 * asks the host for every matching fill.
 */
export function FillsBlotter() {
  const fills = useOrdoState(selectFills);
  const orders = useOrdoState(selectOrders);
  // Symbols and tick sizes only: the grid does not re-render with every quote.
  const tickKey = useOrdoState(selectTickKey);
  const clients = useOrdoState((s) => s.clients);
  const selectOrder = useOrdoState((s) => s.selectOrder);
  const api = useApi();
  const store = useOrdoStore();
  const pastSeq = useOrdoState((s) => (s.timeMachine.mode === 'asof' ? s.timeMachine.view?.seq : undefined));
  const pastSession = useOrdoState((s) => (s.timeMachine.mode === 'asof' ? s.timeMachine.view?.session.id : undefined));
  const remote = fills.remote === true;
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
  const local = remote ? NO_FILLS : memo.current(fills, filter, sort, orders);
  const query = useMemo(
    () => fillWindowQuery(filter, sort, pastSeq !== undefined && pastSession !== undefined ? { at: pastSeq, session: pastSession } : undefined),
    [filter, sort, pastSeq, pastSession],
  );
  const { window: win, setRange } = useFillWindow(api, store, remote, query);
  const rowCount = remote ? (win?.total ?? 0) : local.length;
  const rowAt = (i: number): FillView | undefined => (remote ? win?.fillAt(i) : local[i]);
  const decimals = useMemo(() => tickTable(tickKey), [tickKey]);
  const [focus, setFocus] = useState<number | undefined>(undefined);
  const [menu, setMenu] = useState<Menu | undefined>(undefined);
  const onHeaderMenu = useCallback((x: number, y: number) => setMenu({ kind: 'columns', x, y }), []);
  const [historyId, setHistoryId] = useState<number | undefined>(undefined);
  const closeHistory = useCallback(() => setHistoryId(undefined), []);
  const [status, setStatus] = useFlash(6000);
  const focusIndex = focus === undefined ? -1 : remote ? (win?.indexOf(focus) ?? -1) : local.findIndex((f) => f.execId === focus);
  const clientOfOrder = (orderId: number): string | undefined => orders.byId.get(orderId)?.clientId;
  // A window's rows carry their clients (the store may not hold their orders).
  const clientOfFill = (f: FillView): string | undefined => (remote ? (win?.clientOf(f.execId) ?? clientOfOrder(f.orderId)) : clientOfOrder(f.orderId));

  const choose = useCallback(
    (f: FillView) => {
      setFocus(f.execId);
      selectOrder(f.orderId);
    },
    [selectOrder],
  );
  const onRowClick = useCallback((f: FillView) => choose(f), [choose]);
  const onRowMenu = useCallback(
    (f: FillView, e: RowMouse) => {
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
      if (rowCount === 0) return;
      const next = e.key === 'Home' ? 0 : e.key === 'End' ? rowCount - 1 : Math.max(0, Math.min(rowCount - 1, (focusIndex < 0 ? -1 : focusIndex) + (moves[e.key] ?? 0)));
      const f = rowAt(next);
      if (f) choose(f);
    } else if (e.key === 'Enter' && focusIndex >= 0) {
      e.preventDefault();
      const f = rowAt(focusIndex);
      if (f) setHistoryId(f.orderId);
    } else if (e.key === 'Escape') {
      setFocus(undefined);
    } else if (e.key === 'ContextMenu' && focusIndex >= 0 && rowAt(focusIndex)) {
      e.preventDefault();
      const f = rowAt(focusIndex) as FillView;
      const row = (e.currentTarget as HTMLElement).querySelector(`[data-testid="fill-row-${f.execId}"]`)?.getBoundingClientRect();
      setMenu({ kind: 'row', execId: f.execId, x: row ? row.left + 40 : 100, y: row ? row.bottom : 100 });
    }
  };

  const writeCsv = (list: readonly FillView[], clientAt: (f: FillView, i: number) => string | undefined): void => {
    const csv = toCsv(
      columns.map((c) => c.title),
      list.map((f, i) => columns.map((c) => fillCsvValue(c.key, f, clientAt(f, i)))),
    );
    downloadText(`ordo-fills-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`, csv);
    setStatus(`Exported ${formatInt(list.length)} fills to CSV`);
  };
  const exportCsv = (): void => {
    if (!remote) {
      writeCsv(local, (f) => clientOfOrder(f.orderId));
      return;
    }
    // Every matching fill, from the host a window at a time (the store holds only some of them).
    setStatus(`Exporting ${formatInt(rowCount)} fills…`);
    void allMatchingFills((x) => api.getFillWindow(x), query).then((r) => {
      if (!r.ok) setStatus(`Export failed: ${r.message}`);
      else writeCsv(r.fills, (_f, i) => r.clients[i] || undefined);
    });
  };

  const menuItems = (m: Menu): MenuItem[] => {
    if (m.kind === 'more') {
      return [
        { label: `Export ${formatInt(rowCount)} fills shown as CSV`, testid: 'fills-export', onSelect: exportCsv },
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
    const f = (remote ? rowAt(win?.indexOf(m.execId) ?? -1) : local.find((x) => x.execId === m.execId)) ?? fills.list[fills.indexByExecId.get(m.execId) ?? -1];
    if (!f) return [];
    const client = clientOfFill(f);
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
          <FillFilterInputs filter={filter} clients={clients} setFilter={setFilter} />
          <span
            className="count num"
            data-testid="fills-count"
            data-count={rowCount}
            data-total={remote ? (win?.fillCount ?? '') : fills.list.length}
            data-remote={remote ? 'true' : undefined}
            title={remote ? 'matching / all fills of the session (rows come from the host as you scroll)' : 'shown / all fills'}
          >
            {filtered || remote ? `${formatInt(rowCount)}/` : ''}
            {formatInt(remote ? (win?.fillCount ?? fills.list.length) : fills.list.length)}
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
          rowCount={rowCount}
          scrollToIndex={focusIndex}
          onKeyDown={onKeys}
          header={
            <GridHeader
              columns={columns}
              sortKeyOf={sortKeyOf}
              sort={sort}
              onSort={sortBy}
              defs={FILL_COLUMNS}
              prefs={prefs}
              onPrefs={setPrefs}
              onHeaderMenu={onHeaderMenu}
              testidPrefix="fills-sort"
            />
          }
          empty={remote && !win ? 'Loading fills…' : fills.list.length === 0 && !remote ? 'No fills' : 'No fills match the filters'}
          onRange={remote ? setRange : undefined}
          renderWindow={(start, count) => (
            <PoolRows
              start={start}
              count={count}
              columns={columns}
              itemAt={(k) => {
                const i = start + k;
                const f = rowAt(i);
                return fillItem(f, f && clientOfFill(f), f ? (decimals.get(f.symbol) ?? 2) : 2, { striped: i % 2 === 1, focused: f !== undefined && f.execId === focus });
              }}
              onClick={(i) => {
                const f = rowAt(i);
                if (f) onRowClick(f);
              }}
              onMenu={(i, e) => {
                const f = rowAt(i);
                if (f) onRowMenu(f, e);
              }}
              onOpen={(i) => {
                const f = rowAt(i);
                if (f) setHistoryId(f.orderId);
              }}
            />
          )}
        />
      </div>
      {historyId !== undefined ? <OrderHistoryDrawer orderId={historyId} onClose={closeHistory} /> : null}
      {menu ? <ContextMenu key={menu.kind} x={menu.x} y={menu.y} items={menuItems(menu)} onClose={() => setMenu(undefined)} /> : null}
    </Panel>
  );
}
