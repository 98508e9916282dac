import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CSSProperties, KeyboardEvent } from 'react';
import type { OrderView } from '../../contract/api.ts';
import type { OrderSelection, OrderWindowQuery } from '../../contract/order-window.ts';
import { gridTemplate, resolveColumns, toggleColumn } from '../lib/columns.ts';
import { downloadText, toCsv } from '../lib/csv.ts';
import { formatInt, formatQty } from '../lib/format.ts';
import { createOrderIdsMemo, DEFAULT_ORDER_FILTER, isTerminal } from '../lib/order-query.ts';
import type { OrderSortKey } from '../lib/order-query.ts';
import { validateReplace } from '../lib/validation.ts';
import { healthyActiveRoles, waitingHint } from '../lib/waiting.ts';
import { selectInstruments, selectOrders, selectReadOnly, selectTickKey, tickTable } from '../store/selectors.ts';
import { ORDER_COLUMNS, orderCsvValue, useColumnPrefs } from './order-columns.ts';
import { OrderPool } from './OrderPool.tsx';
import type { PoolRow, RowMouse } from './OrderPool.tsx';
import { OrderHistoryDrawer } from './OrderHistory.tsx';
import type { Amend } from './order-row-model.ts';
import { useConfirm, type ConfirmRequest } from './Confirm.tsx';
import { ContextMenu } from './ContextMenu.tsx';
import type { MenuItem } from './ContextMenu.tsx';
import { useApi, useOrdoState, useOrdoStore } from './context.tsx';
import { useOrderWindow } from './use-order-window.ts';
import { queryKey, spanBounds, spanSelection, windowQuery } from '../lib/order-window.ts';
import { GridHeader } from './GridHeader.tsx';
import { OrderFilterInputs } from './OrderFilters.tsx';
import { useFlash } from './hooks.ts';
import { Panel } from './Panel.tsx';
import { VirtualList } from './VirtualList.tsx';

const SORT_OF: Record<string, OrderSortKey | undefined> = Object.fromEntries(ORDER_COLUMNS.map((c) => [c.key, c.sort]));
const sortKeyOf = (col: string): OrderSortKey | undefined => SORT_OF[col];

type Menu = { x: number; y: number; kind: 'row'; orderId: number } | { x: number; y: number; kind: 'columns' };

/**
 * The orders blotter: a windowed grid the trader arranges (columns moved,
 * resized, hidden; filter and sort kept across reloads), with multi-select,
 * mass cancel, free-text search, CSV export of what passes the filters,
 * keyboard actions and a context menu.
 */
export function OrdersBlotter() {
  const api = useApi();
  const confirm = useConfirm();
  const table = useOrdoState(selectOrders);
  const filter = useOrdoState((s) => s.orderFilter);
  const sort = useOrdoState((s) => s.orderSort);
  const readOnly = useOrdoState(selectReadOnly);
  const connected = useOrdoState((s) => s.connection.status === 'open');
  const focusId = useOrdoState((s) => s.selectedOrderId);
  const selected = useOrdoState((s) => s.selectedOrderIds);
  const setFilter = useOrdoState((s) => s.setOrderFilter);
  const sortBy = useOrdoState((s) => s.sortOrdersBy);
  const setSelection = useOrdoState((s) => s.setOrderSelection);
  const span = useOrdoState((s) => s.orderSpan);
  const setSpan = useOrdoState((s) => s.setOrderSpan);
  const clients = useOrdoState((s) => s.clients);
  const components = useOrdoState((s) => s.components.list);
  // Symbols and tick sizes only: quotes change the instruments table at every flush, and this grid must not follow.
  const tickKey = useOrdoState(selectTickKey);
  const [prefs, setPrefs] = useColumnPrefs();
  const columns = useMemo(() => resolveColumns(ORDER_COLUMNS, prefs), [prefs]);
  const grid = useMemo(() => {
    const g = gridTemplate(columns);
    return { ['--cols' as string]: g.template, ['--min-w' as string]: `${g.minWidth}px` } as CSSProperties;
  }, [columns]);
  const store = useOrdoStore();
  const source = useOrdoState((s) => s.orderSource);
  // A session larger than the reset carried: rows come in windows from the host (decision 150); likewise a past
  // state larger than its first page, at the time machine's seq (decision 166).
  const pastSeq = useOrdoState((s) => (s.timeMachine.mode === 'asof' && s.timeMachine.view?.ordersRemote ? s.timeMachine.view.seq : undefined));
  const pastSession = useOrdoState((s) => (s.timeMachine.mode === 'asof' ? s.timeMachine.view?.session.id : undefined));
  const past = useMemo(() => (pastSeq !== undefined && pastSession !== undefined ? { at: pastSeq, session: pastSession } : undefined), [pastSeq, pastSession]);
  const remote = readOnly ? past !== undefined : source.remote;
  const { window: win, setRange } = useOrderWindow(api, store, remote, filter, sort, past);
  const memoIds = useRef(createOrderIdsMemo());
  // Until the first window arrives, the newest orders the reset carried are shown, sorted here.
  const ids = win ? win.ids : memoIds.current(table, filter, sort);
  const rowCount = win ? win.total : ids.length;
  const idAt = (i: number): number | undefined => (win ? win.idAt(i) : ids[i]);
  const indexOf = (id: number): number => (win ? win.indexOf(id) : ids.indexOf(id));
  // A selection by position in the host's list (decision 164): every matching order, or a range between two.
  const view = useMemo(() => windowQuery(filter, sort), [filter, sort]);
  const liveSpan = remote && span && span.key === queryKey(view) ? span : undefined;
  const spanRows = liveSpan ? spanBounds(liveSpan, win, rowCount) : undefined;
  const selectedCount = spanRows ? spanRows.hi - spanRows.lo + 1 : selected.size;
  const decimals = useMemo(() => tickTable(tickKey), [tickKey]);
  const symbols = useMemo(() => [...decimals.keys()], [decimals]);
  const roles = useMemo(() => (readOnly || components.length === 0 ? undefined : healthyActiveRoles(components)), [components, readOnly]);
  // Local: kept by every merge of the table (decision 151); remote: the host's count.
  const working = remote ? (win?.working ?? 0) : (table.working ?? 0);
  const [amend, setAmend] = useState<Amend | undefined>(undefined);
  const [menu, setMenu] = useState<Menu | undefined>(undefined);
  const onHeaderMenu = useCallback((x: number, y: number) => setMenu({ kind: 'columns', x, y }), []);
  const [historyId, setHistoryId] = useState<number | undefined>(undefined);
  const closeHistory = useCallback(() => setHistoryId(undefined), []);
  const [status, setStatus] = useFlash(8000);
  // Which clients the kill switch holds: read from the host when a row menu opens (risk owns the truth).
  const [halted, setHalted] = useState<ReadonlySet<string>>(() => new Set());
  const loadHalts = useCallback(async () => {
    const r = await api.getRisk();
    if (r.ok) setHalted(new Set(r.value.clients.filter((c) => c.halt !== null).map((c) => c.clientId)));
  }, [api]);
  const amendRef = useRef(amend);
  amendRef.current = amend;
  const canAct = !readOnly && connected;

  const cancelMany = useCallback(
    async (orderIds: readonly number[], ask: boolean) => {
      const targets = orderIds.filter((id) => {
        const o = table.byId.get(id);
        return o !== undefined && !isTerminal(o.state);
      });
      if (targets.length === 0) {
        setStatus('Nothing to cancel: no working order selected');
        return;
      }
      if (ask) {
        const ok = await confirm(cancelOrdersConfirm(targets));
        if (!ok) return;
      }
      setStatus(`Cancel sent for ${formatInt(targets.length)} order${targets.length > 1 ? 's' : ''}…`);
      let failed = 0;
      let queued = 0;
      let firstError = '';
      // A few at a time: thousands of requests at once would flood the link for no gain.
      for (let i = 0; i < targets.length; i += 50) {
        const rs = await Promise.all(targets.slice(i, i + 50).map((id) => api.cancelOrder(id)));
        for (const r of rs) {
          if (!r.ok) {
            failed++;
            firstError ||= r.error.message;
          } else if (r.value.queuedForOpen === true) queued++;
        }
      }
      const plural = targets.length > 1 ? 's' : '';
      // Between sessions a cancel is stored and applied at the next open (decision 130): say so, not "requested".
      setStatus(
        failed === 0 && queued === targets.length
          ? `No session is open: cancel stored for ${formatInt(queued)} order${plural}, cancelled when the next session opens`
          : failed === 0
            ? `Cancel requested for ${formatInt(targets.length)} order${plural}`
            : `Cancel: ${formatInt(targets.length - failed)} requested${queued > 0 ? ` (${formatInt(queued)} stored for the next open)` : ''}, ${formatInt(failed)} failed (${firstError})`,
      );
    },
    [api, confirm, setStatus, table.byId],
  );

  /**
   * Cancel of a span the renderer need not hold (decision 164): the host
   * counts it (dry run) for the confirmation, then cancels its working
   * orders itself, by filter or by range, instead of one call per order
   * from here.
   */
  const cancelOnHost = useCallback(
    async (sel: OrderSelection, what: (selected: number) => string, note: string) => {
      const dry = await api.cancelSelection({ ...sel, dryRun: true });
      if (!dry.ok) {
        setStatus(`Cancel failed: ${dry.error.message}`);
        return;
      }
      const { selected: n, working: w } = dry.value;
      if (w === 0) {
        setStatus(`Nothing to cancel: none of the ${formatInt(n)} selected is working`);
        return;
      }
      const ok = await confirm({
        title: `Cancel ${formatInt(w)} working order${w === 1 ? '' : 's'}?`,
        body: `Selected: ${what(n)}, ${formatInt(w)} of them working. The host sends a cancel for each working one${note}; each stays working until the venue confirms.`,
        okLabel: `Cancel ${formatInt(w)} order${w === 1 ? '' : 's'}`,
        cancelLabel: w === 1 ? 'Keep order' : 'Keep orders',
        danger: true,
      });
      if (!ok) return;
      setStatus(`Cancel sent for ${formatInt(w)} orders…`);
      const r = await api.cancelSelection(sel);
      if (!r.ok) {
        setStatus(`Cancel failed: ${r.error.message}`);
        return;
      }
      const v = r.value;
      setStatus(
        v.failed === 0 && v.queuedForOpen === 0
          ? `Cancel requested for ${formatInt(v.requested)} order${v.requested === 1 ? '' : 's'}`
          : `Cancel: ${formatInt(v.requested)} requested, ${formatInt(v.queuedForOpen)} stored for the next open, ${formatInt(v.failed)} failed${v.firstError ? ` (${v.firstError})` : ''}`,
      );
    },
    [api, confirm, setStatus],
  );
  const cancelSpan = (): Promise<void> | undefined => {
    if (!liveSpan) return undefined;
    const lo = formatInt((spanRows?.lo ?? 0) + 1);
    const hi = formatInt((spanRows?.hi ?? 0) + 1);
    return cancelOnHost(
      spanSelection(liveSpan, win, view, rowCount),
      (n) => (liveSpan.all ? `all ${formatInt(n)} orders matching the filter` : `${formatInt(n)} orders (rows ${lo}–${hi})`),
      liveSpan.all ? ' (orders that match by then included)' : '',
    );
  };

  // How many of a span are working: the host counts (the renderer may hold few of them).
  const [spanWorking, setSpanWorking] = useState<{ span: typeof span; n: number } | undefined>(undefined);
  useEffect(() => {
    if (!liveSpan) return;
    let stale = false;
    // A moment after the span stops changing (Shift+↓ held down asks once, not per row).
    const timer = setTimeout(() => {
      void api.cancelSelection({ ...spanSelection(liveSpan, win, view, rowCount), dryRun: true }).then((r) => {
        if (!stale && r.ok) setSpanWorking({ span: liveSpan, n: r.value.working });
      });
    }, 150);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
    // Counted again when the span changes, not with every window (its ends are orders: the count holds).
  }, [api, liveSpan]);
  const cancelSelected = (): void => void (liveSpan ? cancelSpan() : cancelMany([...selected], true));

  /**
   * Kill switch for one client: the host sequences TradingHalted and the
   * gateway cancels every live order of the client (at the venue, or at once
   * when not there yet); risk refuses new ones until resumed (decision 092).
   */
  const haltClient = useCallback(
    async (clientId: string, working: number) => {
      const ok = await confirm({
        title: `Halt ${clientId}? (kill switch)`,
        body: `All ${formatInt(working)} working order${working === 1 ? '' : 's'} of ${clientId} are cancelled at the venue, and new orders of ${clientId} are refused until you resume it. To cancel without halting, use "Cancel all working for ${clientId}".`,
        okLabel: `Halt ${clientId} and cancel all`,
        cancelLabel: 'Do not halt',
        danger: true,
      });
      if (!ok) return;
      const r = await api.haltClient(clientId, { by: 'ui', reason: 'kill switch from the orders blotter' });
      if (!r.ok) {
        setStatus(`Halt ${clientId} failed: ${r.error.message}`);
        return;
      }
      setHalted((h) => new Set([...h, clientId]));
      setStatus(`${clientId} halted: its ${formatInt(working)} working order${working === 1 ? '' : 's'} are being cancelled (KILL_SWITCH); new orders refused until resumed`);
    },
    [api, confirm, setStatus],
  );

  const resumeClient = useCallback(
    async (clientId: string) => {
      const r = await api.resumeClient(clientId, { by: 'ui' });
      if (!r.ok) {
        setStatus(`Resume ${clientId} failed: ${r.error.message}`);
        return;
      }
      setHalted((h) => new Set([...h].filter((c) => c !== clientId)));
      setStatus(`${clientId} resumed: new orders accepted again (cancelled orders stay cancelled)`);
    },
    [api, setStatus],
  );

  // A halt or resume from anywhere (the risk panel, the CLI, another desk) shows in the client filter.
  const eventTail = useOrdoState((s) => s.events.list);
  const scanned = useRef(-1);
  useEffect(() => {
    const newest = eventTail.length > 0 ? (eventTail[eventTail.length - 1] as (typeof eventTail)[number]).seq : 0;
    if (newest < scanned.current) scanned.current = -1; // a new session: seqs start again
    const first = scanned.current < 0;
    let halts = false;
    // Only the lines since the last look: O(new lines) per flush.
    for (let i = eventTail.length - 1; i >= 0; i--) {
      const e = eventTail[i] as (typeof eventTail)[number];
      if (e.seq <= scanned.current) break;
      if (e.type === 'TradingHalted' || e.type === 'TradingResumed') halts = true;
    }
    scanned.current = newest;
    if (first || halts) void loadHalts();
  }, [eventTail, loadHalts]);

  const cancelOne = useCallback((orderId: number) => void cancelMany([orderId], false), [cancelMany]);

  const startAmend = useCallback((o: OrderView) => {
    setAmend({ orderId: o.orderId, quantity: String(o.quantity), price: String(o.price) });
  }, []);

  const sendAmend = useCallback(async () => {
    const a = amendRef.current;
    if (!a) return;
    const order = table.byId.get(a.orderId);
    if (!order) return;
    const v = validateReplace(a.quantity, a.price, order.filledQuantity, selectInstruments(store.getState()).bySymbol.get(order.symbol));
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
  }, [api, store, setStatus, table.byId]);

  const focusIndex = focusId === undefined ? -1 : indexOf(focusId);
  // Where the focus was last seen: a remote window may have scrolled away from it.
  const lastFocusRow = useRef(-1);
  if (focusIndex >= 0) lastFocusRow.current = focusIndex;
  // Where a Shift range starts: the row last clicked or moved to without Shift.
  const anchor = useRef<{ id: number; row: number } | undefined>(undefined);
  // A keyboard move to a row the window does not hold yet: the list scrolls there and the move ends when it loads.
  const [pending, setPending] = useState<{ row: number; shift: boolean } | undefined>(undefined);
  // A move pending in one view means nothing in another.
  useEffect(() => setPending(undefined), [filter, sort]);

  /** Focus row `row` (order `id`); with Shift, select from the anchor to it (remote: a span of the host's list). */
  const moveTo = (row: number, id: number, shift: boolean): void => {
    if (!shift || anchor.current === undefined) {
      anchor.current = { id, row };
      setSelection([id], id);
      return;
    }
    const a = anchor.current;
    const aRow = win ? (win.indexOf(a.id) >= 0 ? win.indexOf(a.id) : a.row) : ids.indexOf(a.id);
    if (remote) {
      setSpan({ key: queryKey(view), all: false, fromId: a.id, toId: id, from: Math.max(0, aRow), to: row }, id);
      return;
    }
    if (aRow < 0) {
      anchor.current = { id, row };
      setSelection([id], id);
      return;
    }
    setSelection(ids.slice(Math.min(aRow, row), Math.max(aRow, row) + 1), id);
  };

  useEffect(() => {
    if (!pending) return;
    // The list shrank under it (another filter, a window refresh): the move is dropped.
    if (pending.row >= rowCount) {
      setPending(undefined);
      return;
    }
    const id = idAt(pending.row);
    if (id === undefined) return;
    setPending(undefined);
    moveTo(pending.row, id, pending.shift);
  });

  // Row callbacks read the latest rows and selection through refs, so they keep their identity across
  // flushes and a row whose order did not change is not rendered again (decision 151).
  const live = useRef({ selected, indexOf, moveTo });
  live.current = { selected, indexOf, moveTo };
  const onRowClick = useCallback(
    (id: number, e: RowMouse) => {
      const { selected, indexOf, moveTo } = live.current;
      const row = indexOf(id);
      if (e.ctrlKey || e.metaKey) {
        // Ctrl toggles one order in an explicit selection (a span becomes the clicked order alone).
        const next = new Set(selected);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        anchor.current = { id, row };
        setSelection(next, id);
        return;
      }
      moveTo(row, id, e.shiftKey);
    },
    [setSelection],
  );

  const onRowMenu = useCallback(
    (id: number, e: RowMouse) => {
      e.preventDefault();
      if (!live.current.selected.has(id) && !spanHas.current(id)) {
        anchor.current = { id, row: live.current.indexOf(id) };
        setSelection([id], id);
      }
      setMenu({ kind: 'row', orderId: id, x: e.clientX, y: e.clientY });
      void loadHalts();
    },
    [setSelection, loadHalts],
  );
  /** Whether an order is in the span (a loaded row inside its bounds). */
  const spanHas = useRef((_id: number): boolean => false);
  spanHas.current = (id) => {
    if (!spanRows) return false;
    const i = indexOf(id);
    return i >= spanRows.lo && i <= spanRows.hi;
  };

  const onKeys = (e: KeyboardEvent<HTMLDivElement>): void => {
    if ((e.target as HTMLElement).tagName === 'INPUT') return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'PageDown' || e.key === 'PageUp' || e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      if (rowCount === 0) return;
      const step = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : e.key === 'PageDown' ? 20 : e.key === 'PageUp' ? -20 : 0;
      // Rows of the whole list (remote: the host's, loaded or not); a row not loaded is fetched, then focused.
      const from = pending ? pending.row : focusIndex >= 0 ? focusIndex : focusId !== undefined ? lastFocusRow.current : -1;
      const next = e.key === 'Home' ? 0 : e.key === 'End' ? rowCount - 1 : Math.max(0, Math.min(rowCount - 1, from + step));
      const id = idAt(next);
      if (id === undefined) setPending({ row: next, shift: e.shiftKey });
      else {
        setPending(undefined);
        moveTo(next, id, e.shiftKey);
      }
    } else if ((e.key === 'a' || e.key === 'A') && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      // Remote: every order matching the filter, loaded or not ("All N matching"); cancels go by filter.
      if (remote) setSpan({ key: queryKey(view), all: true, from: 0, to: Math.max(0, rowCount - 1) }, focusId);
      else setSelection(ids, focusId ?? ids[0]);
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      if (canAct) cancelSelected();
    } else if (e.key === 'Enter' && focusId !== undefined) {
      e.preventDefault();
      setHistoryId(focusId);
    } else if (e.key === 'Escape') {
      setPending(undefined);
      setSelection([], undefined);
    } else if (e.key === 'ContextMenu' && focusId !== undefined) {
      e.preventDefault();
      const row = (e.currentTarget as HTMLElement).querySelector(`[data-testid="order-row-${focusId}"]`)?.getBoundingClientRect();
      setMenu({ kind: 'row', orderId: focusId, x: row ? row.left + 40 : 100, y: row ? row.bottom : 100 });
      void loadHalts();
    }
  };

  const exportCsv = async (): Promise<void> => {
    const cols = columns.filter((c) => !c.fixed);
    let orders: OrderView[];
    if (remote) {
      // Every row that passes the filters, from the host a window at a time (the renderer holds only some).
      setStatus(`Exporting ${formatInt(rowCount)} orders…`);
      const got = await allMatching(api, windowQuery(filter, sort));
      if (!got.ok) {
        setStatus(`CSV export failed: ${got.message}`);
        return;
      }
      orders = got.orders;
    } else orders = ids.map((id) => table.byId.get(id) as OrderView);
    const rows = orders.map((o) => cols.map((c) => orderCsvValue(c.key, o, roles)));
    const csv = toCsv(
      cols.map((c) => c.title),
      rows,
    );
    downloadText(`ordo-orders-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`, csv);
    setStatus(`Exported ${formatInt(orders.length)} orders to CSV`);
  };

  /** The working orders of a client the store holds (local mode: all of them). */
  const clientWorkingIds = (clientId: string): number[] =>
    [...table.byId.values()].filter((x) => x.clientId === clientId && !isTerminal(x.state)).map((x) => x.orderId);

  const explicitWorking = useMemo(() => {
    let n = 0;
    for (const id of selected) {
      const o = table.byId.get(id);
      if (o && !isTerminal(o.state)) n++;
    }
    return n;
  }, [selected, table.byId, table.version]);
  // A span's working count comes from the host (undefined until it answers).
  const selectedWorking = liveSpan ? (spanWorking?.span === liveSpan ? spanWorking.n : undefined) : explicitWorking;

  const menuItems = (m: Menu): MenuItem[] => {
    if (m.kind === 'columns') {
      return [
        ...ORDER_COLUMNS.filter((c) => !c.fixed).map((c) => ({
          label: `${prefs.hidden.includes(c.key) ? '☐' : '☑'} ${c.title}`,
          testid: `column-toggle-${c.key}`,
          onSelect: () => setPrefs(toggleColumn(prefs, c.key)),
        })),
        { label: 'Reset columns', testid: 'columns-reset', separator: true, onSelect: () => setPrefs(undefined) },
      ];
    }
    const o = table.byId.get(m.orderId);
    if (!o) return [];
    const many = (selected.size > 1 && selected.has(o.orderId)) || (selectedCount > 1 && spanHas.current(o.orderId));
    // Remote: the store holds only some of the client's orders; the count is the loaded ones', the action asks the host.
    const clientWorking = [...table.byId.values()].filter((x) => x.clientId === o.clientId && !isTerminal(x.state)).map((x) => x.orderId);
    const about = remote ? '' : ` (${formatInt(clientWorking.length)})`;
    return [
      many
        ? {
            label: selectedWorking === undefined ? `Cancel the ${formatInt(selectedCount)} selected` : `Cancel ${formatInt(selectedWorking)} selected`,
            testid: 'ctx-cancel-selected',
            danger: true,
            disabled: !canAct || selectedWorking === 0,
            onSelect: cancelSelected,
          }
        : { label: `Cancel #${o.orderId}`, testid: 'ctx-cancel', danger: true, disabled: !canAct || isTerminal(o.state), onSelect: () => void cancelMany([o.orderId], true) },
      { label: `Amend #${o.orderId}`, testid: 'ctx-amend', disabled: !canAct || isTerminal(o.state) || o.orderType !== 'limit' || many, onSelect: () => startAmend(o) },
      {
        label: `Cancel all working for ${o.clientId}${about}`,
        testid: 'ctx-cancel-client',
        danger: true,
        disabled: !canAct || (!remote && clientWorking.length === 0),
        // Remote: the host cancels by filter (the renderer holds only some of the client's orders).
        onSelect: () =>
          void (remote
            ? cancelOnHost({ clientId: o.clientId, state: 'open', sort: 'orderId', dir: 'asc' }, (n) => `every working order of ${o.clientId} (${formatInt(n)})`, '')
            : cancelMany(clientWorkingIds(o.clientId), true)),
      },
      halted.has(o.clientId)
        ? { label: `Resume ${o.clientId} (lift the halt)`, testid: 'ctx-resume-client', disabled: !canAct, onSelect: () => void resumeClient(o.clientId) }
        : {
            label: remote ? `Halt ${o.clientId}: kill switch, cancels all working…` : `Halt ${o.clientId}: kill switch, cancels all ${formatInt(clientWorking.length)}…`,
            testid: 'ctx-halt-client',
            danger: true,
            disabled: !canAct,
            onSelect: () => void haltClient(o.clientId, clientWorking.length),
          },
      { label: `History of #${o.orderId}`, testid: 'ctx-history', separator: true, onSelect: () => setHistoryId(o.orderId) },
      { label: `Only ${o.clientId}`, testid: 'ctx-filter-client', onSelect: () => setFilter({ clientId: o.clientId }) },
      { label: `Only ${o.symbol}`, testid: 'ctx-filter-symbol', onSelect: () => setFilter({ symbol: o.symbol }) },
      { label: 'Copy order id', testid: 'ctx-copy', onSelect: () => void navigator.clipboard?.writeText(String(o.orderId)).catch(() => undefined) },
    ];
  };

  /** Row `i` of the list for the pooled grid: its order (a row the host's window does not hold yet has none) and how it stands out. */
  const rowAt = (i: number): PoolRow => {
    const id = idAt(i);
    const o = id === undefined ? undefined : table.byId.get(id);
    const striped = i % 2 === 1;
    if (id === undefined || !o) return { id: undefined, order: undefined, decimals: 2, flags: { striped, selected: false, focused: false, amending: false, waiting: undefined } };
    const working = !isTerminal(o.state);
    return {
      id,
      order: o,
      decimals: decimals.get(o.symbol) ?? 2,
      flags: {
        striped,
        selected: selected.has(id) || (spanRows !== undefined && i >= spanRows.lo && i <= spanRows.hi),
        focused: id === focusId,
        amending: visibleAmend?.orderId === id && working,
        waiting: roles && working ? waitingHint(o.stage, o.state, roles) : undefined,
      },
    };
  };

  const filtered = filter !== DEFAULT_ORDER_FILTER && (filter.state !== 'all' || filter.symbol !== '' || filter.side !== 'all' || filter.clientId !== '' || filter.text !== '');
  const visibleAmend = amend && canAct ? amend : undefined;

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
      className="orders-panel"
      tools={
        <div className="filters">
          <OrderFilterInputs filter={filter} clients={clients} halted={halted} symbols={symbols} setFilter={setFilter} />
          {filtered ? (
            <button type="button" className="btn btn-xs" data-testid="orders-filter-reset" title="Show every order" onClick={() => setFilter(DEFAULT_ORDER_FILTER)}>
              ✕
            </button>
          ) : null}
          <span
            className="count num"
            data-testid="orders-count"
            data-count={rowCount}
            data-remote={remote ? 'true' : undefined}
            title={remote ? 'matching / all orders of the session (rows come from the host as you scroll)' : 'shown / all orders'}
          >
            {formatInt(rowCount)}/{formatInt(win ? win.orderCount : remote ? source.orderCount : table.byId.size)}
          </span>
          <button type="button" className="btn btn-xs" data-testid="orders-export" title="Export the rows shown (all that pass the filters) as CSV" onClick={() => void exportCsv()}>
            CSV
          </button>
          <button
            type="button"
            className="btn btn-xs"
            data-testid="orders-columns"
            title="Show or hide columns (or right-click the header)"
            onClick={(e) => {
              const r = e.currentTarget.getBoundingClientRect();
              setMenu({ kind: 'columns', x: r.left, y: r.bottom + 2 });
            }}
          >
            Cols
          </button>
        </div>
      }
      footer={
        <div className={`panel-status orders-status ${visibleAmend?.error ? 'error' : ''}`} data-testid="order-action-status">
          {selectedCount > 1 ? (
            <span className="selection-bar" data-testid="orders-selection" data-count={selectedCount} data-all={liveSpan?.all ? 'true' : undefined} data-working={selectedWorking}>
              <strong>{liveSpan?.all ? `All ${formatInt(selectedCount)} matching` : `${formatInt(selectedCount)} selected`}</strong> ({selectedWorking === undefined ? '…' : formatInt(selectedWorking)} working)
              <button type="button" className="btn btn-xs btn-danger-outline" data-testid="orders-cancel-selected" disabled={!canAct || selectedWorking === 0} onClick={cancelSelected}>
                Cancel selected
              </button>
              <button type="button" className="btn btn-xs" data-testid="orders-select-none" onClick={() => setSelection([], undefined)}>
                Clear selection
              </button>
            </span>
          ) : null}
          <span className="status-text">{visibleAmend?.error ? `Amend #${visibleAmend.orderId}: ${visibleAmend.error}` : (status ?? (selectedCount <= 1 ? 'Click, Shift/Ctrl+click or ↑↓ to select · Delete cancels · right-click for more' : ''))}</span>
        </div>
      }
    >
      <div className="table orders-table" style={grid}>
        <VirtualList
          testid="orders-list"
          rowCount={rowCount}
          scrollToIndex={pending ? pending.row : focusIndex}
          onKeyDown={onKeys}
          onRange={remote ? setRange : undefined}
          header={
            <GridHeader
              columns={columns}
              sortKeyOf={sortKeyOf}
              sort={sort}
              onSort={sortBy}
              defs={ORDER_COLUMNS}
              prefs={prefs}
              onPrefs={setPrefs}
              onHeaderMenu={onHeaderMenu}
              testidPrefix="orders-sort"
            />
          }
          empty={(win ? win.orderCount : table.byId.size) === 0 ? 'No orders' : 'No orders match the filters'}
          renderWindow={(start, count) => (
            <OrderPool
              start={start}
              count={count}
              columns={columns}
              rowAt={rowAt}
              readOnly={readOnly}
              canAct={canAct}
              amend={visibleAmend}
              onClick={onRowClick}
              onMenu={onRowMenu}
              onOpen={setHistoryId}
              onCancel={cancelOne}
              onAmend={startAmend}
              onAmendChange={setAmend}
              onAmendSend={sendAmend}
            />
          )}
        />
      </div>
      {historyId !== undefined ? <OrderHistoryDrawer orderId={historyId} onClose={closeHistory} /> : null}
      {menu ? <ContextMenu x={menu.x} y={menu.y} items={menuItems(menu)} onClose={() => setMenu(undefined)} /> : null}
    </Panel>
  );
}

/** Every order that passes `q`, from the host a window at a time (CSV export and client-wide actions in remote mode). */
async function allMatching(api: ReturnType<typeof useApi>, q: OrderWindowQuery): Promise<{ ok: true; orders: OrderView[] } | { ok: false; message: string }> {
  const orders: OrderView[] = [];
  for (let offset = 0; ; offset += 2000) {
    const r = await api.getOrderWindow({ ...q, offset, limit: 2000 });
    if (!r.ok) return { ok: false, message: r.error.message };
    orders.push(...r.value.orders);
    if (r.value.orders.length < 2000 || offset + 2000 >= r.value.total) return { ok: true, orders };
  }
}

/** The question before cancelling working orders by id: its buttons say which one cancels and which one keeps. */
export function cancelOrdersConfirm(targets: readonly number[]): ConfirmRequest {
  return {
    title: targets.length === 1 ? `Cancel order #${targets[0]}?` : `Cancel ${formatInt(targets.length)} orders?`,
    body:
      targets.length === 1
        ? 'The cancel is a request: the order stays working until the venue confirms.'
        : `Cancels go out for ${formatInt(targets.length)} working orders; each stays working until the venue confirms.`,
    okLabel: targets.length === 1 ? 'Cancel order' : `Cancel ${formatInt(targets.length)} orders`,
    cancelLabel: targets.length === 1 ? 'Keep order' : 'Keep orders',
    danger: true,
  };
}
