import { useLayoutEffect, useRef } from 'react';
import type { CSSProperties, KeyboardEvent, MouseEvent, ReactNode } from 'react';
import type { OrderView } from '../../contract/api.ts';
import type { ResolvedColumn } from '../lib/columns.ts';
import { actionsClass, orderActions, orderCellModel, orderRowClass } from './order-row-model.ts';
import type { CellModel, RowFlags } from './order-row-model.ts';
import type { Amend } from './order-row-model.ts';
import { TextMeasure } from '../lib/text-fit.ts';
import { ROW_HEIGHT } from './VirtualList.tsx';

/** What the pool asks of the blotter for row `i` of the list: its order (undefined: not loaded yet) and how it stands out. */
export interface PoolRow {
  id: number | undefined;
  order: OrderView | undefined;
  flags: RowFlags;
  decimals: number;
}

/** The mouse event fields a row action reads (a React event and a DOM event both have them). */
export interface RowMouse {
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  clientX: number;
  clientY: number;
  preventDefault(): void;
}

export interface PoolProps {
  start: number;
  count: number;
  columns: readonly ResolvedColumn[];
  rowAt(i: number): PoolRow;
  readOnly: boolean;
  canAct: boolean;
  /** The order being amended (its row is drawn by React: its inputs keep their focus as the row moves). */
  amend: Amend | undefined;
  onClick(orderId: number, e: RowMouse): void;
  onMenu(orderId: number, e: RowMouse): void;
  onOpen(orderId: number): void;
  onCancel(orderId: number): void;
  onAmend(order: OrderView): void;
  onAmendChange(a: Amend | undefined): void;
  onAmendSend(): void;
}

/**
 * The orders grid's rows in view (decision 203). In the browser they are a
 * fixed pool of row elements, patched in place after each render: a cell
 * whose text did not change is not touched, no row is reconciled by React.
 * Under a stream every row in view shows another order ten times a second,
 * and reconciling 16–25 rows of 16 cells, a CSS grid per row and a sticky
 * actions cell per row made the frame that draws them 17–20 ms of CPU. Rows
 * lay out as a flex line of fixed-width cells; a cell clips (and so costs a
 * clip node) only when its text is wider than the cell; the actions of all
 * rows are one sticky strip at the right edge. Server rendering (tests) draws
 * the same markup with React.
 */
export function OrderPool(p: PoolProps) {
  const rowsRef = useRef<HTMLDivElement>(null);
  const actsRef = useRef<HTMLDivElement>(null);
  const pool = useRef<RowPool | undefined>(undefined);
  const latest = useRef(p);
  latest.current = p;
  const server = typeof document === 'undefined';
  const cols = p.columns.filter((c) => !c.fixed);

  // The row being amended: where it is in the window (React draws it there).
  let amendAt = -1;
  let amendRow: PoolRow | undefined;
  if (p.amend) {
    for (let k = 0; k < p.count; k++) {
      const r = p.rowAt(p.start + k);
      if (r.id === p.amend.orderId && r.order && r.flags.amending) {
        amendAt = k;
        amendRow = r;
        break;
      }
    }
  }

  useLayoutEffect(() => {
    if (!rowsRef.current || !actsRef.current) return;
    if (!pool.current || pool.current.columns !== p.columns) {
      pool.current?.clear();
      pool.current = new RowPool(rowsRef.current, actsRef.current, p.columns);
    }
    pool.current.patch(latest.current, amendAt);
  });
  useLayoutEffect(() => () => pool.current?.clear(), []);
  // The row's width beyond the columns' sum goes to the growing column (as the header's grid gives it).
  const mainRef = useRef<HTMLDivElement>(null);
  const fixedSum = cols.reduce((a, c) => a + c.width, 0);
  useLayoutEffect(() => {
    const el = mainRef.current;
    if (!el) return;
    const set = (): void => el.style.setProperty('--x', `${Math.max(0, el.clientWidth - fixedSum)}px`);
    set();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(set);
    ro.observe(el);
    return () => ro.disconnect();
  }, [fixedSum]);

  const rowFromTarget = (e: MouseEvent): number | undefined => {
    const el = (e.target as Element).closest('[data-order-id]');
    const id = el ? Number(el.getAttribute('data-order-id')) : NaN;
    return Number.isFinite(id) ? id : undefined;
  };
  const onActs = (e: MouseEvent): void => {
    const b = (e.target as Element).closest('button[data-act]');
    const id = rowFromTarget(e);
    if (!b || id === undefined || (b as HTMLButtonElement).disabled) return;
    if (b.getAttribute('data-act') === 'cancel') latest.current.onCancel(id);
    else {
      const o = latest.current.rowAt(latest.current.start + Number(b.closest('[data-slot]')?.getAttribute('data-slot') ?? -1)).order;
      if (o && o.orderId === id) latest.current.onAmend(o);
    }
  };
  const height: CSSProperties = { height: p.count * ROW_HEIGHT };
  const side: CSSProperties = { height: p.count * ROW_HEIGHT, width: p.columns.find((c) => c.fixed)?.width ?? 0 };

  return (
    <>
      <div
        ref={mainRef}
        className="pool-main"
        style={height}
        // Shift-click selects rows, not the text between two clicks.
        onMouseDown={(e) => e.shiftKey && e.preventDefault()}
        onClick={(e) => {
          const id = rowFromTarget(e);
          if (id !== undefined) p.onClick(id, e);
        }}
        onContextMenu={(e) => {
          const id = rowFromTarget(e);
          if (id !== undefined) p.onMenu(id, e);
        }}
        onDoubleClick={(e) => {
          const id = rowFromTarget(e);
          if (id !== undefined) p.onOpen(id);
        }}
      >
        <div ref={rowsRef} className="pool-rows">
          {server ? staticRows(p, cols) : null}
        </div>
        {amendRow && p.amend ? <AmendRow row={amendRow} at={amendAt} cols={cols} amend={p.amend} onAmendChange={p.onAmendChange} onAmendSend={p.onAmendSend} /> : null}
      </div>
      <div className="pool-side" style={side} onClick={onActs}>
        <div ref={actsRef} className="pool-acts">
          {server ? staticActions(p) : null}
        </div>
        {amendRow && p.amend ? (
          <span className={actionsClass(amendRow.flags)} style={{ top: amendAt * ROW_HEIGHT }} data-order-id={p.amend.orderId} onClick={(e) => e.stopPropagation()}>
            <button type="button" className="btn btn-xs btn-primary" data-testid={`amend-submit-${p.amend.orderId}`} disabled={p.amend.sending || !p.canAct} onClick={p.onAmendSend}>
              Send
            </button>
            <button type="button" className="btn btn-xs" data-testid={`amend-dismiss-${p.amend.orderId}`} onClick={() => p.onAmendChange(undefined)}>
              ✕
            </button>
          </span>
        ) : null}
      </div>
    </>
  );
}

/**
 * Where each cell sits in its row: cells are absolutely placed and contained (a changed value lays out its
 * own cell, not its row). The growing column (the header's `minmax(w, 1fr)`) takes `--x`, the row's width
 * beyond the columns' sum, which the pool measures; the columns after it move right by as much.
 */
function cellPlaces(cols: readonly ResolvedColumn[]): CSSProperties[] {
  let left = 0;
  let grown = false;
  return cols.map((c) => {
    const place: CSSProperties = {
      left: grown ? `calc(${left}px + var(--x, 0px))` : `${left}px`,
      width: c.grow ? `calc(${c.width}px + var(--x, 0px))` : `${c.width}px`,
    };
    left += c.width;
    if (c.grow) grown = true;
    return place;
  });
}

/** The row being amended, drawn by React at its place: its two inputs keep their text and focus while the row moves. */
function AmendRow({ row, at, cols, amend, onAmendChange, onAmendSend }: { row: PoolRow; at: number; cols: readonly ResolvedColumn[]; amend: Amend; onAmendChange(a: Amend | undefined): void; onAmendSend(): void }) {
  const o = row.order!;
  const id = o.orderId;
  const keys = (e: KeyboardEvent): void => {
    e.stopPropagation();
    if (e.key === 'Enter') {
      e.preventDefault();
      onAmendSend();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      onAmendChange(undefined);
    }
  };
  const places = cellPlaces(cols);
  const input = (field: 'quantity' | 'price', col: string, place: CSSProperties, first: boolean) => (
    <span key={col} className="td td-input" data-col={col} style={place}>
      <input
        className="input input-cell num"
        data-testid={`amend-${col}-${id}`}
        value={amend[field]}
        autoFocus={first}
        onFocus={first ? (e) => e.currentTarget.select() : undefined}
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => onAmendChange({ ...amend, [field]: e.currentTarget.value, error: undefined })}
        onKeyDown={keys}
      />
    </span>
  );
  return (
    <div className={orderRowClass(o, row.flags)} style={{ top: at * ROW_HEIGHT }} data-testid={`order-row-${id}`} data-state={o.state} data-selected={row.flags.selected} data-waiting={row.flags.waiting} data-order-id={id}>
      {cols.map((c, j) => (c.key === 'qty' ? input('quantity', 'qty', places[j]!, true) : c.key === 'price' ? input('price', 'price', places[j]!, false) : staticCell(c, places[j]!, orderCellModel(c.key, o, row.decimals, row.flags.waiting))))}
    </div>
  );
}

function staticCell(c: ResolvedColumn, place: CSSProperties, m: CellModel): ReactNode {
  const b = m.badge;
  return (
    <span key={c.key} className={m.cls === '' ? 'td' : `td ${m.cls}`} data-col={c.key} data-testid={m.testid} title={m.title} style={place}>
      {b ? (
        <span className={b.cls} data-testid={b.testid} data-state={b.state} data-parked={b.parked ? 'true' : undefined} title={b.title}>
          {b.text}
        </span>
      ) : (
        m.text
      )}
    </span>
  );
}

/** Server rendering (tests, no DOM to patch): the rows as React markup, the same as the pool draws. */
function staticRows(p: PoolProps, cols: readonly ResolvedColumn[]): ReactNode[] {
  const out: ReactNode[] = [];
  const places = cellPlaces(cols);
  for (let k = 0; k < p.count; k++) {
    const r = p.rowAt(p.start + k);
    const o = r.order;
    if (r.id === undefined || !o) {
      out.push(<div key={k} className={`tr loading${r.flags.striped ? ' odd' : ''}`} style={{ top: k * ROW_HEIGHT }} data-testid="order-row-loading" />);
      continue;
    }
    out.push(
      <div key={k} className={orderRowClass(o, r.flags)} style={{ top: k * ROW_HEIGHT }} data-testid={`order-row-${o.orderId}`} data-state={o.state} data-selected={r.flags.selected} data-waiting={r.flags.waiting} data-order-id={o.orderId}>
        {cols.map((c, j) => staticCell(c, places[j]!, orderCellModel(c.key, o, r.decimals, r.flags.waiting)))}
      </div>,
    );
  }
  return out;
}

function staticActions(p: PoolProps): ReactNode[] {
  const out: ReactNode[] = [];
  const why = p.canAct ? undefined : 'Disconnected from the host';
  for (let k = 0; k < p.count; k++) {
    const r = p.rowAt(p.start + k);
    const o = r.order;
    const a = o ? orderActions(o, p.readOnly) : { cancel: false, amend: false };
    out.push(
      <span key={k} className={actionsClass(r.flags)} style={{ top: k * ROW_HEIGHT }} data-col="actions" data-slot={k} data-order-id={o?.orderId}>
        {o && a.cancel ? (
          <button type="button" className="btn btn-xs btn-danger-outline" data-act="cancel" data-testid={`order-cancel-${o.orderId}`} disabled={!p.canAct} title={why ?? `Cancel #${o.orderId}`}>
            Cancel
          </button>
        ) : null}
        {o && a.amend ? (
          <button type="button" className="btn btn-xs" data-act="amend" data-testid={`order-amend-${o.orderId}`} disabled={!p.canAct} title={why ?? `Amend #${o.orderId}`}>
            Amend
          </button>
        ) : null}
      </span>,
    );
  }
  return out;
}

/** One row of the pool and what it shows now (compared before any write). */
interface Slot {
  row: HTMLDivElement;
  cells: HTMLSpanElement[];
  /** Each cell's one text node, written through \`data\` (a new node per write would rebuild its layout object). */
  texts: Text[];
  badge: HTMLSpanElement | undefined;
  badgeText: Text;
  act: HTMLSpanElement;
  cancel: HTMLButtonElement;
  amend: HTMLButtonElement;
  shown: { order: OrderView | undefined; decimals: number; waiting: string | undefined };
  attrs: Map<Element, Map<string, string | null>>;
}

/** Sets an attribute (or removes it for null) unless it already has that value. */
function attr(s: Slot, el: Element, name: string, value: string | null): void {
  let m = s.attrs.get(el);
  if (!m) s.attrs.set(el, (m = new Map()));
  if (m.has(name) && m.get(name) === value) return;
  m.set(name, value);
  if (value === null) el.removeAttribute(name);
  else el.setAttribute(name, value);
}

function text(node: Text, value: string): void {
  if (node.data !== value) node.data = value;
}

/**
 * The pool of row elements behind OrderPool: created once per column
 * layout, grown and shrunk with the window, patched in place.
 */
class RowPool {
  private slots: Slot[] = [];
  private readonly cols: ResolvedColumn[];
  private readonly measure = new TextMeasure();

  constructor(
    private readonly rowsEl: HTMLDivElement,
    private readonly actsEl: HTMLDivElement,
    readonly columns: readonly ResolvedColumn[],
  ) {
    this.cols = columns.filter((c) => !c.fixed);
  }

  clear(): void {
    for (const s of this.slots) {
      s.row.remove();
      s.act.remove();
    }
    this.slots = [];
  }

  private make(k: number): Slot {
    const row = document.createElement('div');
    row.style.top = `${k * ROW_HEIGHT}px`;
    const cells: HTMLSpanElement[] = [];
    const texts: Text[] = [];
    let badge: HTMLSpanElement | undefined;
    const badgeText = document.createTextNode('');
    const places = cellPlaces(this.cols);
    for (let j = 0; j < this.cols.length; j++) {
      const c = this.cols[j]!;
      const cell = document.createElement('span');
      cell.setAttribute('data-col', c.key);
      cell.style.left = String(places[j]!.left);
      cell.style.width = String(places[j]!.width);
      const t = document.createTextNode('');
      if (c.key === 'state') {
        badge = document.createElement('span');
        badge.appendChild(badgeText);
        cell.appendChild(badge);
      } else cell.appendChild(t);
      row.appendChild(cell);
      cells.push(cell);
      texts.push(t);
    }
    const act = document.createElement('span');
    act.style.top = `${k * ROW_HEIGHT}px`;
    act.setAttribute('data-col', 'actions');
    act.setAttribute('data-slot', String(k));
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'btn btn-xs btn-danger-outline';
    cancel.setAttribute('data-act', 'cancel');
    cancel.textContent = 'Cancel';
    const amend = document.createElement('button');
    amend.type = 'button';
    amend.className = 'btn btn-xs';
    amend.setAttribute('data-act', 'amend');
    amend.textContent = 'Amend';
    act.append(cancel, amend);
    this.rowsEl.appendChild(row);
    this.actsEl.appendChild(act);
    return { row, cells, texts, badge, badgeText, act, cancel, amend, shown: { order: undefined, decimals: -1, waiting: undefined }, attrs: new Map() };
  }

  patch(p: PoolProps, amendAt: number): void {
    while (this.slots.length < p.count) this.slots.push(this.make(this.slots.length));
    while (this.slots.length > p.count) {
      const s = this.slots.pop()!;
      s.row.remove();
      s.act.remove();
    }
    const why = p.canAct ? null : 'Disconnected from the host';
    for (let k = 0; k < this.slots.length; k++) {
      const s = this.slots[k]!;
      const r = p.rowAt(p.start + k);
      const o = r.id === undefined || k === amendAt ? undefined : r.order;
      if (!o) {
        // Not loaded yet (a placeholder keeps the rows below in place), or drawn by React (being amended).
        attr(s, s.row, 'class', k === amendAt ? 'tr hidden' : `tr loading${r.flags.striped ? ' odd' : ''}`);
        attr(s, s.row, 'data-testid', k === amendAt ? null : 'order-row-loading');
        for (const n of ['data-state', 'data-selected', 'data-waiting', 'data-order-id']) attr(s, s.row, n, null);
        if (s.shown.order !== undefined) {
          for (let j = 0; j < s.cells.length; j++) {
            const cell = s.cells[j]!;
            attr(s, cell, 'class', 'td');
            attr(s, cell, 'title', null);
            attr(s, cell, 'data-testid', null);
            if (cell === s.badge?.parentElement) {
              attr(s, s.badge, 'class', 'hidden');
              for (const n of ['data-testid', 'data-state', 'data-parked', 'title']) attr(s, s.badge, n, null);
              text(s.badgeText, '');
            } else text(s.texts[j]!, '');
          }
          s.shown = { order: undefined, decimals: -1, waiting: undefined };
        }
        attr(s, s.act, 'class', k === amendAt ? 'td actions hidden' : actionsClass(r.flags));
        attr(s, s.act, 'data-order-id', null);
        this.button(s, s.cancel, undefined, why);
        this.button(s, s.amend, undefined, why);
        continue;
      }
      const id = String(o.orderId);
      attr(s, s.row, 'class', orderRowClass(o, r.flags));
      attr(s, s.row, 'data-testid', `order-row-${id}`);
      attr(s, s.row, 'data-state', o.state);
      attr(s, s.row, 'data-selected', String(r.flags.selected));
      attr(s, s.row, 'data-waiting', r.flags.waiting ?? null);
      attr(s, s.row, 'data-order-id', id);
      // The cells change only with the order (orders are replaced, never mutated), its tick size or its hint.
      if (s.shown.order !== o || s.shown.decimals !== r.decimals || s.shown.waiting !== r.flags.waiting) {
        s.shown = { order: o, decimals: r.decimals, waiting: r.flags.waiting };
        for (let j = 0; j < this.cols.length; j++) this.cell(s, j, this.cols[j]!, orderCellModel(this.cols[j]!.key, o, r.decimals, r.flags.waiting));
      }
      attr(s, s.act, 'class', actionsClass(r.flags));
      attr(s, s.act, 'data-order-id', id);
      const a = orderActions(o, p.readOnly);
      this.button(s, s.cancel, a.cancel ? { testid: `order-cancel-${id}`, title: `Cancel #${id}` } : undefined, why, p.canAct);
      this.button(s, s.amend, a.amend ? { testid: `order-amend-${id}`, title: `Amend #${id}` } : undefined, why, p.canAct);
    }
  }

  private button(s: Slot, b: HTMLButtonElement, show: { testid: string; title: string } | undefined, why: string | null, canAct = false): void {
    // A hidden button has no test id: a finished order has no Cancel, as before.
    attr(s, b, 'hidden', show ? null : '');
    attr(s, b, 'data-testid', show ? show.testid : null);
    attr(s, b, 'title', show ? (why ?? show.title) : null);
    attr(s, b, 'disabled', show && canAct ? null : '');
  }

  private cell(s: Slot, j: number, c: ResolvedColumn, m: CellModel): void {
    const cell = s.cells[j]!;
    const b = m.badge;
    let cls = m.cls === '' ? 'td' : `td ${m.cls}`;
    let clipped = false;
    if (b && s.badge) {
      attr(s, s.badge, 'class', b.cls);
      attr(s, s.badge, 'data-testid', b.testid);
      attr(s, s.badge, 'data-state', b.state);
      attr(s, s.badge, 'data-parked', b.parked ? 'true' : null);
      attr(s, s.badge, 'title', b.title);
      text(s.badgeText, b.text);
      // A badge is at least 58 px wide: a column narrowed below it clips.
      clipped = c.width < 70;
    } else {
      text(s.texts[j]!, m.text);
      clipped = m.text !== '' && !this.measure.fits(this.rowsEl, cls, m.text, c.width - 10);
    }
    if (clipped) cls += ' clip';
    attr(s, cell, 'class', cls);
    // A value's tooltip where the cell cuts it, or where it says more than the cell (time, symbol, reason).
    attr(s, cell, 'title', m.title !== undefined && (clipped || m.titleAlways === true) ? m.title : null);
    attr(s, cell, 'data-testid', m.testid ?? null);
  }
}
