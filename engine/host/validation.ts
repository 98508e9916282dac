import { z } from 'zod';
import { COMPONENT_ACTIONS, ORDER_STATES, ORDER_TYPES, SIDES, TIME_IN_FORCE } from '../../contract/domain.ts';
import type { AsOf, EventQuery, FillQuery, NewOrderRequest, OrderQuery, ReplaceRequest } from '../../contract/api.ts';
import type { ApiParamParsers } from '../../contract/api-table.ts';
import type { EventSearchQuery, OrderHistoryQuery, TimelineQuery } from '../../contract/history.ts';
import { ORDER_SORT_KEYS } from '../../contract/order-window.ts';
import type { OrderSelection, OrderWindowQuery } from '../../contract/order-window.ts';
import { FILL_SORT_KEYS, type FillWindowQuery } from '../../contract/fill-window.ts';
import { issueLine } from '../oms/validation.ts';
import { riskParamParsers } from './risk-params.ts';

/** Input from outside (HTTP, WebSocket, IPC) that failed validation; the message names the field. */
export class BadRequest extends Error {
  override name = 'BadRequest';
}

const MAX_QTY = 1_000_000_000;
const MAX_PRICE = 1_000_000_000;
const id = z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
/** A control character (C0, DEL, C1): never part of a symbol ("AAPL\u0000" was sequenced and rejected as an unknown instrument). */
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const symbol = z.string().min(1).max(64).refine((v) => !CONTROL.test(v), 'must not contain control characters');

const quantity = z.number().int().positive().max(MAX_QTY);
const price = z.number().positive().max(MAX_PRICE);

const newOrder = z
  .strictObject({
    clientId: id,
    clientOrderId: id,
    symbol,
    side: z.enum(SIDES),
    orderType: z.enum(ORDER_TYPES),
    quantity,
    price: price.optional(),
    timeInForce: z.enum(TIME_IN_FORCE),
    expireTime: z.string().max(40).refine((t) => /^\d{4}-\d{2}-\d{2}T/.test(t) && Number.isFinite(Date.parse(t)), 'must be an ISO 8601 date-time such as 2026-12-01T21:00:00Z').optional(),
    locate: z.boolean().optional(),
    intentional: z.boolean().optional(),
  })
  .superRefine((o, ctx) => {
    if (o.timeInForce === 'gtd' && o.expireTime === undefined) ctx.addIssue({ code: 'custom', path: ['expireTime'], message: 'is required for a gtd order' });
    if (o.timeInForce !== 'gtd' && o.expireTime !== undefined) ctx.addIssue({ code: 'custom', path: ['expireTime'], message: 'is only for gtd orders' });
    if (o.orderType === 'limit' && o.price === undefined) ctx.addIssue({ code: 'custom', path: ['price'], message: 'is required for a limit order' });
    if (o.orderType === 'market' && o.price !== undefined) ctx.addIssue({ code: 'custom', path: ['price'], message: 'must be absent for a market order' });
  });

const replace = z.strictObject({ quantity, price, clientOrderId: id.optional() });

const eventQuery = z.strictObject({
  session: z.number().int().positive().optional(),
  from: z.number().int().positive().optional(),
  to: z.number().int().positive().optional(),
  limit: z.number().int().positive().max(10_000).optional(),
});

const historyQuery = z.strictObject({ orderId: z.number().int().positive(), session: z.number().int().positive().optional() });

const eventSearch = z.strictObject({
  session: z.number().int().positive().optional(),
  before: z.number().int().positive().optional(),
  limit: z.number().int().positive().max(1000).optional(),
  orderId: z.number().int().positive().optional(),
  clientId: z.string().max(64).optional(),
  type: z.string().max(64).optional(),
  reason: z.string().max(64).optional(),
});

const role = z.string().min(1).max(32).regex(/^[a-z][a-z0-9_]*$/, 'must be a role name such as risk or router');
const pageFilters = {
  after: z.number().int().nonnegative().optional(),
  clientId: z.string().min(1).max(64).optional(),
  symbol: z.string().min(1).max(32).optional(),
  limit: z.number().int().positive().max(10_000).optional(),
  at: z.number().int().nonnegative().optional(),
  session: z.number().int().positive().optional(),
};
const orderQuery = z.strictObject({ ...pageFilters, state: z.enum(ORDER_STATES).optional() });
const fillQuery = z.strictObject(pageFilters);

const asOf = z.strictObject({ session: z.number().int().positive().optional(), seq: z.number().int().nonnegative() });

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const res = schema.safeParse(value);
  if (!res.success) throw new BadRequest(issueLine(res.error, value, [what]));
  return res.data;
}

/**
 * A new order from outside. The order's type is `orderType`, the one name it has
 * in events, views and requests alike (decision 066); a client still sending the
 * old `type` key is told so by name rather than with a bare "unknown field".
 */
export function parseNewOrder(v: unknown): NewOrderRequest {
  if (typeof v === 'object' && v !== null && Object.hasOwn(v, 'type')) throw new BadRequest('order.type: unknown field; the order type is orderType');
  return plainNewOrder(v) ?? parseWith(newOrder, v, 'order');
}

/** The schema's own parse of a new order (no fast path): for the test that the two agree. */
export function parseNewOrderBySchema(v: unknown): NewOrderRequest {
  return parseWith(newOrder, v, 'order');
}

const NEW_ORDER_KEYS = new Set(['clientId', 'clientOrderId', 'symbol', 'side', 'orderType', 'quantity', 'price', 'timeInForce', 'expireTime', 'locate', 'intentional']);
const PRINTABLE_ID = /^[\x21-\x7e]{1,64}$/;
const isId = (x: unknown): x is string => typeof x === 'string' && PRINTABLE_ID.test(x);
const isIn = <T extends string>(list: readonly T[], x: unknown): x is T => typeof x === 'string' && (list as readonly string[]).includes(x);

/**
 * The usual new order (no expiry) checked by hand, with every rule of the `newOrder` schema; undefined for
 * anything else, which the schema then parses (and words the refusal). Zod's parse of an order allocated ~2 KB
 * per order (issue 11: the host's garbage per order); this allocates only the result. Same result as the schema.
 */
function plainNewOrder(v: unknown): NewOrderRequest | undefined {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return undefined;
  const o = v as Record<string, unknown>;
  for (const k in o) if (!NEW_ORDER_KEYS.has(k) || o[k] === undefined) return undefined;
  const { clientId, clientOrderId, symbol, side, orderType, quantity, price, timeInForce, locate, intentional } = o;
  if (o['expireTime'] !== undefined || timeInForce === 'gtd') return undefined;
  if (!isId(clientId) || !isId(clientOrderId) || typeof symbol !== 'string' || symbol.length < 1 || symbol.length > 64 || CONTROL.test(symbol)) return undefined;
  if (!isIn(SIDES, side) || !isIn(ORDER_TYPES, orderType) || !isIn(TIME_IN_FORCE, timeInForce)) return undefined;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || !(quantity > 0) || quantity > MAX_QTY) return undefined;
  if (price !== undefined && (typeof price !== 'number' || !Number.isFinite(price) || !(price > 0) || price > MAX_PRICE)) return undefined;
  if (orderType === 'limit' ? price === undefined : price !== undefined) return undefined;
  if ((locate !== undefined && typeof locate !== 'boolean') || (intentional !== undefined && typeof intentional !== 'boolean')) return undefined;
  const r: NewOrderRequest = { clientId, clientOrderId, symbol, side, orderType, quantity, timeInForce };
  if (price !== undefined) r.price = price as number;
  if (locate !== undefined) r.locate = locate as boolean;
  if (intentional !== undefined) r.intentional = intentional as boolean;
  return r;
}
export const parseReplace = (v: unknown): ReplaceRequest => parseWith(replace, v, 'replace');
export const parseEventQuery = (v: unknown): EventQuery => parseWith(eventQuery, v, 'query');
export const parseOrderQuery = (v: unknown): OrderQuery => parseWith(orderQuery, v, 'orderQuery');
export const parseFillQuery = (v: unknown): FillQuery => parseWith(fillQuery, v, 'fillQuery');
export const parseAsOf = (v: unknown): AsOf => parseWith(asOf, v, 'at');
export const parseOrderId = (v: unknown): number => parseWith(z.number().int().positive(), v, 'orderId');
export const parseComponentId = (v: unknown): string => parseWith(id, v, 'componentId');
export const parseAction = (v: unknown) => parseWith(z.enum(COMPONENT_ACTIONS), v, 'action');
export const parseRole = (v: unknown): string => parseWith(role, v, 'role');
export const parseHistoryQuery = (v: unknown): OrderHistoryQuery => parseWith(historyQuery, v, 'history');

const timelineQuery = z.strictObject({
  session: z.number().int().positive().optional(),
  buckets: z.number().int().positive().max(2000).optional(),
  atTs: z.number().int().nonnegative().optional(),
});
export const parseTimelineQuery = (v: unknown): TimelineQuery => parseWith(timelineQuery, v, 'timeline');
/** The filter and sort of an orders blotter view: shared by its window and a selection in it. */
const orderView = {
  state: z.enum(['all', 'open', ...ORDER_STATES]).optional(),
  symbol: z.string().max(32).optional(),
  side: z.enum(SIDES).optional(),
  timeInForce: z.enum(TIME_IN_FORCE).optional(),
  clientId: z.string().max(64).optional(),
  text: z.string().max(100).optional(),
  sort: z.enum(ORDER_SORT_KEYS).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
};
const orderWindowQuery = z.strictObject({
  ...orderView,
  offset: z.number().int().nonnegative().optional(),
  limit: z.number().int().positive().max(2000).optional(),
  at: z.number().int().nonnegative().optional(),
  session: z.number().int().positive().optional(),
});
const orderSelection = z.strictObject({
  ...orderView,
  fromId: z.number().int().positive().optional(),
  toId: z.number().int().positive().optional(),
  from: z.number().int().nonnegative().optional(),
  to: z.number().int().nonnegative().optional(),
  dryRun: z.boolean().optional(),
});
export const parseOrderSelection = (v: unknown): OrderSelection => {
  const s = parseWith(orderSelection, v, 'orderSelection') as OrderSelection;
  // A range names both of its ends: half a range would silently mean "to the end of the list".
  if ((s.fromId === undefined) !== (s.toId === undefined)) throw new BadRequest('orderSelection: fromId and toId go together (both, or neither for every matching order)');
  return s;
};
export const parseOrderWindowQuery = (v: unknown): OrderWindowQuery => parseWith(orderWindowQuery, v, 'orderWindow') as OrderWindowQuery;
const fillWindowQuery = z.strictObject({
  clientId: z.string().max(64).optional(),
  symbol: z.string().max(32).optional(),
  side: z.enum(SIDES).optional(),
  orderId: z.number().int().positive().optional(),
  text: z.string().max(100).optional(),
  sort: z.enum(FILL_SORT_KEYS).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
  offset: z.number().int().nonnegative().optional(),
  limit: z.number().int().positive().max(2000).optional(),
  at: z.number().int().nonnegative().optional(),
  session: z.number().int().positive().optional(),
});
export const parseFillWindowQuery = (v: unknown): FillWindowQuery => parseWith(fillWindowQuery, v, 'fillWindow') as FillWindowQuery;
export const parseEventSearch = (v: unknown): EventSearchQuery => parseWith(eventSearch, v, 'search') as EventSearchQuery;

/** The validator of each parameter kind of the method table (contract/api-table.ts). */
export const PARAM_PARSERS: ApiParamParsers = {
  order: parseNewOrder,
  orderId: parseOrderId,
  replace: parseReplace,
  componentId: parseComponentId,
  action: parseAction,
  at: parseAsOf,
  query: parseEventQuery,
  role: parseRole,
  history: parseHistoryQuery,
  search: parseEventSearch,
  orderQuery: parseOrderQuery,
  fillQuery: parseFillQuery,
  timeline: parseTimelineQuery,
  orderWindow: parseOrderWindowQuery,
  fillWindow: parseFillWindowQuery,
  orderSelection: parseOrderSelection,
  ...riskParamParsers((message) => {
    throw new BadRequest(message);
  }),
};
