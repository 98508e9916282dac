import { useLayoutEffect, useRef } from 'react';
import type { CSSProperties, KeyboardEvent, MouseEvent, ReactNode } from 'react';
import type { OrderView } from '../../contract/api.ts';
import type { ResolvedColumn } from '../lib/columns.ts';
import { actionsClass, orderActions, orderCellModel, orderItem, orderRowClass } from './order-row-model.ts';
import type { Amend, PoolRow } from './order-row-model.ts';
import type { RowMouse } from './row-pool-model.ts';
import { attr, cellPlaces, PoolRows, staticCell } from './RowPool.tsx';
import { ROW_HEIGHT } from './VirtualList.tsx';

export type { PoolRow } from './order-row-model.ts';
export type { RowMouse } from './row-pool-model.ts';

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
 * The orders grid's rows in view (decision 203): the rows are the shared pool
 * (PoolRows, decision 215), patched in place after each render; the actions
 * of all rows (Cancel, Amend) are one sticky strip at the right edge (a
 * sticky cell per row was a sticky node each in every frame's paint), its
 * buttons patched in place too and their clicks delegated by order id. The
 * row being amended is drawn by React at its slot: its inputs keep their
 * text and focus while new orders push it down.
 */
export function OrderPool(p: PoolProps) {
  const actsRef = useRef<HTMLDivElement>(null);
  const strip = useRef<ActionsStrip | undefined>(undefined);
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

  // Runs after PoolRows' own patch (a child's layout effects run first).
  useLayoutEffect(() => {
    if (!actsRef.current) return;
    strip.current ??= new ActionsStrip(actsRef.current);
    strip.current.patch(latest.current, amendAt);
  });
  useLayoutEffect(() => () => strip.current?.clear(), []);

  const idAt = (i: number): number | undefined => latest.current.rowAt(i).id;
  const onActs = (e: MouseEvent): void => {
    const b = (e.target as Element).closest('button[data-act]');
    const el = (e.target as Element).closest('[data-order-id]');
    const id = el ? Number(el.getAttribute('data-order-id')) : NaN;
    if (!b || !Number.isFinite(id) || (b as HTMLButtonElement).disabled) return;
    if (b.getAttribute('data-act') === 'cancel') latest.current.onCancel(id);
    else {
      const o = latest.current.rowAt(latest.current.start + Number(b.closest('[data-slot]')?.getAttribute('data-slot') ?? -1)).order;
      if (o && o.orderId === id) latest.current.onAmend(o);
    }
  };
  const side: CSSProperties = { height: p.count * ROW_HEIGHT, width: p.columns.find((c) => c.fixed)?.width ?? 0 };

  return (
    <>
      <PoolRows
        start={p.start}
        count={p.count}
        columns={p.columns}
        itemAt={(k) => orderItem(p.rowAt(p.start + k), k === amendAt)}
        onClick={(i, e) => {
          const id = idAt(i);
          if (id !== undefined) p.onClick(id, e);
        }}
        onMenu={(i, e) => {
          const id = idAt(i);
          if (id !== undefined) p.onMenu(id, e);
        }}
        onOpen={(i) => {
          const id = idAt(i);
          if (id !== undefined) p.onOpen(id);
        }}
      >
        {amendRow && p.amend ? <AmendRow row={amendRow} at={amendAt} cols={cols} amend={p.amend} onAmendChange={p.onAmendChange} onAmendSend={p.onAmendSend} /> : null}
      </PoolRows>
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
    <div className={orderRowClass(o, row.flags)} style={{ top: at * ROW_HEIGHT }} data-testid={`order-row-${id}`} data-state={o.state} data-selected={row.flags.selected} data-waiting={row.flags.waiting} data-order-id={id} data-slot={at}>
      {cols.map((c, j) => (c.key === 'qty' ? input('quantity', 'qty', places[j]!, true) : c.key === 'price' ? input('price', 'price', places[j]!, false) : staticCell(c, places[j]!, orderCellModel(c.key, o, row.decimals, row.flags.waiting))))}
    </div>
  );
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

/** One slot of the actions strip: its cell and two buttons. */
interface ActSlot {
  act: HTMLSpanElement;
  cancel: HTMLButtonElement;
  amend: HTMLButtonElement;
}

function button(label: string, cls: string, act: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.setAttribute('data-act', act);
  b.textContent = label;
  return b;
}

/** The actions strip's elements, one per row in view, grown and shrunk with the window and patched in place. */
class ActionsStrip {
  private slots: ActSlot[] = [];

  constructor(private readonly el: HTMLDivElement) {}

  clear(): void {
    for (const s of this.slots) s.act.remove();
    this.slots = [];
  }

  private make(k: number): ActSlot {
    const act = document.createElement('span');
    act.style.top = `${k * ROW_HEIGHT}px`;
    act.setAttribute('data-col', 'actions');
    act.setAttribute('data-slot', String(k));
    const cancel = button('Cancel', 'btn btn-xs btn-danger-outline', 'cancel');
    const amend = button('Amend', 'btn btn-xs', 'amend');
    act.append(cancel, amend);
    this.el.appendChild(act);
    return { act, cancel, amend };
  }

  patch(p: PoolProps, amendAt: number): void {
    while (this.slots.length < p.count) this.slots.push(this.make(this.slots.length));
    while (this.slots.length > p.count) this.slots.pop()!.act.remove();
    const why = p.canAct ? null : 'Disconnected from the host';
    for (let k = 0; k < this.slots.length; k++) {
      const s = this.slots[k]!;
      const r = p.rowAt(p.start + k);
      const o = r.id === undefined || k === amendAt ? undefined : r.order;
      attr(s.act, 'class', k === amendAt ? 'td actions hidden' : actionsClass(r.flags));
      attr(s.act, 'data-order-id', o ? String(o.orderId) : null);
      const a = o ? orderActions(o, p.readOnly) : { cancel: false, amend: false };
      const id = o ? String(o.orderId) : '';
      this.button(s.cancel, a.cancel ? { testid: `order-cancel-${id}`, title: `Cancel #${id}` } : undefined, why, p.canAct);
      this.button(s.amend, a.amend ? { testid: `order-amend-${id}`, title: `Amend #${id}` } : undefined, why, p.canAct);
    }
  }

  private button(b: HTMLButtonElement, show: { testid: string; title: string } | undefined, why: string | null, canAct: boolean): void {
    // A hidden button has no test id: a finished order has no Cancel, as before.
    attr(b, 'hidden', show ? null : '');
    attr(b, 'data-testid', show ? show.testid : null);
    attr(b, 'title', show ? (why ?? show.title) : null);
    attr(b, 'disabled', show && canAct ? null : '');
  }
}
