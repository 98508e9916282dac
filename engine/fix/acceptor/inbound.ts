import type { ILooseObject } from 'jspurefix';
import type { NewOrderRequest } from '../../../contract/api.ts';
import { ordoOrdType, ordoSide, ordoTif } from '../fields.ts';

/**
 * Client requests as Ordo reads them from FIX 4.4 application messages
 * (jspurefix message objects). Each parser returns the request, or a one-line
 * reason naming the tag that is missing or wrong.
 */

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function str(body: ILooseObject, name: string, tag: number): Parsed<string> {
  const v: unknown = body[name];
  if (typeof v === 'string' && v.length > 0) return { ok: true, value: v };
  if (typeof v === 'number') return { ok: true, value: String(v) };
  return { ok: false, reason: `${name} (${tag}) is missing` };
}

function num(v: unknown, name: string, tag: number): Parsed<number> {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n === 'number' && Number.isFinite(n)) return { ok: true, value: n };
  return { ok: false, reason: v === undefined ? `${name} (${tag}) is missing` : `${name} (${tag}) is not a number` };
}

/** The HTTP API's bounds (engine/host/validation.ts): what the log can hold and the sequencer can encode. */
const MAX_QTY = 1_000_000_000;
const MAX_PRICE = 1_000_000_000;
const PRINTABLE_ID = /^[\x21-\x7e]{1,64}$/;

/** OrderQty (38): a whole number from 1 to MAX_QTY (a negative or fractional one reached the encoder and ended the host). */
function quantity(v: unknown): Parsed<number> {
  const n = num(v, 'OrderQty', 38);
  if (!n.ok) return n;
  if (!Number.isInteger(n.value) || n.value <= 0) return { ok: false, reason: `OrderQty (38) must be a whole number > 0, got ${String(v)}` };
  if (n.value > MAX_QTY) return { ok: false, reason: `OrderQty (38) must be at most ${MAX_QTY}, got ${String(v)}` };
  return n;
}

/** Price (44): > 0 and at most MAX_PRICE. */
function price(v: unknown): Parsed<number> {
  const n = num(v, 'Price', 44);
  if (!n.ok) return n;
  if (!(n.value > 0)) return { ok: false, reason: `Price (44) must be > 0, got ${String(v)}` };
  if (n.value > MAX_PRICE) return { ok: false, reason: `Price (44) must be at most ${MAX_PRICE}, got ${String(v)}` };
  return n;
}

/** ClOrdID (11) as the API takes a clientOrderId: 1-64 printable ASCII characters, no spaces. */
function clOrdId(body: ILooseObject): Parsed<string> {
  const id = str(body, 'ClOrdID', 11);
  if (id.ok && !PRINTABLE_ID.test(id.value)) return { ok: false, reason: 'ClOrdID (11) must be 1-64 printable characters without spaces' };
  return id;
}

function orderQty(body: ILooseObject): unknown {
  const q = body['OrderQtyData'] as ILooseObject | undefined;
  return q?.['OrderQty'] ?? body['OrderQty'];
}

function symbol(body: ILooseObject): unknown {
  const i = body['Instrument'] as ILooseObject | undefined;
  return i?.['Symbol'] ?? body['Symbol'];
}

/** NewOrderSingle (D) → Ordo's new order request for `clientId`. */
export function parseNewOrder(clientId: string, body: ILooseObject): Parsed<NewOrderRequest> {
  const id = clOrdId(body);
  if (!id.ok) return id;
  const sym = symbol(body);
  if (typeof sym !== 'string' || sym.length === 0) return { ok: false, reason: 'Symbol (55) is missing' };
  const side = ordoSide(body['Side']);
  if (!side) return { ok: false, reason: `Side (54) '${String(body['Side'])}' is not supported (1 buy, 2 sell)` };
  const orderType = ordoOrdType(body['OrdType']);
  if (!orderType) return { ok: false, reason: `OrdType (40) '${String(body['OrdType'])}' is not supported (1 market, 2 limit)` };
  const tif = ordoTif(body['TimeInForce']);
  if (!tif) return { ok: false, reason: `TimeInForce (59) '${String(body['TimeInForce'])}' is not supported (0 day, 1 GTC, 3 IOC)` };
  const qty = quantity(orderQty(body));
  if (!qty.ok) return qty;
  const req: NewOrderRequest = { clientId, clientOrderId: id.value, symbol: sym, side, orderType, quantity: qty.value, timeInForce: tif };
  if (orderType === 'limit') {
    const px = price(body['Price']);
    if (!px.ok) return px;
    req.price = px.value;
  }
  return { ok: true, value: req };
}

export interface OrderRef {
  readonly clOrdId: string;
  readonly origClOrdId: string;
  readonly orderId: string | undefined;
}

/** ClOrdID (11), OrigClOrdID (41) and OrderID (37) of F and G. */
export function parseOrderRef(body: ILooseObject): Parsed<OrderRef> {
  const id = clOrdId(body);
  if (!id.ok) return id;
  const orig = str(body, 'OrigClOrdID', 41);
  if (!orig.ok) return orig;
  const oid = body['OrderID'];
  return { ok: true, value: { clOrdId: id.value, origClOrdId: orig.value, orderId: oid === undefined ? undefined : String(oid) } };
}

/** OrderCancelReplaceRequest (G): the new total quantity and limit price. */
export function parseReplace(body: ILooseObject): Parsed<OrderRef & { quantity: number; price: number | undefined }> {
  const ref = parseOrderRef(body);
  if (!ref.ok) return ref;
  const qty = quantity(orderQty(body));
  if (!qty.ok) return qty;
  const px = body['Price'] === undefined ? undefined : price(body['Price']);
  if (px && !px.ok) return px;
  return { ok: true, value: { ...ref.value, quantity: qty.value, price: px?.value } };
}

/**
 * Why an F or G does not describe the order it names (its Symbol (55) or Side (54) another order's), or undefined.
 * FIX 4.4 has both in F and G so a counterparty cannot cancel or change an order it has mistaken for another;
 * a missing one is taken as the order's own (the order is named by its ClOrdID already).
 */
export function orderMismatch(body: ILooseObject, order: { readonly symbol: string; readonly side: string }): string | undefined {
  const sym = symbol(body);
  if (sym !== undefined && sym !== order.symbol) return `Symbol (55) '${String(sym)}' is not the order's symbol '${order.symbol}'`;
  const side = body['Side'];
  if (side !== undefined && ordoSide(side) !== order.side) return `Side (54) '${String(side)}' is not the order's side (${order.side === 'buy' ? '1 buy' : '2 sell'})`;
  return undefined;
}
