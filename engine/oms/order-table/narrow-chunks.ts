import { SHIFT } from './chunks.ts';
import { FillChunk, FillTable } from './fill-table.ts';
import { OrderChunk, OrderTable, type OrderPrices, type OrderRow } from './order-table.ts';
import type { SeqTs } from './order-row.ts';
import type { OrderType, Side, TimeInForce } from '../../../contract/domain.ts';

/**
 * The time machine's tables with columns left narrow (decision 298): a checkpoint stores an integer column in
 * the smallest type that holds it (decision 175); widening every one back at decode faulted in ~150 MiB of
 * fresh memory at 5 M events (~0.4 s of the kernel zeroing pages on this machine) for chunks that a past state
 * only reads. Here an order or fill chunk keeps its narrow columns (views of the checkpoint's rows: the values
 * read back equal) until something may write to it: the table's cursor (`at`, `seek`), a new order (`addAt`)
 * or a new fill (`push`) widens that chunk first, all its columns at once. Only the time machine's decode
 * makes these (projectionAt); the host's own tables are never narrow, so its hot paths are unchanged.
 *
 * Written outside those paths, and so always widened at decode: an order chunk's `lastSeqLink` (OrderTable's
 * linking of seqs), the seq chains, the id index.
 */

/** Chunks with narrow columns, by index, kept on the table under a symbol (not a field: checkpoint shapes and the serializer ignore it). */
const NARROW = Symbol('narrow chunks');
type Narrowed = { [NARROW]: Set<number> };
type Columns = Record<string, NodeJS.TypedArray>;

/** Order chunk columns written outside the cursor and `addAt`: never left narrow. */
const ALWAYS_WIDE = new Set(['lastSeqLink']);

let orderTypes: Map<string, TypedCtor> | undefined;
let fillTypes: Map<string, TypedCtor> | undefined;
type TypedCtor = new (n: number) => NodeJS.TypedArray;

/** Each column's own type, from a fresh chunk (made once). */
function typesOf(fresh: object): Map<string, TypedCtor> {
  return new Map(Object.entries(fresh as Columns).map(([k, v]) => [k, v.constructor as TypedCtor]));
}

/** Widens chunk `i` of `chunks` if it is narrow (every narrow column replaced by a copy of its own type). */
function widenChunk(pending: Set<number>, chunks: readonly object[], i: number, types: Map<string, TypedCtor>): void {
  if (!pending.delete(i)) return;
  const c = chunks[i] as Columns;
  for (const [k, ctor] of types) {
    const v = c[k]!;
    if (v.constructor === ctor) continue;
    const w = new ctor(v.length);
    w.set(v as ArrayLike<number> as never);
    c[k] = w;
  }
}

const chunksOf = (t: OrderTable | FillTable): object[] => (t as unknown as { chunks: object[] }).chunks;

class NarrowOrderTable extends OrderTable {
  override seek(orderId: number): OrderRow | undefined {
    const r = this.row(orderId);
    if (r >= 0) widenOrders(this, r >>> SHIFT);
    return super.seek(orderId);
  }

  override at(r: number): OrderRow {
    widenOrders(this, r >>> SHIFT);
    return super.at(r);
  }

  override addAt(
    orderId: number, client: number, clientOrderId: string, symbol: string, side: Side, orderType: OrderType, timeInForce: TimeInForce,
    quantity: number, prices: OrderPrices, event: SeqTs,
  ): number {
    widenOrders(this, this.size >>> SHIFT);
    return super.addAt(orderId, client, clientOrderId, symbol, side, orderType, timeInForce, quantity, prices, event);
  }
}

class NarrowFillTable extends FillTable {
  override push(execId: number, orderId: number, quantity: number, price: number, seq: number, ts: number, prev: number): number {
    const p = (this as unknown as Narrowed)[NARROW];
    if (p.size > 0) widenChunk(p, chunksOf(this), this.size >>> SHIFT, (fillTypes ??= typesOf(new FillChunk())));
    return super.push(execId, orderId, quantity, price, seq, ts, prev);
  }
}

function widenOrders(t: OrderTable, i: number): void {
  const p = (t as unknown as Narrowed)[NARROW];
  if (p.size > 0) widenChunk(p, chunksOf(t), i, (orderTypes ??= typesOf(new OrderChunk())));
}

/**
 * Leaves the narrow columns (`narrow`: what the decode left narrow, with their wide types) of `table`'s order
 * and fill chunks narrow, widened on first write (see above), and takes them out of `narrow`; the caller widens
 * the rest. Returns how many columns stay narrow.
 */
export function keepChunksNarrow(table: OrderTable, narrow: Map<NodeJS.TypedArray, unknown>): number {
  let kept = 0;
  const claim = (t: OrderTable | FillTable, proto: object, skip: ReadonlySet<string>) => {
    const pending = new Set<number>();
    chunksOf(t).forEach((c, i) => {
      for (const [k, v] of Object.entries(c as Columns)) {
        if (skip.has(k) || !narrow.delete(v)) continue;
        pending.add(i);
        kept++;
      }
    });
    if (pending.size === 0) return;
    Object.defineProperty(t, NARROW, { value: pending, enumerable: false, configurable: true });
    Object.setPrototypeOf(t, proto);
  };
  claim(table, NarrowOrderTable.prototype, ALWAYS_WIDE);
  claim(table.fills, NarrowFillTable.prototype, new Set());
  return kept;
}

/**
 * Widens every narrow chunk of `t` (an order table or a fill table) and gives it back its own class: what a
 * checkpoint's encoder does before it writes the table (a narrow column would be written as its narrow type).
 * Returns whether it was narrow.
 */
export function widenAll(t: object): boolean {
  const proto = Object.getPrototypeOf(t) as object;
  const orders = proto === NarrowOrderTable.prototype;
  if (!orders && proto !== NarrowFillTable.prototype) return false;
  const pending = (t as Narrowed)[NARROW];
  const chunks = chunksOf(t as OrderTable);
  const types = orders ? (orderTypes ??= typesOf(new OrderChunk())) : (fillTypes ??= typesOf(new FillChunk()));
  for (const i of [...pending]) widenChunk(pending, chunks, i, types);
  delete (t as Partial<Narrowed>)[NARROW];
  Object.setPrototypeOf(t, orders ? OrderTable.prototype : FillTable.prototype);
  if (orders) widenAll((t as OrderTable).fills);
  return true;
}

/** How many chunks of `table` (orders + fills) still have narrow columns (tests, figures). */
export function narrowChunks(table: OrderTable): number {
  const n = (t: object) => (t as Partial<Narrowed>)[NARROW]?.size ?? 0;
  return n(table) + n(table.fills);
}
