import { ChunkMemory } from './chunks.ts';

/** Bits of OrderChunk.flags. */
export const REPLACE_PENDING = 1;
export const CANCEL_PENDING = 2;
/** OrderChunk.venue of an order not routed yet. */
export const NO_VENUE = -1;

/** CHUNK orders' fields, one typed array per field, all views of one ArrayBuffer (ChunkMemory). */
export class OrderChunk {
  readonly orderId: Float64Array;
  readonly quantity: Float64Array;
  readonly price: Float64Array;
  readonly filledQuantity: Float64Array;
  readonly leavesQuantity: Float64Array;
  readonly avgPrice: Float64Array;
  /** Σ fillQty × fillPrice; avgPrice = filledValue / filledQuantity. */
  readonly filledValue: Float64Array;
  readonly valuationPrice: Float64Array;
  /** This order's share of its client's open notional units. */
  readonly openUnits: Float64Array;
  readonly rejectCode: Float64Array;
  readonly createdTs: Float64Array;
  readonly updatedTs: Float64Array;
  /** First and last link of the order's seq chain; its latest fill (NIL before the first). */
  readonly firstSeqLink: Int32Array;
  readonly lastSeqLink: Int32Array;
  readonly lastFill: Int32Array;
  /** The caller's number for the order's client (OrderTable does not know clients). */
  readonly client: Int32Array;
  /** Codes in the NameTable; venue is NO_VENUE until routed. */
  readonly symbol: Int32Array;
  readonly venue: Int32Array;
  readonly side: Int32Array;
  readonly orderType: Int32Array;
  readonly timeInForce: Int32Array;
  /** The clientOrderId's bytes in the BytePool: start and length (-1: not ASCII, kept aside). */
  readonly coidStart: Float64Array;
  readonly coidLength: Int32Array;
  readonly state: Uint8Array;
  /** REPLACE_PENDING | CANCEL_PENDING. */
  readonly flags: Uint8Array;

  constructor() {
    // One buffer, widest columns first (aligned views).
    const m = new ChunkMemory(13, 10, 2);
    this.orderId = m.f64();
    this.quantity = m.f64();
    this.price = m.f64();
    this.filledQuantity = m.f64();
    this.leavesQuantity = m.f64();
    this.avgPrice = m.f64();
    this.filledValue = m.f64();
    this.valuationPrice = m.f64();
    this.openUnits = m.f64();
    this.rejectCode = m.f64();
    this.createdTs = m.f64();
    this.updatedTs = m.f64();
    this.coidStart = m.f64();
    this.firstSeqLink = m.i32();
    this.lastSeqLink = m.i32();
    this.lastFill = m.i32();
    this.client = m.i32();
    this.symbol = m.i32();
    this.venue = m.i32();
    this.side = m.i32();
    this.orderType = m.i32();
    this.timeInForce = m.i32();
    this.coidLength = m.i32();
    this.state = m.u8();
    this.flags = m.u8();
  }
}
