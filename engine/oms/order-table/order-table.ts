import type { OrderType, Side, TimeInForce } from '../../../contract/domain.ts';
import { ORDER_STAGES, type OrderStage } from '../../protocol/events.ts';
import type { OriginalTerms } from '../projection-types.ts';
import { BytePool } from './byte-pool.ts';
import { AHEAD, MASK, NIL, SHIFT } from './chunks.ts';
import { isTerminalCode, LIMIT, OTHER_STATE, PENDING, sideCode, timeInForceCode, orderTypeCode, type StateCode } from './codes.ts';
import { FillTable } from './fill-table.ts';
import { IdIndex } from './id-index.ts';
import { NameTable } from './names.ts';
import { CANCEL_PENDING, NO_VENUE, OrderChunk, REPLACE_PENDING } from './order-chunk.ts';
import { OrderRow, type SeqTs } from './order-row.ts';
import { SeqChains } from './seq-chains.ts';

export { OrderChunk } from './order-chunk.ts';
export { OrderRow } from './order-row.ts';

/**
 * An order's replaces: the terms it was entered with, the clientOrderIds it
 * had before each confirmed replace (oldest first: the FIX OrigClOrdID chain),
 * the current one, and the one of the replace in flight ('' for none).
 */
export interface ReplaceHistory {
  readonly first: OriginalTerms;
  readonly chain: string[];
  current: string;
  pendingCoid: string;
  /** The replace in flight's terms (meaningful while pendingCoid is set): a gateway taking over resends it. */
  pendingQuantity?: number;
  pendingPrice?: number;
}

/** A new order's limit price (0 for a market order) and the price its open notional is valued at (OrderTable.addAt). */
export interface OrderPrices {
  readonly price: number;
  readonly valuation: number;
}

/**
 * One session's orders and fills, stored for a fast replay: one column per
 * field in typed arrays of CHUNK rows; symbols, venues, sides, types and times
 * in force as codes in a NameTable; clientOrderIds as ASCII bytes in a
 * BytePool; each order's event seqs in shared SeqChains. Replaying millions of
 * orders then leaves no JavaScript object behind per order or per change, so
 * the garbage collector has next to nothing to copy, trace or compact.
 *
 * An order is named by its row (its rank of first appearance, 0-based); find
 * it with `row(orderId)`. Every field has a named getter by row, for readers
 * (views, the state hash) that visit many orders once each. Changes go through
 * the table's cursor (`seek(orderId)` / `at(row)`, an OrderRow): applying an
 * event touches many fields of one order, and the cursor finds the row's chunk
 * once for all of them. This class knows how orders are stored, not what may
 * happen to them (that is OmsProjection's job). Accessors are small
 * monomorphic methods that allocate nothing, so the JIT inlines them on the
 * replay path.
 */
export class OrderTable {
  private count = 0;
  private readonly chunks: OrderChunk[] = [];
  private readonly ids: IdIndex;
  private readonly names = new NameTable();
  private readonly coid = new BytePool();
  /** Non-ASCII clientOrderIds, by row. */
  private readonly otherCoid = new Map<number, string>();
  /** Names of OTHER_STATE states, by row. */
  private readonly otherState = new Map<number, string>();
  /** `REASON_NAME: text` of rejected orders, by row. */
  private readonly rejectReasons = new Map<number, string>();
  /** Entry times of orders carried from an earlier session (µs), by row: few orders have one. */
  private readonly entered = new Map<number, number>();
  /** gtd expiry times (µs since the epoch), by row: few orders have one. */
  private readonly expiries = new Map<number, number>();
  /** Orders with a replace requested or done, by row (few have one). */
  private readonly replaces = new Map<number, ReplaceHistory>();
  private readonly seqs = new SeqChains();
  /** The session's fills in log order. */
  readonly fills = new FillTable();
  /** The cursors for changing rows, one per chunk (see OrderRow). */
  private readonly cursors: OrderRow[] = [];

  /** @param orderIdBase the session's first orderId: ids from there on are indexed densely. */
  constructor(orderIdBase: number) {
    this.ids = new IdIndex(orderIdBase);
  }

  /** How many orders the table holds (rows 0 … size - 1). */
  get size(): number {
    return this.count;
  }

  /** The row of `orderId`, or -1. */
  row(orderId: number): number {
    return this.ids.get(orderId);
  }

  /** The table's cursor on the order `orderId` (see OrderRow: valid until the next seek/at), or undefined. */
  seek(orderId: number): OrderRow | undefined {
    const r = this.ids.get(orderId);
    return r < 0 ? undefined : this.cursors[r >>> SHIFT]!.moveTo(r);
  }

  /** The table's cursor on row `r` (0 <= r < size; see OrderRow: valid until the next seek/at). */
  at(r: number): OrderRow {
    return this.cursors[r >>> SHIFT]!.moveTo(r);
  }

  /** How many orderIds the sparse part of the id index holds (for tests). */
  get sparseIds(): number {
    return this.ids.sparseCount;
  }

  /**
   * A new order (its id must not be in the table yet) in state pending, with
   * nothing filled, no venue, and `seq` as its first event. Returns its row.
   */
  add(
    orderId: number, client: number, clientOrderId: string, symbol: string, side: Side, orderType: OrderType, timeInForce: TimeInForce,
    quantity: number, price: number, valuationPrice: number, seq: number, ts: number,
  ): number {
    return this.addAt(orderId, client, clientOrderId, symbol, side, orderType, timeInForce, quantity, { price, valuation: valuationPrice }, { seq, ts });
  }

  /**
   * add(…, prices.price, prices.valuation, event.seq, event.ts), given the event itself and the prices in an object
   * (the projection's handlers): V8 does not inline this method, and a double argument (the event's ts, an order's
   * price) is copied into a new HeapNumber at such a call (OrderRow.touchAt); read from an object's double fields
   * inside, nothing is boxed (decision 270: the price was the last HeapNumber per replayed order).
   */
  addAt(
    orderId: number, client: number, clientOrderId: string, symbol: string, side: Side, orderType: OrderType, timeInForce: TimeInForce,
    quantity: number, prices: OrderPrices, event: SeqTs,
  ): number {
    const ts = event.ts;
    const price = prices.price;
    const valuationPrice = prices.valuation;
    const r = this.count;
    if ((r & MASK) === AHEAD || r === 0) this.grow();
    const k = this.chunks[r >>> SHIFT]!;
    const i = r & MASK;
    this.ids.set(orderId, r);
    this.count = r + 1;
    // A chunk is fresh (zeroed) and its rows are written once: the fields that start at 0 need no write.
    k.orderId[i] = orderId;
    k.quantity[i] = quantity;
    k.price[i] = price;
    k.leavesQuantity[i] = quantity;
    k.valuationPrice[i] = valuationPrice;
    k.createdTs[i] = ts;
    k.updatedTs[i] = ts;
    // Its first seq; linked into the chain (lastSeqLink) when a chain is read (linkSeqs).
    k.firstSeqLink[i] = this.seqs.touch(event.seq, r);
    k.lastSeqLink[i] = NIL;
    k.lastFill[i] = NIL;
    k.client[i] = client;
    const names = this.names;
    k.symbol[i] = names.code(symbol);
    k.venue[i] = NO_VENUE;
    // A value outside the domain arrays (a restored order of an older build) is kept by name.
    const sc = sideCode(side);
    k.side[i] = sc >= 0 ? sc : names.code(side);
    const tc = orderTypeCode(orderType);
    k.orderType[i] = tc >= 0 ? tc : names.code(orderType);
    const fc = timeInForceCode(timeInForce);
    k.timeInForce[i] = fc >= 0 ? fc : names.code(timeInForce);
    if (PENDING !== 0) k.state[i] = PENDING;
    const at = this.coid.putAscii(clientOrderId);
    if (at < 0) {
      k.coidLength[i] = -1;
      this.otherCoid.set(r, clientOrderId);
    } else {
      k.coidStart[i] = at;
      k.coidLength[i] = clientOrderId.length;
    }
    return r;
  }

  /** The next chunk and its cursor (made ahead: see AHEAD in chunks.ts). */
  private grow(): void {
    const fresh = new OrderChunk();
    this.chunks.push(fresh);
    this.cursors.push(new OrderRow(fresh, this.names, this.seqs, this.fills, this.otherState, this.rejectReasons));
  }

  // ---- fixed at entry ----------------------------------------------------

  orderId(r: number): number {
    return this.chunks[r >>> SHIFT]!.orderId[r & MASK]!;
  }

  /** The number the caller gave the order's client in `add`. */
  client(r: number): number {
    return this.chunks[r >>> SHIFT]!.client[r & MASK]!;
  }

  clientOrderId(r: number): string {
    const k = this.chunks[r >>> SHIFT]!;
    const n = k.coidLength[r & MASK]!;
    return n < 0 ? this.otherCoid.get(r)! : this.coid.ascii(k.coidStart[r & MASK]!, n);
  }

  symbol(r: number): string {
    return this.names.name(this.chunks[r >>> SHIFT]!.symbol[r & MASK]!);
  }

  side(r: number): Side {
    return this.names.name(this.chunks[r >>> SHIFT]!.side[r & MASK]!) as Side;
  }

  orderType(r: number): OrderType {
    return this.names.name(this.chunks[r >>> SHIFT]!.orderType[r & MASK]!) as OrderType;
  }

  /** True for a limit order (no string compare: its type code). */
  isLimit(r: number): boolean {
    return this.chunks[r >>> SHIFT]!.orderType[r & MASK] === LIMIT;
  }

  timeInForce(r: number): TimeInForce {
    return this.names.name(this.chunks[r >>> SHIFT]!.timeInForce[r & MASK]!) as TimeInForce;
  }

  createdTs(r: number): number {
    return this.chunks[r >>> SHIFT]!.createdTs[r & MASK]!;
  }

  /**
   * When the order was entered (µs): for an order carried from an earlier
   * session the time it was entered there, if its OrderRestored said so;
   * otherwise `createdTs`, when this session's log first saw it.
   */
  enteredTs(r: number): number {
    if (this.entered.size === 0) return this.createdTs(r);
    return this.entered.get(r) ?? this.createdTs(r);
  }

  /** How many orders carry an entry time from an earlier session. */
  get carriedEntries(): number {
    return this.entered.size;
  }

  /** True when the order carries an entry time from an earlier session. */
  hasCarriedEntry(r: number): boolean {
    return this.entered.has(r);
  }

  /** A carried order's entry time in the session it was entered in. */
  setEnteredTs(r: number, us: number): void {
    this.entered.set(r, us);
  }

  // ---- state -------------------------------------------------------------

  /** The state's code (see codes.ts). */
  state(r: number): StateCode {
    return this.chunks[r >>> SHIFT]!.state[r & MASK]!;
  }

  isTerminal(r: number): boolean {
    return isTerminalCode(this.chunks[r >>> SHIFT]!.state[r & MASK]!);
  }

  /** The stored state (the order's stage) by name (also one outside ORDER_STAGES that a restore named). */
  stateName(r: number): OrderStage {
    const code = this.chunks[r >>> SHIFT]!.state[r & MASK]!;
    return (code === OTHER_STATE ? this.otherState.get(r) : ORDER_STAGES[code]) as OrderStage;
  }

  cancelPending(r: number): boolean {
    return (this.chunks[r >>> SHIFT]!.flags[r & MASK]! & CANCEL_PENDING) !== 0;
  }

  replacePending(r: number): boolean {
    return (this.chunks[r >>> SHIFT]!.flags[r & MASK]! & REPLACE_PENDING) !== 0;
  }

  venue(r: number): string | undefined {
    const v = this.chunks[r >>> SHIFT]!.venue[r & MASK]!;
    return v === NO_VENUE ? undefined : this.names.name(v);
  }

  rejectCode(r: number): number {
    return this.chunks[r >>> SHIFT]!.rejectCode[r & MASK]!;
  }

  /** `REASON_NAME: text` of the rejection, if rejected. */
  rejectReason(r: number): string | undefined {
    return this.rejectReasons.get(r);
  }

  /** gtd: the expiry time, µs since the epoch; 0 for none. */
  expireAt(r: number): number {
    return this.expiries.get(r) ?? 0;
  }

  setExpireAt(r: number, us: number): void {
    if (us > 0) this.expiries.set(r, us);
    else this.expiries.delete(r);
  }

  /** The order's replaces (undefined if none was ever requested). */
  replaceHistory(r: number): ReplaceHistory | undefined {
    return this.replaces.get(r);
  }

  setReplaceHistory(r: number, h: ReplaceHistory): void {
    this.replaces.set(r, h);
  }

  /** The order's clientOrderId now: its latest confirmed replace's, or the one it was entered with (`clientOrderId`). */
  currentClientOrderId(r: number): string {
    const h = this.replaces.get(r);
    return h !== undefined && h.chain.length > 0 ? h.current : this.clientOrderId(r);
  }

  // ---- quantities and prices ---------------------------------------------

  quantity(r: number): number {
    return this.chunks[r >>> SHIFT]!.quantity[r & MASK]!;
  }

  price(r: number): number {
    return this.chunks[r >>> SHIFT]!.price[r & MASK]!;
  }

  filledQuantity(r: number): number {
    return this.chunks[r >>> SHIFT]!.filledQuantity[r & MASK]!;
  }

  leavesQuantity(r: number): number {
    return this.chunks[r >>> SHIFT]!.leavesQuantity[r & MASK]!;
  }

  avgPrice(r: number): number {
    return this.chunks[r >>> SHIFT]!.avgPrice[r & MASK]!;
  }

  /**
   * Σ fillQty × fillPrice in integer units of 1/VALUE_SCALE (exact; restored
   * orders: avgPrice × filledQuantity, rounded to a unit).
   */
  filledValue(r: number): number {
    return this.chunks[r >>> SHIFT]!.filledValue[r & MASK]!;
  }

  valuationPrice(r: number): number {
    return this.chunks[r >>> SHIFT]!.valuationPrice[r & MASK]!;
  }

  /** The order's share of its client's open notional, in units of 1/NOTIONAL_SCALE. */
  openUnits(r: number): number {
    return this.chunks[r >>> SHIFT]!.openUnits[r & MASK]!;
  }

  // ---- history -----------------------------------------------------------

  updatedTs(r: number): number {
    return this.chunks[r >>> SHIFT]!.updatedTs[r & MASK]!;
  }

  /** The seq of the last event that touched the order (its OrderPending's, or a later one's). */
  lastSeq(r: number): number {
    if (this.seqs.pending) this.linkSeqs();
    return this.seqs.at(this.chunks[r >>> SHIFT]!.lastSeqLink[r & MASK]!);
  }

  /** Seqs of every event that touched the order, ascending; a fresh array per call. */
  eventSeqs(r: number): number[] {
    if (this.seqs.pending) this.linkSeqs();
    return this.seqs.toArray(this.chunks[r >>> SHIFT]!.firstSeqLink[r & MASK]!);
  }

  /**
   * Links the seqs appended since the last read into their orders' chains, in append order (SeqChains: a replay
   * only appends; decision 293). O(links appended since), so a reader after every event pays O(1) an event.
   */
  private linkSeqs(): void {
    const s = this.seqs;
    const n = s.count;
    for (let l = s.beginLinking(); l < n; l++) {
      const r = s.rowOf(l);
      const k = this.chunks[r >>> SHIFT]!;
      const i = r & MASK;
      s.linkAfter(k.lastSeqLink[i]!, l);
      k.lastSeqLink[i] = l;
    }
    s.markLinked();
  }

  /** The order's latest fill (an index in `fills`), or NIL. Earlier ones: `fills.prev`. */
  lastFill(r: number): number {
    return this.chunks[r >>> SHIFT]!.lastFill[r & MASK]!;
  }

  /** True when the order has a fill with this execId. */
  hasExec(r: number, execId: number): boolean {
    const last = this.chunks[r >>> SHIFT]!.lastFill[r & MASK]!;
    return last !== NIL && this.fills.hasExec(last, execId);
  }

}
