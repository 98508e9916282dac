import { useLayoutEffect, useRef } from 'react';
import type { CSSProperties, MouseEvent, ReactNode } from 'react';
import type { ResolvedColumn } from '../lib/columns.ts';
import { whenIdle } from '../lib/idle.ts';
import { TextMeasure } from '../lib/text-fit.ts';
import { sameDeps } from './row-pool-model.ts';
import type { CellModel, PoolItem, RowMouse } from './row-pool-model.ts';
import { ROW_HEIGHT } from './VirtualList.tsx';

export interface PoolRowsProps {
  /** The list's index of the first row in view, and how many rows. */
  start: number;
  count: number;
  /** The grid's columns (fixed ones, drawn elsewhere, are left out). */
  columns: readonly ResolvedColumn[];
  /** Row `k` of the window (list index `start + k`). */
  itemAt(k: number): PoolItem;
  /** Row clicks, by list index (delegated from the rows' container). */
  onClick(index: number, e: RowMouse): void;
  onMenu(index: number, e: RowMouse): void;
  onOpen(index: number): void;
  /** Drawn by React inside the rows' container (the orders' row being amended). */
  children?: ReactNode;
}

/**
 * A grid's rows in view as a fixed pool of row elements, patched in place
 * after each render (decisions 203, 215): a cell whose text did not change
 * is not touched, no row is reconciled by React. Rows and cells are
 * absolutely placed and contained; a cell clips (a clip node) only when its
 * text is wider than the cell. The orders and fills grids both draw their
 * rows through it. Server rendering (tests) draws the same markup with React.
 */
export function PoolRows(p: PoolRowsProps) {
  const rowsRef = useRef<HTMLDivElement>(null);
  const pool = useRef<RowPool | undefined>(undefined);
  // The fonts read so far: kept when the pool is made again (new columns), never read in a frame twice.
  const measure = useRef<TextMeasure | undefined>(undefined);
  const latest = useRef(p);
  latest.current = p;
  const server = typeof document === 'undefined';
  const cols = p.columns.filter((c) => !c.fixed);

  useLayoutEffect(() => {
    if (!rowsRef.current) return;
    if (!pool.current || pool.current.columns !== p.columns) {
      pool.current?.clear();
      pool.current = new RowPool(rowsRef.current, p.columns, (measure.current ??= new TextMeasure()));
    }
    pool.current.patch(latest.current);
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

  const at = (e: MouseEvent): number | undefined => {
    const el = (e.target as Element).closest('[data-slot]');
    const k = el ? Number(el.getAttribute('data-slot')) : NaN;
    return Number.isInteger(k) ? latest.current.start + k : undefined;
  };
  return (
    <div
      ref={mainRef}
      className="pool-main"
      style={{ height: p.count * ROW_HEIGHT }}
      // Shift-click selects rows, not the text between two clicks.
      onMouseDown={(e) => e.shiftKey && e.preventDefault()}
      onClick={(e) => {
        const i = at(e);
        if (i !== undefined) p.onClick(i, e);
      }}
      onContextMenu={(e) => {
        const i = at(e);
        if (i !== undefined) p.onMenu(i, e);
      }}
      onDoubleClick={(e) => {
        const i = at(e);
        if (i !== undefined) p.onOpen(i);
      }}
    >
      <div ref={rowsRef} className="pool-rows">
        {server ? staticRows(p, cols) : null}
      </div>
      {p.children}
    </div>
  );
}

/**
 * Where each cell sits in its row. The growing column (the header's `minmax(w, 1fr)`) takes `--x`, the row's
 * width beyond the columns' sum, which the pool measures; the columns after it move right by as much.
 */
export function cellPlaces(cols: readonly ResolvedColumn[]): CSSProperties[] {
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

/** A cell drawn by React (server rendering, the row being amended): the same markup as the pool writes. */
export function staticCell(c: ResolvedColumn, place: CSSProperties, m: CellModel): ReactNode {
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

/** A row's attributes as React props (`class` as `className`, null left out). */
export function rowProps(attrs: Readonly<Record<string, string | null>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== null) out[k === 'class' ? 'className' : k] = v;
  return out;
}

/** Server rendering (tests, no DOM to patch): the rows as React markup, the same as the pool draws. */
function staticRows(p: PoolRowsProps, cols: readonly ResolvedColumn[]): ReactNode[] {
  const out: ReactNode[] = [];
  const places = cellPlaces(cols);
  for (let k = 0; k < p.count; k++) {
    const it = p.itemAt(k);
    const cells = it.cells;
    out.push(
      <div key={k} {...rowProps(it.attrs)} style={{ top: k * ROW_HEIGHT }} data-slot={k}>
        {cells ? cols.map((c, j) => staticCell(c, places[j]!, cells(c.key))) : null}
      </div>,
    );
  }
  return out;
}

/** Attributes as last written, per element: an attribute is written only when its value changes. */
const written = new WeakMap<Element, Map<string, string | null>>();

/** Sets an attribute (or removes it for null) unless it already has that value. */
export function attr(el: Element, name: string, value: string | null): void {
  let m = written.get(el);
  if (!m) written.set(el, (m = new Map()));
  if (m.has(name) && m.get(name) === value) return;
  m.set(name, value);
  if (value === null) el.removeAttribute(name);
  else el.setAttribute(name, value);
}

function text(node: Text, value: string): void {
  if (node.data !== value) node.data = value;
}

/**
 * The cells' class lists the grids' models give (order-row-model, fill-row-model): their fonts are read
 * when the pool is made, before any row shows, so a stream's first frames on an empty grid do not read
 * them (issue 14, decision 234). A class list not here is read at the first idle moment after it shows.
 */
export const CELL_CLASSES = ['td', 'td num', 'td num dim', 'td num-left dim', 'td sym', 'td dim', 'td dim mono', 'td side-buy', 'td side-sell', 'td reason', 'td waiting-hint'];

/** One row of the pool and what it shows now. */
interface Slot {
  row: HTMLDivElement;
  cells: HTMLSpanElement[];
  /** Each cell's one text node, written through `data` (a new node per write would rebuild its layout object). */
  texts: Text[];
  /** A badge per cell, made the first time a cell shows one. */
  badges: (HTMLSpanElement | undefined)[];
  /** The row's attribute names as last written (a name the next item leaves out is removed). */
  names: string[];
  deps: readonly unknown[] | undefined;
  /** A cell was drawn clipped because its font was not known yet: patched again once it is. */
  unsure: boolean;
}

/** The pool of row elements behind PoolRows: created once per column layout, grown and shrunk with the window, patched in place. */
class RowPool {
  private slots: Slot[] = [];
  private readonly cols: ResolvedColumn[];
  /** Class lists met in a frame whose font is not known: read at the next idle moment. */
  private readonly unknown = new Set<string>();
  private last: PoolRowsProps | undefined;
  private cancelIdle: (() => void) | undefined;
  private cleared = false;

  constructor(
    private readonly rowsEl: HTMLDivElement,
    readonly columns: readonly ResolvedColumn[],
    private readonly measure: TextMeasure,
  ) {
    this.cols = columns.filter((c) => !c.fixed);
    for (const c of CELL_CLASSES) if (!measure.knows(c)) this.unknown.add(c);
    this.readFontsWhenIdle();
  }

  clear(): void {
    for (const s of this.slots) s.row.remove();
    this.slots = [];
    this.cleared = true;
    this.cancelIdle?.();
  }

  /** Reads the unknown fonts at an idle moment, then patches again the rows drawn without them. */
  private readFontsWhenIdle(): void {
    if (this.cancelIdle || this.unknown.size === 0) return;
    this.cancelIdle = whenIdle(() => {
      this.cancelIdle = undefined;
      if (this.cleared || !this.rowsEl.isConnected) return;
      this.measure.learn(this.rowsEl, this.unknown);
      this.unknown.clear();
      let again = false;
      for (const s of this.slots)
        if (s.unsure) {
          s.deps = undefined;
          again = true;
        }
      if (again && this.last) this.patch(this.last);
    });
  }

  private make(k: number): Slot {
    const row = document.createElement('div');
    row.style.top = `${k * ROW_HEIGHT}px`;
    row.setAttribute('data-slot', String(k));
    const cells: HTMLSpanElement[] = [];
    const texts: Text[] = [];
    const places = cellPlaces(this.cols);
    for (let j = 0; j < this.cols.length; j++) {
      const cell = document.createElement('span');
      cell.setAttribute('data-col', this.cols[j]!.key);
      cell.style.left = String(places[j]!.left);
      cell.style.width = String(places[j]!.width);
      const t = document.createTextNode('');
      cell.appendChild(t);
      row.appendChild(cell);
      cells.push(cell);
      texts.push(t);
    }
    this.rowsEl.appendChild(row);
    return { row, cells, texts, badges: cells.map(() => undefined), names: [], deps: undefined, unsure: false };
  }

  patch(p: PoolRowsProps): void {
    this.last = p;
    while (this.slots.length < p.count) this.slots.push(this.make(this.slots.length));
    while (this.slots.length > p.count) this.slots.pop()!.row.remove();
    for (let k = 0; k < this.slots.length; k++) {
      const s = this.slots[k]!;
      const it = p.itemAt(k);
      for (const n of s.names) if (!(n in it.attrs)) attr(s.row, n, null);
      const names = Object.keys(it.attrs);
      for (const n of names) attr(s.row, n, it.attrs[n]!);
      s.names = names;
      const cells = it.cells;
      if (!cells) {
        if (s.deps !== undefined) {
          for (let j = 0; j < s.cells.length; j++) this.cell(s, j, { cls: '', text: '' });
          s.deps = undefined;
        }
        continue;
      }
      if (it.deps !== undefined && sameDeps(s.deps, it.deps)) continue;
      s.deps = it.deps ?? [];
      s.unsure = false;
      for (let j = 0; j < this.cols.length; j++) this.cell(s, j, cells(this.cols[j]!.key));
    }
    this.readFontsWhenIdle();
  }

  private cell(s: Slot, j: number, m: CellModel): void {
    const c = this.cols[j]!;
    const cell = s.cells[j]!;
    const b = m.badge;
    let badge = s.badges[j];
    if (b && !badge) {
      badge = s.badges[j] = document.createElement('span');
      badge.appendChild(document.createTextNode(''));
      cell.appendChild(badge);
    }
    let cls = m.cls === '' ? 'td' : `td ${m.cls}`;
    let clipped: boolean;
    if (badge) {
      attr(badge, 'class', b ? b.cls : 'hidden');
      attr(badge, 'data-testid', b ? b.testid : null);
      attr(badge, 'data-state', b ? b.state : null);
      attr(badge, 'data-parked', b?.parked ? 'true' : null);
      attr(badge, 'title', b ? b.title : null);
      text(badge.firstChild as Text, b ? b.text : '');
    }
    if (b) {
      text(s.texts[j]!, '');
      // A badge is at least 58 px wide: a column narrowed below it clips.
      clipped = c.width < 70;
    } else {
      text(s.texts[j]!, m.text);
      // A font not read yet: clipped for now (an ellipsis only if the text overflows), patched again once read.
      const fits = m.text === '' ? true : this.measure.fitsKnown(cls, m.text, c.width - 10);
      if (fits === undefined) {
        this.unknown.add(cls);
        s.unsure = true;
      }
      clipped = fits !== true;
    }
    if (clipped) cls += ' clip';
    attr(cell, 'class', cls);
    // A value's tooltip where the cell cuts it, or where it says more than the cell (time, symbol, reason).
    attr(cell, 'title', m.title !== undefined && (clipped || m.titleAlways === true) ? m.title : null);
    attr(cell, 'data-testid', m.testid ?? null);
  }
}
