import { ORDER_STAGES } from '../../protocol/events.ts';
import { AVG_PER_UNIT, AVG_SCALE, VALUE_SCALE } from '../money.ts';
import { MASK, NIL } from './chunks.ts';
import { isTerminalCode, LIMIT, OTHER_STATE, type StateCode } from './codes.ts';
import type { FillTable } from './fill-table.ts';
import type { NameTable } from './names.ts';
import { CANCEL_PENDING, NO_VENUE, REPLACE_PENDING, type OrderChunk } from './order-chunk.ts';
import type { SeqChains } from './seq-chains.ts';

/**
 * A cursor on one order of an OrderTable, for changing it: `OrderTable.seek(orderId)`
 * or `at(row)` finds the row's chunk and its index there once, and every
 * accessor here then reads or writes that row's columns directly. Applying an
 * event reads and writes ten or more fields of one order; finding the chunk
 * once per event instead of once per field is what keeps the replay as fast as
 * the hand-hoisted code the table replaced (issue #9, docs/decisions/135).
 *
 * A table has one cursor per chunk, made with the chunk, and moves it within
 * the chunk: moving stores two small integers and no pointer, so it costs no
 * write barrier (one per event when a single cursor stored the chunk; issue
 * #9, docs/decisions/200). A cursor is valid until the next `seek`/`at` on the
 * same table. Take it at the top of an event's handler, never keep it.
 */
/** An event's seq and ts (a Sequenced): what marks an order touched. */
export interface SeqTs {
  readonly seq: number;
  readonly ts: number;
}

export class OrderRow {
  /** The row (the order's rank of first appearance). */
  r = 0;
  /** The row's index in its chunk: only this folder uses it. */
  i = 0;

  constructor(
    /** The cursor's chunk (fixed: a cursor moves only within its chunk); only this folder uses it. */
    readonly k: OrderChunk,
    private readonly names: NameTable,
    private readonly seqs: SeqChains,
    private readonly fills: FillTable,
    /** Names of OTHER_STATE states, by row (OrderTable's). */
    private readonly otherState: Map<number, string>,
    /** `REASON_NAME: text` of rejected orders, by row (OrderTable's). */
    private readonly rejectReasons: Map<number, string>,
  ) {}

  /** Moves the cursor to row `r` (a row of its chunk); returns itself. */
  moveTo(r: number): this {
    this.r = r;
    this.i = r & MASK;
    return this;
  }

  orderId(): number {
    return this.k.orderId[this.i]!;
  }

  /** The number the caller gave the order's client in `OrderTable.add`. */
  client(): number {
    return this.k.client[this.i]!;
  }

  /** True for a limit order (its type code). */
  isLimit(): boolean {
    return this.k.orderType[this.i] === LIMIT;
  }

  // ---- state -------------------------------------------------------------

  /** The state's code (see codes.ts). */
  state(): StateCode {
    return this.k.state[this.i]!;
  }

  setState(code: StateCode): void {
    this.k.state[this.i] = code;
  }

  isTerminal(): boolean {
    return isTerminalCode(this.k.state[this.i]!);
  }

  /** Sets the stage by name; a name outside ORDER_STAGES is kept as OTHER_STATE. */
  setStateName(state: string): void {
    const code = (ORDER_STAGES as readonly string[]).indexOf(state);
    if (code >= 0) {
      this.k.state[this.i] = code;
      this.otherState.delete(this.r);
    } else {
      this.k.state[this.i] = OTHER_STATE;
      this.otherState.set(this.r, state);
    }
  }

  cancelPending(): boolean {
    return (this.k.flags[this.i]! & CANCEL_PENDING) !== 0;
  }

  setCancelPending(on: boolean): void {
    const f = this.k.flags[this.i]!;
    this.k.flags[this.i] = on ? f | CANCEL_PENDING : f & ~CANCEL_PENDING;
  }

  replacePending(): boolean {
    return (this.k.flags[this.i]! & REPLACE_PENDING) !== 0;
  }

  setReplacePending(on: boolean): void {
    const f = this.k.flags[this.i]!;
    this.k.flags[this.i] = on ? f | REPLACE_PENDING : f & ~REPLACE_PENDING;
  }

  /** Clears both cancel-pending and replace-pending. */
  clearPending(): void {
    this.k.flags[this.i] = 0;
  }

  /** Sets the venue (undefined: none). */
  setVenue(venue: string | undefined): void {
    this.k.venue[this.i] = venue === undefined ? NO_VENUE : this.names.code(venue);
  }

  /** Rejected with reason `code`; `reason` is its `REASON_NAME: text`. */
  setReject(code: number, reason: string): void {
    this.k.rejectCode[this.i] = code;
    this.rejectReasons.set(this.r, reason);
  }

  // ---- quantities and prices ---------------------------------------------

  quantity(): number {
    return this.k.quantity[this.i]!;
  }

  setQuantity(q: number): void {
    this.k.quantity[this.i] = q;
  }

  price(): number {
    return this.k.price[this.i]!;
  }

  setPrice(p: number): void {
    this.k.price[this.i] = p;
  }

  filledQuantity(): number {
    return this.k.filledQuantity[this.i]!;
  }

  setFilledQuantity(q: number): void {
    this.k.filledQuantity[this.i] = q;
  }

  leavesQuantity(): number {
    return this.k.leavesQuantity[this.i]!;
  }

  setLeavesQuantity(q: number): void {
    this.k.leavesQuantity[this.i] = q;
  }

  setAvgPrice(p: number): void {
    this.k.avgPrice[this.i] = p;
  }

  /** See OrderTable.filledValue. */
  setFilledValue(v: number): void {
    this.k.filledValue[this.i] = v;
  }

  setValuationPrice(p: number): void {
    this.k.valuationPrice[this.i] = p;
  }

  /**
   * Re-derives the order's open units after a change, `round(leaves × valuation
   * price × scale)` while live and 0 once terminal, and returns by how much they
   * changed. (One accessor instead of five on every order event keeps the
   * handlers within V8's inlining budget.)
   */
  reexpose(scale: number): number {
    const k = this.k;
    const i = this.i;
    const units = isTerminalCode(k.state[i]!) ? 0 : Math.round(k.leavesQuantity[i]! * k.valuationPrice[i]! * scale);
    const change = units - k.openUnits[i]!;
    if (change !== 0) k.openUnits[i] = units;
    return change;
  }

  /**
   * Books a fill (`execId`, `quantity` at `price`, sequenced at `seq`/`ts`):
   * appends it to the table's fills and the order's own list, adds it to the
   * order's filled quantity, filled value and average price, and returns the
   * new leaves quantity (also stored). Whether the fill may be booked is the
   * caller's rule.
   */
  bookFill(execId: number, quantity: number, price: number, seq: number, ts: number): number {
    return this.bookFillOf({ execId, fillQty: quantity, fillPrice: price }, { seq, ts });
  }

  /**
   * bookFill of an OrderExecuted's fill (`execId`, `fillQty` at `fillPrice`) sequenced at `at`, given the
   * event's objects (the projection): V8 does not always inline this method, and the price and ts (doubles)
   * passed as arguments were copied into two new HeapNumbers per fill (decision 266).
   */
  bookFillOf(fill: { readonly execId: number; readonly fillQty: number; readonly fillPrice: number }, at: SeqTs): number {
    const k = this.k;
    const i = this.i;
    const quantity = fill.fillQty;
    const price = fill.fillPrice;
    k.lastFill[i] = this.fills.push(fill.execId, k.orderId[i]!, quantity, price, at.seq, at.ts, k.lastFill[i]!);
    const filled = k.filledQuantity[i]! + quantity;
    k.filledQuantity[i] = filled;
    const leaves = k.quantity[i]! - filled;
    k.leavesQuantity[i] = leaves;
    // Exact: integer units; the average is rounded once (money.ts).
    const value = k.filledValue[i]! + quantity * Math.round(price * VALUE_SCALE);
    k.filledValue[i] = value;
    // averagePrice(value, filled) inlined (the replay path): one division, one rounding.
    k.avgPrice[i] = Math.round((value * AVG_PER_UNIT) / filled) / AVG_SCALE;
    return leaves;
  }

  // ---- history -----------------------------------------------------------

  /** Records that the event (`seq`, `ts`) touched the order: its update time and seq chain (linked lazily: SeqChains). */
  touch(seq: number, ts: number): void {
    const k = this.k;
    const i = this.i;
    k.updatedTs[i] = ts;
    this.seqs.touch(seq, this.r);
  }

  /**
   * touch(at.seq, at.ts), given the event itself: the projection's handlers call this. An event's ts (µs since
   * the epoch) is a double, and passing it as an argument to a call V8 does not inline copies it into a new
   * HeapNumber; reading it here from the event stores it straight into the column (decision 266: ~10 bytes of
   * garbage per replayed event).
   */
  touchAt(at: SeqTs): void {
    const k = this.k;
    const i = this.i;
    k.updatedTs[i] = at.ts;
    this.seqs.touch(at.seq, this.r);
  }

  /** True when the order has a fill with this execId. */
  hasExec(execId: number): boolean {
    const last = this.k.lastFill[this.i]!;
    return last !== NIL && this.fills.hasExec(last, execId);
  }
}
