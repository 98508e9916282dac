import type { AsOf, CancelResult, EventLine, EventQuery, FillQuery, FillView, NewOrderRequest, OrderQuery, OrderView, Page, ReplaceRequest, SessionRoll, StateView } from './api.ts';
import type { ComponentAction } from './domain.ts';
import type { EventPage, EventSearchQuery, OrderHistoryQuery, OrderHistoryView, SessionSummary, TimelineQuery, TimelineView } from './history.ts';
import type { FillWindow, FillWindowQuery } from './fill-window.ts';
import type { FixView } from './fix.ts';
import type { OrderSelection, OrderWindow, OrderWindowQuery, SelectionCancel } from './order-window.ts';
import type { HaltRequest, LimitsChange, PositionView, RestrictRequest, RiskView } from './risk.ts';

/**
 * The kinds of parameter API methods take, and their types. The name of a
 * kind is also the field name in a validation error (`order.price: …`). The
 * host validates each kind with one parser (engine/host/validation.ts,
 * `PARAM_PARSERS`, which the compiler holds to this list).
 */
export interface ApiParamTypes {
  order: NewOrderRequest;
  orderId: number;
  replace: ReplaceRequest;
  componentId: string;
  action: ComponentAction;
  at: AsOf;
  query: EventQuery;
  role: string;
  history: OrderHistoryQuery;
  search: EventSearchQuery;
  orderQuery: OrderQuery;
  fillQuery: FillQuery;
  timeline: TimelineQuery;
  orderWindow: OrderWindowQuery;
  fillWindow: FillWindowQuery;
  orderSelection: OrderSelection;
  // Risk (issue 12).
  clientId: string;
  halt: HaltRequest;
  limits: LimitsChange;
  symbol: string;
  restrict: RestrictRequest;
}
export type ApiParamKind = keyof ApiParamTypes;

/** A parser per kind: an unknown value from outside in, the typed value out, or a throw naming the field. */
export type ApiParamParsers = { readonly [K in ApiParamKind]: (v: unknown) => ApiParamTypes[K] };

/**
 * THE table of API methods: name → its parameters (kinds, in order) and its
 * result type. Everything else is driven from it: the `OrdoApi` type, the
 * host's dispatch for WebSocket, REST and IPC (engine/host/http/dispatch.ts),
 * both WebSocket clients, and the Electron preload (whose name list the
 * compiler holds to this table). Adding a method is one entry here plus its
 * implementation in engine/host/host-api.ts, which the compiler then asks
 * for; a REST route is optional (engine/host/http/rest.ts).
 *
 * No runtime imports (contract/ imports nothing but itself): the table is
 * plain data, the result types are phantoms.
 */
export const API_TABLE = {
  submitOrder: method(result<{ orderId: number }>(), required('order')),
  cancelOrder: method(result<CancelResult>(), required('orderId')),
  replaceOrder: method(result<{ orderId: number }>(), required('orderId'), required('replace')),
  openSession: method(result<{ sessionId: number }>()),
  closeSession: method(result<{ sessionId: number }>()),
  /** Zero-downtime roll: closes the open session and opens the next with no window refusing orders (decision 074). */
  rollSession: method(result<SessionRoll>()),
  componentAction: method(result<{ componentId: string }>(), required('componentId'), required('action')),
  /** The live state, or the time machine's state of a session as of `at` (inclusive). */
  getState: method(result<StateView>(), optional('at')),
  /** A missing query is `{}`: the newest events. */
  getEvents: method(result<EventLine[]>(), withDefault('query', {})),
  /** Stops an in-process component (if running) and starts it again: it rewinds and rejoins (decision 111). */
  restartComponent: method(result<{ componentId: string }>(), required('componentId')),
  /** Starts one more (standby) instance of a role in the host. */
  addStandby: method(result<{ componentId: string }>(), required('role')),
  /** Every event of one order, any age, from the log (reason names, ClOrdID chain). */
  getOrderHistory: method(result<OrderHistoryView>(), required('history')),
  /** Pages back through a whole session's log, filtered by order, client, type and reason. */
  searchEvents: method(result<EventPage>(), withDefault('search', {})),
  /** Every session in the log, oldest first (the time machine's session picker). */
  getSessions: method(result<SessionSummary[]>()),
  /** A session's events over time (density buckets for the time machine's axis), and the seq as of a time. */
  getTimeline: method(result<TimelineView>(), withDefault('timeline', {})),
  /** Orders of the live session, a page at a time, filtered by state, client, symbol (cursor: `next`). */
  getOrders: method(result<Page<OrderView>>(), withDefault('orderQuery', {})),
  /** The blotter's window: the live session's (or, with `at`, a past state's) orders filtered, sorted and sliced by the host, with counts (decision 150). */
  getOrderWindow: method(result<OrderWindow>(), withDefault('orderWindow', {})),
  /** The fills blotter's window: a session's fills (live, or as of `at`) filtered, sorted and sliced by the host, with counts (decision 166). */
  getFillWindow: method(result<FillWindow>(), withDefault('fillWindow', {})),
  /** Fills of the live session in log order, a page at a time, filtered by client, symbol. */
  /** Cancels every working order of a blotter selection the renderer may not hold: all matching a filter, or a range of the sorted list (decision 164). */
  cancelSelection: method(result<SelectionCancel>(), required('orderSelection')),
  getFills: method(result<Page<FillView>>(), withDefault('fillQuery', {})),
  // Risk (issue 12, docs/api.md "Risk"): positions, limits, restricted list, kill switch.
  getPositions: method(result<PositionView[]>()),
  getRisk: method(result<RiskView>()),
  haltClient: method(result<{ clientId: string | null }>(), required('clientId'), withDefault('halt', {})),
  resumeClient: method(result<{ clientId: string | null }>(), required('clientId'), withDefault('halt', {})),
  haltFirm: method(result<{ clientId: string | null }>(), withDefault('halt', {})),
  resumeFirm: method(result<{ clientId: string | null }>(), withDefault('halt', {})),
  setLimits: method(result<{ clientId: string; limits: LimitsChange }>(), required('clientId'), required('limits')),
  setRestricted: method(result<{ symbol: string; restricted: boolean }>(), required('symbol'), required('restrict')),
  /** The FIX acceptor and every client's FIX session: connected, sequence numbers, reports owed (issue 13, docs/fix.md). */
  getFixSessions: method(result<FixView>()),
} as const;

export type ApiMethodName = keyof typeof API_TABLE;
/** The parameters of a method, as a tuple (an optional one as `?`, only last). */
export type ApiParams<K extends ApiMethodName> = ToArgs<(typeof API_TABLE)[K]['params']>;
export type ApiResultOf<K extends ApiMethodName> = (typeof API_TABLE)[K]['result'];

type ToArgs<P> = P extends readonly [Param<infer K, infer O>, ...infer Rest] ? (O extends true ? [ApiParamTypes[K]?, ...ToArgs<Rest>] : [ApiParamTypes[K], ...ToArgs<Rest>]) : [];

/** The method names, in table order. */
export const API_METHODS = Object.keys(API_TABLE) as readonly ApiMethodName[];

/** Most parameters any method takes (replaceOrder: id and change). */
export const API_MAX_PARAMS = Math.max(...Object.values(API_TABLE).map((m) => m.params.length));

export function isApiMethodName(name: unknown): name is ApiMethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(API_TABLE, name);
}

/**
 * The raw params of a call (a JSON array from a socket, IPC or a REST
 * route) parsed into the method's typed tuple, each by its kind's parser.
 * A missing required value goes to the parser as undefined (which refuses it).
 */
export function parseParams<K extends ApiMethodName>(name: K, raw: unknown, parsers: ApiParamParsers): ApiParams<K> {
  const params = Array.isArray(raw) ? (raw as unknown[]) : [];
  const spec = API_TABLE[name].params as readonly Param<ApiParamKind, boolean>[];
  const out: unknown[] = [];
  spec.forEach((p, i) => {
    const v = params[i];
    if (v === undefined && p.fallback) out.push(parsers[p.kind](p.fallback.value));
    else if (v === undefined && p.optional) return;
    else out.push(parsers[p.kind](v));
  });
  return out as unknown as ApiParams<K>;
}

interface Param<K extends ApiParamKind, O extends boolean> {
  readonly kind: K;
  /** Type level: may the caller leave it out. */
  readonly optional: O;
  /** Parsed in place of a missing value (the implementation always gets one). */
  readonly fallback?: { readonly value: ApiParamTypes[K] };
}

function required<K extends ApiParamKind>(kind: K): Param<K, false> {
  return { kind, optional: false };
}

function optional<K extends ApiParamKind>(kind: K): Param<K, true> {
  return { kind, optional: true };
}

function withDefault<K extends ApiParamKind>(kind: K, value: ApiParamTypes[K]): Param<K, false> {
  return { kind, optional: false, fallback: { value } };
}

/** A phantom: carries the result type, nothing at run time. */
function result<T>(): T {
  return undefined as T;
}

function method<R, P extends readonly Param<ApiParamKind, boolean>[]>(res: R, ...params: P): { readonly result: R; readonly params: P } {
  return { result: res, params };
}
