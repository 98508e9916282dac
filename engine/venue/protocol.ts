import { Packr } from 'msgpackr';
import type { OrderType, Side, TimeInForce } from '../../contract/domain.ts';
import { WireEndError, WireReader, WireTagError, WireWriter } from './wire.ts';

/**
 * The wire protocol between an exchange gateway (DEALER) and the simulated
 * venue (ROUTER), and the venue's market data (PUB).
 *
 * One ZeroMQ message carries many venue messages: a frame of bytes, the
 * protocol version (one byte, 2), then the messages one after another, each its
 * code (one byte) and its fields in the order given below, in a fixed binary
 * layout (decision 277; version 1 was msgpack tuples): prices float64
 * little-endian; the other numbers (ids, quantities, times, reason codes) a tag
 * byte 0 and a u32 when a whole number below 2^31, else a tag byte 1 and a
 * float64 (so they decode as small integers, not boxed doubles); enums one
 * byte (their index in the WIRE_* lists); strings a u32 byte length and UTF-8;
 * lists a u32 count and their items. An optional number is 0 when absent
 * (expireAt), an optional string empty (owner); protectionPrice is a flag byte
 * (0 / 1) and, when 1, the number. Codes never change meaning; a message's
 * layout changes only with the version. Prices are on the instrument's tick
 * grid; quantities and ids are whole numbers.
 *
 * Gateway → venue
 *   1 NewOrder        orderId, symbol, side, orderType, timeInForce, quantity, price, owner, expireAtUs, [flag, protectionPrice]
 *   2 Cancel          orderId
 *   3 Replace         orderId, quantity, price
 *   4 Status          count, orderId…
 *   5 Expire          orderId, reason   (end of the OMS session: Expired{reason} if live, else nothing)
 * Venue → gateway
 *  20 Ack             orderId
 *  21 Fill            orderId, execId, quantity, price, leaves
 *  22 Cancelled       orderId, reason
 *  23 Expired         orderId, reason
 *  24 Rejected        orderId, reason, text
 *  25 ReplaceAck      orderId, quantity, price, leaves
 *  26 ReplaceRejected orderId, reason, text
 *  27 CancelRejected  orderId, reason, text
 *  28 OrderStatus     orderId, state, quantity, price, filledQuantity, leaves, count, (execId, qty, price)…
 *  29 ProtocolError   text
 *
 * `reason` is a code from engine/protocol/reasons.ts (`Reason`). Market data
 * stays a msgpack map (any msgpack reader reads it).
 */
export const VENUE_PROTOCOL_VERSION = 2;

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

const writer = new WireWriter();

function writeRequest(w: WireWriter, m: VenueRequest): void {
  switch (m.type) {
    case 'NewOrder':
      w.u8(VenueCode.NewOrder);
      w.int(m.orderId);
      w.str(m.symbol);
      w.u8(WIRE_SIDES.indexOf(m.side));
      w.u8(WIRE_ORDER_TYPES.indexOf(m.orderType));
      w.u8(WIRE_TIME_IN_FORCE.indexOf(m.timeInForce));
      w.int(m.quantity);
      w.f64(m.price);
      w.str(m.owner ?? '');
      w.int(m.expireAt ?? 0);
      if (m.protectionPrice === undefined) w.u8(0);
      else {
        w.u8(1);
        w.f64(m.protectionPrice);
      }
      return;
    case 'Cancel':
      w.u8(VenueCode.Cancel);
      w.int(m.orderId);
      return;
    case 'Replace':
      w.u8(VenueCode.Replace);
      w.int(m.orderId);
      w.int(m.quantity);
      w.f64(m.price);
      return;
    case 'Status':
      w.u8(VenueCode.Status);
      w.u32(m.orderIds.length);
      for (const id of m.orderIds) w.int(id);
      return;
    case 'Expire':
      w.u8(VenueCode.Expire);
      w.int(m.orderId);
      w.int(m.reason);
      return;
    default:
      assertNever(m);
  }
}

function writeReply(w: WireWriter, m: VenueReply): void {
  switch (m.type) {
    case 'Ack':
      w.u8(VenueCode.Ack);
      w.int(m.orderId);
      return;
    case 'Fill':
      w.u8(VenueCode.Fill);
      w.int(m.orderId);
      w.int(m.execId);
      w.int(m.quantity);
      w.f64(m.price);
      w.int(m.leaves);
      return;
    case 'Cancelled':
    case 'Expired':
      w.u8(VenueCode[m.type]);
      w.int(m.orderId);
      w.int(m.reason);
      return;
    case 'Rejected':
    case 'ReplaceRejected':
    case 'CancelRejected':
      w.u8(VenueCode[m.type]);
      w.int(m.orderId);
      w.int(m.reason);
      w.str(m.text);
      return;
    case 'ReplaceAck':
      w.u8(VenueCode.ReplaceAck);
      w.int(m.orderId);
      w.int(m.quantity);
      w.f64(m.price);
      w.int(m.leaves);
      return;
    case 'OrderStatus':
      w.u8(VenueCode.OrderStatus);
      w.int(m.orderId);
      w.u8(VENUE_ORDER_STATES.indexOf(m.state));
      w.int(m.quantity);
      w.f64(m.price);
      w.int(m.filledQuantity);
      w.int(m.leaves);
      w.u32(m.fills.length);
      for (const f of m.fills) {
        w.int(f.execId);
        w.int(f.quantity);
        w.f64(f.price);
      }
      return;
    case 'ProtocolError':
      w.u8(VenueCode.ProtocolError);
      w.str(m.text);
      return;
    default:
      assertNever(m);
  }
}

function encodeFrame<T>(msgs: readonly T[], from: number, to: number, write: (w: WireWriter, m: T) => void): Buffer {
  writer.reset();
  writer.u8(VENUE_PROTOCOL_VERSION);
  for (let i = from; i < to; i++) write(writer, msgs[i]!);
  return writer.take();
}

/** Encodes gateway requests `msgs[from .. to)` (end exclusive) as one frame. */
export function encodeRequests(msgs: readonly VenueRequest[], from = 0, to = msgs.length): Buffer {
  return encodeFrame(msgs, from, to, writeRequest);
}

/** Encodes venue replies `msgs[from .. to)` (end exclusive) as one frame. */
export function encodeReplies(msgs: readonly VenueReply[], from = 0, to = msgs.length): Buffer {
  return encodeFrame(msgs, from, to, writeReply);
}

/** Encodes one market data message (a plain msgpack map, readable by any msgpack decoder). */
export function encodeMarketData(md: MarketData): Buffer {
  return packr.pack(md);
}

// ---- decoding ------------------------------------------------------------

const reader = new WireReader();

function openFrame(buf: Uint8Array): WireReader {
  if (buf.length === 0) throw new VenueDecodeError('frame is empty');
  if (buf[0] !== VENUE_PROTOCOL_VERSION) {
    throw new VenueDecodeError(`not a venue frame of protocol version ${VENUE_PROTOCOL_VERSION} (first byte 0x${buf[0]!.toString(16).padStart(2, '0')})`);
  }
  reader.reset(buf, 1);
  return reader;
}

const isId = (v: number): boolean => Number.isSafeInteger(v) && v >= 0;
const enumAt = <T>(list: readonly T[], v: number): T | undefined => list[v];

/** Result of decoding a request frame: the good messages, and one line per message that was not. */
export interface DecodedRequests {
  msgs: VenueRequest[];
  errors: string[];
}

/**
 * Decodes a gateway frame. Checks shapes and values only (venue rules such as
 * lot size and tick are the venue's business). A message with a bad value is
 * reported in `errors` and skipped; an unknown code ends the frame's reading
 * (its length is not known) with one error for it; a frame that is not a frame
 * at all, or ends inside a message, throws VenueDecodeError.
 */
export function decodeRequests(buf: Uint8Array): DecodedRequests {
  const r = openFrame(buf);
  const msgs: VenueRequest[] = [];
  const errors: string[] = [];
  try {
    for (let i = 1; r.left > 0; i++) {
      const m = readRequest(r);
      if (typeof m === 'string') {
        errors.push(`message ${i}: ${m}`);
        if (m.startsWith(UNKNOWN_REQUEST)) break;
      } else msgs.push(m);
    }
  } catch (err) {
    if (err instanceof WireEndError || err instanceof WireTagError) throw new VenueDecodeError(err.message);
    throw err;
  }
  return { msgs, errors };
}

const UNKNOWN_REQUEST = 'unknown request code';

function readRequest(r: WireReader): VenueRequest | string {
  const code = r.u8('a message code');
  switch (code) {
    case VenueCode.NewOrder: {
      const orderId = r.int('NewOrder.orderId');
      const symbol = r.str('NewOrder.symbol');
      const side = r.u8('NewOrder.side');
      const orderType = r.u8('NewOrder.orderType');
      const tif = r.u8('NewOrder.timeInForce');
      const quantity = r.int('NewOrder.quantity');
      const price = r.f64('NewOrder.price');
      const owner = r.str('NewOrder.owner');
      const expireAt = r.int('NewOrder.expireAt');
      const hasProtection = r.u8('NewOrder.protectionPrice');
      const protectionPrice = hasProtection === 1 ? r.f64('NewOrder.protectionPrice') : undefined;
      if (!isId(orderId)) return 'NewOrder.orderId must be a whole number >= 0';
      const s = enumAt(WIRE_SIDES, side);
      const ot = enumAt(WIRE_ORDER_TYPES, orderType);
      const tf = enumAt(WIRE_TIME_IN_FORCE, tif);
      if (hasProtection > 1) return `NewOrder ${orderId}: bad protectionPrice flag ${hasProtection}`;
      if (s === undefined) return `NewOrder ${orderId}: bad side ${side}`;
      if (ot === undefined) return `NewOrder ${orderId}: bad orderType ${orderType}`;
      if (tf === undefined) return `NewOrder ${orderId}: bad timeInForce ${tif}`;
      if (!isId(expireAt)) return `NewOrder ${orderId}: expireAt must be a whole number >= 0`;
      if (protectionPrice !== undefined && !(protectionPrice > 0)) return `NewOrder ${orderId}: protectionPrice must be a number > 0`;
      const m: NewOrderMsg = { type: 'NewOrder', orderId, symbol, side: s, orderType: ot, timeInForce: tf, quantity, price };
      if (owner !== '') m.owner = owner;
      if (expireAt > 0) m.expireAt = expireAt;
      if (protectionPrice !== undefined) m.protectionPrice = protectionPrice;
      return m;
    }
    case VenueCode.Cancel: {
      const orderId = r.int('Cancel.orderId');
      if (!isId(orderId)) return 'Cancel.orderId must be a whole number >= 0';
      return { type: 'Cancel', orderId };
    }
    case VenueCode.Replace: {
      const orderId = r.int('Replace.orderId');
      const quantity = r.int('Replace.quantity');
      const price = r.f64('Replace.price');
      if (!isId(orderId)) return 'Replace.orderId must be a whole number >= 0';
      return { type: 'Replace', orderId, quantity, price };
    }
    case VenueCode.Expire: {
      const orderId = r.int('Expire.orderId');
      const reason = r.int('Expire.reason');
      if (!isId(orderId)) return 'Expire.orderId must be a whole number >= 0';
      if (!isId(reason)) return `Expire ${orderId}: reason must be a whole number >= 0`;
      return { type: 'Expire', orderId, reason };
    }
    case VenueCode.Status: {
      const n = r.u32('Status.orderIds');
      if (n * 5 > r.left) throw new WireEndError(`frame ends inside Status.orderIds (${n} ids, ${r.left} bytes left)`);
      const ids: number[] = new Array(n);
      let bad = false;
      for (let i = 0; i < n; i++) {
        ids[i] = r.int('Status.orderIds');
        if (!isId(ids[i]!)) bad = true;
      }
      if (bad) return 'Status.orderIds must be a list of whole numbers';
      return { type: 'Status', orderIds: ids };
    }
    default:
      return `${UNKNOWN_REQUEST} ${code}; the rest of the frame is not read`;
  }
}

/** Decodes a venue frame. The venue is trusted, but garbage still throws VenueDecodeError rather than passing through. */
export function decodeReplies(buf: Uint8Array): VenueReply[] {
  const r = openFrame(buf);
  const out: VenueReply[] = [];
  try {
    while (r.left > 0) out.push(readReply(r));
  } catch (err) {
    if (err instanceof WireEndError || err instanceof WireTagError) throw new VenueDecodeError(err.message);
    throw err;
  }
  return out;
}

function readReply(r: WireReader): VenueReply {
  const code = r.u8('a message code');
  switch (code) {
    case VenueCode.Ack:
      return { type: 'Ack', orderId: r.int('Ack.orderId') };
    case VenueCode.Fill:
      return { type: 'Fill', orderId: r.int('Fill.orderId'), execId: r.int('Fill.execId'), quantity: r.int('Fill.quantity'), price: r.f64('Fill.price'), leaves: r.int('Fill.leaves') };
    case VenueCode.Cancelled:
      return { type: 'Cancelled', orderId: r.int('Cancelled.orderId'), reason: r.int('Cancelled.reason') };
    case VenueCode.Expired:
      return { type: 'Expired', orderId: r.int('Expired.orderId'), reason: r.int('Expired.reason') };
    case VenueCode.Rejected:
      return { type: 'Rejected', orderId: r.int('Rejected.orderId'), reason: r.int('Rejected.reason'), text: r.str('Rejected.text') };
    case VenueCode.ReplaceAck:
      return { type: 'ReplaceAck', orderId: r.int('ReplaceAck.orderId'), quantity: r.int('ReplaceAck.quantity'), price: r.f64('ReplaceAck.price'), leaves: r.int('ReplaceAck.leaves') };
    case VenueCode.ReplaceRejected:
      return { type: 'ReplaceRejected', orderId: r.int('ReplaceRejected.orderId'), reason: r.int('ReplaceRejected.reason'), text: r.str('ReplaceRejected.text') };
    case VenueCode.CancelRejected:
      return { type: 'CancelRejected', orderId: r.int('CancelRejected.orderId'), reason: r.int('CancelRejected.reason'), text: r.str('CancelRejected.text') };
    case VenueCode.OrderStatus: {
      const orderId = r.int('OrderStatus.orderId');
      const stateCode = r.u8('OrderStatus.state');
      const state = enumAt(VENUE_ORDER_STATES, stateCode);
      if (state === undefined) throw new VenueDecodeError(`OrderStatus: bad state ${stateCode}`);
      const quantity = r.int('OrderStatus.quantity');
      const price = r.f64('OrderStatus.price');
      const filledQuantity = r.int('OrderStatus.filledQuantity');
      const leaves = r.int('OrderStatus.leaves');
      const n = r.u32('OrderStatus.fills');
      if (n * 18 > r.left) throw new VenueDecodeError(`OrderStatus: bad fills (${n} fills, ${r.left} bytes left)`);
      const fills: VenueFill[] = new Array(n);
      for (let i = 0; i < n; i++) fills[i] = { execId: r.int('fill.execId'), quantity: r.int('fill.quantity'), price: r.f64('fill.price') };
      return { type: 'OrderStatus', orderId, state, quantity, price, filledQuantity, leaves, fills };
    }
    case VenueCode.ProtocolError:
      return { type: 'ProtocolError', text: r.str('ProtocolError.text') };
    default:
      throw new VenueDecodeError(`unknown reply code ${code}`);
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
