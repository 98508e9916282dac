import { CHUNK } from './chunks.ts';

/** Bits of OrderChunk.flags. */
export const REPLACE_PENDING = 1;
export const CANCEL_PENDING = 2;
/** OrderChunk.venue of an order not routed yet. */
export const NO_VENUE = -1;

/** CHUNK orders' fields, one typed array per field. */
export class OrderChunk {
  readonly orderId = new Float64Array(CHUNK);
  readonly quantity = new Float64Array(CHUNK);
  readonly price = new Float64Array(CHUNK);
  readonly filledQuantity = new Float64Array(CHUNK);
  readonly leavesQuantity = new Float64Array(CHUNK);
  readonly avgPrice = new Float64Array(CHUNK);
  /** Σ fillQty × fillPrice; avgPrice = filledValue / filledQuantity. */
  readonly filledValue = new Float64Array(CHUNK);
  readonly valuationPrice = new Float64Array(CHUNK);
  /** This order's share of its client's open notional units. */
  readonly openUnits = new Float64Array(CHUNK);
  readonly rejectCode = new Float64Array(CHUNK);
  readonly createdTs = new Float64Array(CHUNK);
  readonly updatedTs = new Float64Array(CHUNK);
  /** First and last link of the order's seq chain; its latest fill (NIL before the first). */
  readonly firstSeqLink = new Int32Array(CHUNK);
  readonly lastSeqLink = new Int32Array(CHUNK);
  readonly lastFill = new Int32Array(CHUNK);
  /** The caller's number for the order's client (OrderTable does not know clients). */
  readonly client = new Int32Array(CHUNK);
  /** Codes in the NameTable; venue is NO_VENUE until routed. */
  readonly symbol = new Int32Array(CHUNK);
  readonly venue = new Int32Array(CHUNK);
  readonly side = new Int32Array(CHUNK);
  readonly orderType = new Int32Array(CHUNK);
  readonly timeInForce = new Int32Array(CHUNK);
  /** The clientOrderId's bytes in the BytePool: start and length (-1: not ASCII, kept aside). */
  readonly coidStart = new Float64Array(CHUNK);
  readonly coidLength = new Int32Array(CHUNK);
  readonly state = new Uint8Array(CHUNK);
  /** REPLACE_PENDING | CANCEL_PENDING. */
  readonly flags = new Uint8Array(CHUNK);
}
