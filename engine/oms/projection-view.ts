import type { OrderState, OrderType, Side, TimeInForce } from '../../contract/domain.ts';
import type { OrderStage } from '../protocol/events.ts';
import type { OrderTable } from './order-table/order-table.ts';
import { orderStateOf } from './order-state.ts';
import type { ClientBook } from './projection-clients.ts';
import type { ReadonlyOrder } from './projection-types.ts';

/**
 * A live, read-only cursor on one order's row (it sees later changes). Not the
 * contract's `OrderView` (a plain copy sent to clients): `orderView()` in views.ts
 * makes one of those from this.
 */
export class OrderCursor implements ReadonlyOrder {
  constructor(
    private readonly t: OrderTable,
    private readonly books: readonly ClientBook[],
    private r: number,
  ) {}
  /** Points this cursor at row `r` (a pass over many rows moves one cursor instead of making one per row). */
  moveTo(r: number): this {
    this.r = r;
    return this;
  }
  get orderId(): number {
    return this.t.orderId(this.r);
  }
  get clientId(): string {
    return this.books[this.t.client(this.r)]!.clientId;
  }
  get clientOrderId(): string {
    return this.t.currentClientOrderId(this.r);
  }
  get symbol(): string {
    return this.t.symbol(this.r);
  }
  get side(): Side {
    return this.t.side(this.r);
  }
  get orderType(): OrderType {
    return this.t.orderType(this.r);
  }
  get timeInForce(): TimeInForce {
    return this.t.timeInForce(this.r);
  }
  get quantity(): number {
    return this.t.quantity(this.r);
  }
  get price(): number {
    return this.t.price(this.r);
  }
  get state(): OrderState {
    return orderStateOf(this.t.stateName(this.r), this.t.cancelPending(this.r), this.t.replacePending(this.r));
  }
  get stage(): OrderStage {
    return this.t.stateName(this.r);
  }
  get expireAt(): number {
    return this.t.expireAt(this.r);
  }
  get replaceCount(): number {
    return this.t.replaceHistory(this.r)?.chain.length ?? 0;
  }
  /** A fresh array on every read. */
  get origClientOrderIds(): string[] {
    return [...(this.t.replaceHistory(this.r)?.chain ?? [])];
  }
  get filledQuantity(): number {
    return this.t.filledQuantity(this.r);
  }
  get leavesQuantity(): number {
    return this.t.leavesQuantity(this.r);
  }
  get avgPrice(): number {
    return this.t.avgPrice(this.r);
  }
  get venue(): string | undefined {
    return this.t.venue(this.r);
  }
  get rejectCode(): number {
    return this.t.rejectCode(this.r);
  }
  get rejectReason(): string | undefined {
    return this.t.rejectReason(this.r);
  }
  get createdTs(): number {
    return this.t.createdTs(this.r);
  }
  get enteredTs(): number {
    return this.t.enteredTs(this.r);
  }
  get updatedTs(): number {
    return this.t.updatedTs(this.r);
  }
  /** A fresh array on every read. */
  get eventSeqs(): number[] {
    return this.t.eventSeqs(this.r);
  }
  get replacePending(): boolean {
    return this.t.replacePending(this.r);
  }
  get cancelPending(): boolean {
    return this.t.cancelPending(this.r);
  }
  get valuationPrice(): number {
    return this.t.valuationPrice(this.r);
  }
}
