import { Packr } from 'msgpackr';
import type { OrderType, Side, TimeInForce } from '../../contract/domain.ts';

/**
 * The wire protocol between an exchange gateway (DEALER) and the simulated
 * venue (ROUTER), and the venue's market data (PUB).
 *
 * One ZeroMQ message carries many venue messages: a msgpack array
 * `[VERSION, tuple, tuple, …]`, each tuple `[code, …fields]` with fields in the
 * order given below. Codes never change meaning; a message may only grow by
 * appending fields. Enums travel as small integers (their index in the WIRE_*
 * lists). Prices are float64 on the instrument's tick grid; quantities and ids
 * are whole numbers.
 *
 * Gateway → venue
 *   1 NewOrder        [1, orderId, symbol, side, orderType, timeInForce, quantity, price, owner?, expireAtUs?, protectionPrice?]
 *   2 Cancel          [2, orderId]
 *   3 Replace         [3, orderId, quantity, price]
 *   4 Status          [4, [orderId, …]]
 *   5 Expire          [5, orderId, reason]   (end of the OMS session: Expired{reason} if live, else nothing)
 * Venue → gateway
 *  20 Ack             [20, orderId]
 *  21 Fill            [21, orderId, execId, quantity, price, leaves]
 *  22 Cancelled       [22, orderId, reason]
 *  23 Expired         [23, orderId, reason]
 *  24 Rejected        [24, orderId, reason, text]
 *  25 ReplaceAck      [25, orderId, quantity, price, leaves]
 *  26 ReplaceRejected [26, orderId, reason, text]
 *  27 CancelRejected  [27, orderId, reason, text]
 *  28 OrderStatus     [28, orderId, state, quantity, price, filledQuantity, leaves, [execId, qty, price, …]]
 *  29 ProtocolError   [29, text]
 *
 * `reason` is a code from engine/protocol/reasons.ts (`Reason`).
 */
export const VENUE_PROTOCOL_VERSION = 1;

export const WIRE_SIDES = ['buy', 'sell'] as const satisfies readonly Side[];
export const WIRE_ORDER_TYPES = ['limit', 'market'] as const satisfies readonly OrderType[];
export const WIRE_TIME_IN_FORCE = ['day', 'ioc', 'gtc', 'fok', 'gtd'] as const satisfies readonly TimeInForce[];
/**
 * What the venue knows about an order id. `unknown`: never seen; `forgotten`:
 * finished long ago and no longer remembered (every report of it was sent).
 * `parked`: taken off the book by Expire{SESSION_PARKED} and kept (not
 * finished): a NewOrder with its id re-enters it with its fills (decision 075).
 * Appended only (encoded by index).
 */
export const VENUE_ORDER_STATES = ['unknown', 'open', 'filled', 'cancelled', 'expired', 'rejected', 'forgotten', 'parked'] as const;
export type VenueOrderState = (typeof VENUE_ORDER_STATES)[number];

export const VenueCode = {
  NewOrder: 1,
  Cancel: 2,
  Replace: 3,
  Status: 4,
  Expire: 5,
  Ack: 20,
  Fill: 21,
  Cancelled: 22,
  Expired: 23,
  Rejected: 24,
  ReplaceAck: 25,
  ReplaceRejected: 26,
  CancelRejected: 27,
  OrderStatus: 28,
  ProtocolError: 29,
} as const;

/**
 * A new order. `orderId` is the OMS's id and the venue's idempotency key: the
 * venue never creates two orders for one id. `price` is ignored for market orders.
 */
export interface NewOrderMsg {
  type: 'NewOrder';
  orderId: number;
  symbol: string;
  side: Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  quantity: number;
  price: number;
  /**
   * Who owns the order for self-trade prevention (the OMS client id): orders
   * of one owner never trade with each other. Absent: no prevention.
   */
  owner?: string;
  /** gtd only: when the venue expires the order, µs since the Unix epoch. */
  expireAt?: number;
  /**
   * Market orders: the collar. The venue fills no part of the order beyond
   * this price (buys at or below it, sells at or above) and expires the rest.
   */
  protectionPrice?: number;
}
export interface CancelMsg {
  type: 'Cancel';
  orderId: number;
}
/** Amend a resting order: `quantity` is the new total (filled part included). */
export interface ReplaceMsg {
  type: 'Replace';
  orderId: number;
  quantity: number;
  price: number;
}
/** Ask for the venue's state of these orders (reconciliation after a gateway restart). */
export interface StatusMsg {
  type: 'Status';
  orderIds: number[];
}
/**
 * The OMS's session ends for this order (a day order at close): the venue
 * expires it if it is still live (Expired{reason}) and says nothing if it is
 * not (its final report was already sent): no CancelRejected nobody asked for.
 */
export interface ExpireMsg {
  type: 'Expire';
  orderId: number;
  reason: number;
}
export type VenueRequest = NewOrderMsg | CancelMsg | ReplaceMsg | StatusMsg | ExpireMsg;

export interface AckMsg {
  type: 'Ack';
  orderId: number;
}
/** One execution. `execId` is unique and increasing within one venue run. `leaves` is the order's unmatched quantity after it. */
export interface FillMsg {
  type: 'Fill';
  orderId: number;
  execId: number;
  quantity: number;
  price: number;
  leaves: number;
}
export interface CancelledMsg {
  type: 'Cancelled';
  orderId: number;
  reason: number;
}
/** The unmatched remainder of an IOC or market order. */
export interface ExpiredMsg {
  type: 'Expired';
  orderId: number;
  reason: number;
}
export interface RejectedMsg {
  type: 'Rejected';
  orderId: number;
  reason: number;
  text: string;
}
export interface ReplaceAckMsg {
  type: 'ReplaceAck';
  orderId: number;
  quantity: number;
  price: number;
  leaves: number;
}
export interface ReplaceRejectedMsg {
  type: 'ReplaceRejected';
  orderId: number;
  reason: number;
  text: string;
}
export interface CancelRejectedMsg {
  type: 'CancelRejected';
  orderId: number;
  reason: number;
  text: string;
}
export interface VenueFill {
  execId: number;
  quantity: number;
  price: number;
}
/**
 * The venue's view of one order: the answer to Status and to a NewOrder whose
 * id was already seen. `fills` lists every execution so far, oldest first, so
 * a gateway that missed some can replay them (deduplicated by execId).
 */
export interface OrderStatusMsg {
  type: 'OrderStatus';
  orderId: number;
  state: VenueOrderState;
  quantity: number;
  price: number;
  filledQuantity: number;
  leaves: number;
  fills: VenueFill[];
}
/** A frame or message that does not decode. It never changes any order. */
export interface ProtocolErrorMsg {
  type: 'ProtocolError';
  text: string;
}
export type VenueReply =
  | AckMsg
  | FillMsg
  | CancelledMsg
  | ExpiredMsg
  | RejectedMsg
  | ReplaceAckMsg
  | ReplaceRejectedMsg
  | CancelRejectedMsg
  | OrderStatusMsg
  | ProtocolErrorMsg;

/** Market data for one symbol, published with the symbol as the topic frame. */
export interface MarketData {
  symbol: string;
  /** Increases by one per message for this symbol. */
  seq: number;
  /** Venue wall clock, ms since the Unix epoch. */
  timeMs: number;
  bid: number | null;
  bidSize: number;
  ask: number | null;
  askSize: number;
  last: number | null;
  lastSize: number;
  /** Quantity traded since the venue started. */
  volume: number;
  /** Top levels as [price, quantity], best first. */
  bids: [number, number][];
  asks: [number, number][];
}

/** Thrown by the decoders for input that is not a valid frame. */
export class VenueDecodeError extends Error {
  override name = 'VenueDecodeError';
}

const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}

// ---- encoding ------------------------------------------------------------

function requestTuple(m: VenueRequest): unknown[] {
  switch (m.type) {
    case 'NewOrder':
      return [
        VenueCode.NewOrder,
        m.orderId,
        m.symbol,
        WIRE_SIDES.indexOf(m.side),
        WIRE_ORDER_TYPES.indexOf(m.orderType),
        WIRE_TIME_IN_FORCE.indexOf(m.timeInForce),
        m.quantity,
        m.price,
        m.owner ?? '',
        m.expireAt ?? 0,
        ...(m.protectionPrice !== undefined ? [m.protectionPrice] : []),
      ];
    case 'Cancel':
      return [VenueCode.Cancel, m.orderId];
    case 'Replace':
      return [VenueCode.Replace, m.orderId, m.quantity, m.price];
    case 'Status':
      return [VenueCode.Status, m.orderIds];
    case 'Expire':
      return [VenueCode.Expire, m.orderId, m.reason];
    default:
      return assertNever(m);
  }
}

function replyTuple(m: VenueReply): unknown[] {
  switch (m.type) {
    case 'Ack':
      return [VenueCode.Ack, m.orderId];
    case 'Fill':
      return [VenueCode.Fill, m.orderId, m.execId, m.quantity, m.price, m.leaves];
    case 'Cancelled':
      return [VenueCode.Cancelled, m.orderId, m.reason];
    case 'Expired':
      return [VenueCode.Expired, m.orderId, m.reason];
    case 'Rejected':
      return [VenueCode.Rejected, m.orderId, m.reason, m.text];
    case 'ReplaceAck':
      return [VenueCode.ReplaceAck, m.orderId, m.quantity, m.price, m.leaves];
    case 'ReplaceRejected':
      return [VenueCode.ReplaceRejected, m.orderId, m.reason, m.text];
    case 'CancelRejected':
      return [VenueCode.CancelRejected, m.orderId, m.reason, m.text];
    case 'OrderStatus': {
      const flat: number[] = [];
      for (const f of m.fills) flat.push(f.execId, f.quantity, f.price);
      return [
        VenueCode.OrderStatus,
        m.orderId,
        VENUE_ORDER_STATES.indexOf(m.state),
        m.quantity,
        m.price,
        m.filledQuantity,
        m.leaves,
        flat,
      ];
    }
    case 'ProtocolError':
      return [VenueCode.ProtocolError, m.text];
    default:
      return assertNever(m);
  }
}

function encodeFrame<T>(msgs: readonly T[], from: number, to: number, tuple: (m: T) => unknown[]): Buffer {
  const frame: unknown[] = new Array(to - from + 1);
  frame[0] = VENUE_PROTOCOL_VERSION;
  for (let i = from; i < to; i++) frame[i - from + 1] = tuple(msgs[i]!);
  return packr.pack(frame);
}

/** Encodes gateway requests `msgs[from .. to)` (end exclusive) as one frame. */
export function encodeRequests(msgs: readonly VenueRequest[], from = 0, to = msgs.length): Buffer {
  return encodeFrame(msgs, from, to, requestTuple);
}

/** Encodes venue replies `msgs[from .. to)` (end exclusive) as one frame. */
export function encodeReplies(msgs: readonly VenueReply[], from = 0, to = msgs.length): Buffer {
  return encodeFrame(msgs, from, to, replyTuple);
}

/** Encodes one market data message (a plain msgpack map, readable by any msgpack decoder). */
export function encodeMarketData(md: MarketData): Buffer {
  return packr.pack(md);
}

// ---- decoding ------------------------------------------------------------

function unpackFrame(buf: Uint8Array): unknown[] {
  let frame: unknown;
  try {
    frame = packr.unpack(buf);
  } catch (err) {
    throw new VenueDecodeError(`frame is not msgpack: ${(err as Error).message}`);
  }
  if (!Array.isArray(frame)) throw new VenueDecodeError('frame is not an array');
  if (frame[0] !== VENUE_PROTOCOL_VERSION) throw new VenueDecodeError(`unsupported protocol version ${String(frame[0])}`);
  return frame;
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isNum = (v: unknown): v is number => typeof v === 'number';
const enumAt = <T>(list: readonly T[], v: unknown): T | undefined => (typeof v === 'number' ? list[v] : undefined);

/** Result of decoding a request frame: the good messages, and one line per message that was not. */
export interface DecodedRequests {
  msgs: VenueRequest[];
  errors: string[];
}

/**
 * Decodes a gateway frame. Checks shapes and types only (venue rules such as
 * lot size and tick are the venue's business). A bad message is reported in
 * `errors` and skipped; a frame that is not a frame at all throws
 * VenueDecodeError.
 */
export function decodeRequests(buf: Uint8Array): DecodedRequests {
  const frame = unpackFrame(buf);
  const msgs: VenueRequest[] = [];
  const errors: string[] = [];
  for (let i = 1; i < frame.length; i++) {
    const t = frame[i];
    if (!Array.isArray(t)) {
      errors.push(`message ${i}: not an array`);
      continue;
    }
    const m = requestFromTuple(t);
    if (typeof m === 'string') errors.push(`message ${i}: ${m}`);
    else msgs.push(m);
  }
  return { msgs, errors };
}

function requestFromTuple(t: unknown[]): VenueRequest | string {
  const code = t[0];
  switch (code) {
    case VenueCode.NewOrder: {
      const [, orderId, symbol, side, orderType, tif, quantity, price, owner, expireAt, protectionPrice] = t;
      if (!isId(orderId)) return 'NewOrder.orderId must be a whole number >= 0';
      const s = enumAt(WIRE_SIDES, side);
      const ot = enumAt(WIRE_ORDER_TYPES, orderType);
      const tf = enumAt(WIRE_TIME_IN_FORCE, tif);
      if (typeof symbol !== 'string') return `NewOrder ${orderId}: symbol must be a string`;
      if (s === undefined) return `NewOrder ${orderId}: bad side ${String(side)}`;
      if (ot === undefined) return `NewOrder ${orderId}: bad orderType ${String(orderType)}`;
      if (tf === undefined) return `NewOrder ${orderId}: bad timeInForce ${String(tif)}`;
      if (!isNum(quantity)) return `NewOrder ${orderId}: quantity must be a number`;
      if (!isNum(price)) return `NewOrder ${orderId}: price must be a number`;
      if (owner !== undefined && typeof owner !== 'string') return `NewOrder ${orderId}: owner must be a string`;
      if (expireAt !== undefined && !isId(expireAt)) return `NewOrder ${orderId}: expireAt must be a whole number >= 0`;
      if (protectionPrice !== undefined && !(isNum(protectionPrice) && protectionPrice > 0)) return `NewOrder ${orderId}: protectionPrice must be a number > 0`;
      const m: NewOrderMsg = { type: 'NewOrder', orderId, symbol, side: s, orderType: ot, timeInForce: tf, quantity, price };
      if (owner !== undefined && owner !== '') m.owner = owner;
      if (expireAt !== undefined && expireAt > 0) m.expireAt = expireAt;
      if (protectionPrice !== undefined) m.protectionPrice = protectionPrice;
      return m;
    }
    case VenueCode.Cancel: {
      const orderId = t[1];
      if (!isId(orderId)) return 'Cancel.orderId must be a whole number >= 0';
      return { type: 'Cancel', orderId };
    }
    case VenueCode.Replace: {
      const [, orderId, quantity, price] = t;
      if (!isId(orderId)) return 'Replace.orderId must be a whole number >= 0';
      if (!isNum(quantity)) return `Replace ${orderId}: quantity must be a number`;
      if (!isNum(price)) return `Replace ${orderId}: price must be a number`;
      return { type: 'Replace', orderId, quantity, price };
    }
    case VenueCode.Expire: {
      const [, orderId, reason] = t;
      if (!isId(orderId)) return 'Expire.orderId must be a whole number >= 0';
      if (!isId(reason)) return `Expire ${orderId}: reason must be a whole number >= 0`;
      return { type: 'Expire', orderId, reason };
    }
    case VenueCode.Status: {
      const ids = t[1];
      if (!Array.isArray(ids) || !ids.every(isId)) return 'Status.orderIds must be a list of whole numbers';
      return { type: 'Status', orderIds: ids };
    }
    default:
      return `unknown request code ${String(code)}`;
  }
}

/** Decodes a venue frame. The venue is trusted, but garbage still throws VenueDecodeError rather than passing through. */
export function decodeReplies(buf: Uint8Array): VenueReply[] {
  const frame = unpackFrame(buf);
  const out: VenueReply[] = new Array(frame.length - 1);
  for (let i = 1; i < frame.length; i++) {
    const t = frame[i];
    if (!Array.isArray(t)) throw new VenueDecodeError(`message ${i}: not an array`);
    out[i - 1] = replyFromTuple(t);
  }
  return out;
}

function num(t: unknown[], i: number): number {
  const v = t[i];
  if (typeof v !== 'number') throw new VenueDecodeError(`code ${String(t[0])} field ${i}: expected a number`);
  return v;
}

function str(t: unknown[], i: number): string {
  const v = t[i];
  if (typeof v !== 'string') throw new VenueDecodeError(`code ${String(t[0])} field ${i}: expected a string`);
  return v;
}

function replyFromTuple(t: unknown[]): VenueReply {
  switch (t[0]) {
    case VenueCode.Ack:
      return { type: 'Ack', orderId: num(t, 1) };
    case VenueCode.Fill:
      return { type: 'Fill', orderId: num(t, 1), execId: num(t, 2), quantity: num(t, 3), price: num(t, 4), leaves: num(t, 5) };
    case VenueCode.Cancelled:
      return { type: 'Cancelled', orderId: num(t, 1), reason: num(t, 2) };
    case VenueCode.Expired:
      return { type: 'Expired', orderId: num(t, 1), reason: num(t, 2) };
    case VenueCode.Rejected:
      return { type: 'Rejected', orderId: num(t, 1), reason: num(t, 2), text: str(t, 3) };
    case VenueCode.ReplaceAck:
      return { type: 'ReplaceAck', orderId: num(t, 1), quantity: num(t, 2), price: num(t, 3), leaves: num(t, 4) };
    case VenueCode.ReplaceRejected:
      return { type: 'ReplaceRejected', orderId: num(t, 1), reason: num(t, 2), text: str(t, 3) };
    case VenueCode.CancelRejected:
      return { type: 'CancelRejected', orderId: num(t, 1), reason: num(t, 2), text: str(t, 3) };
    case VenueCode.OrderStatus: {
      const state = enumAt(VENUE_ORDER_STATES, t[2]);
      if (state === undefined) throw new VenueDecodeError(`OrderStatus: bad state ${String(t[2])}`);
      const flat = t[7];
      if (!Array.isArray(flat) || flat.length % 3 !== 0) throw new VenueDecodeError('OrderStatus: bad fills');
      const fills: VenueFill[] = [];
      for (let i = 0; i < flat.length; i += 3) {
        fills.push({ execId: flat[i] as number, quantity: flat[i + 1] as number, price: flat[i + 2] as number });
      }
      return {
        type: 'OrderStatus',
        orderId: num(t, 1),
        state,
        quantity: num(t, 3),
        price: num(t, 4),
        filledQuantity: num(t, 5),
        leaves: num(t, 6),
        fills,
      };
    }
    case VenueCode.ProtocolError:
      return { type: 'ProtocolError', text: str(t, 1) };
    default:
      throw new VenueDecodeError(`unknown reply code ${String(t[0])}`);
  }
}

/** Decodes one market data payload (the second frame of a market data message). */
export function decodeMarketData(buf: Uint8Array): MarketData {
  let md: unknown;
  try {
    md = packr.unpack(buf);
  } catch (err) {
    throw new VenueDecodeError(`market data is not msgpack: ${(err as Error).message}`);
  }
  if (typeof md !== 'object' || md === null || typeof (md as MarketData).symbol !== 'string') {
    throw new VenueDecodeError('market data is not a MarketData map');
  }
  return md as MarketData;
}
