import type {
  InstrumentType,
  LifecycleState,
  OrderState,
  OrderType,
  SessionState,
  Side,
  TimeInForce,
} from './domain.ts';
import type { ApiMethodName, ApiParams, ApiResultOf } from './api-table.ts';
import type { ApiErrorCode } from './api-errors.ts';

/**
 * The one typed API between the engine host and every client: the Electron
 * preload, the browser's WebSocket client and HTTP scripts. Errors are values
 * (`Result`), never thrown across the boundary.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface ApiError {
  /** Stable machine-readable code: one of contract/api-errors.ts, or an order reject reason's name. */
  code: ApiErrorCode;
  /** One line for a human, naming the field or rule at fault. */
  message: string;
}

export interface NewOrderRequest {
  clientId: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  orderType: OrderType;
  quantity: number;
  /** Required for limit orders, absent for market orders. */
  price?: number;
  timeInForce: TimeInForce;
  /** gtd only (and required for it): when the venue expires the order, ISO 8601 with a zone, e.g. 2026-12-01T21:00:00Z. */
  expireTime?: string;
  /** A short sale with a locate (risk's short-sale check lets it through). */
  locate?: boolean;
  /** The same order again on purpose (risk's duplicate check lets it through). */
  intentional?: boolean;
}

export interface ReplaceRequest {
  /** The new total quantity (filled part included). */
  quantity: number;
  price: number;
  /** The order's clientOrderId under its new terms (FIX ClOrdID); default: the current one with `~R<n>` appended. */
  clientOrderId?: string;
}

/** What a zero-downtime session roll did (POST /api/session/roll; decision 074). */
export interface SessionRoll {
  /** The session it closed. */
  closedSessionId: number;
  /** The session it opened (closedSessionId + 1). */
  sessionId: number;
  /** From the roll's start to the next session open and taking orders, in milliseconds. */
  rollMs: number;
  /** True if the venue did not confirm the end of the day orders in time and the close was forced. */
  forced: boolean;
  /** Requests (new orders, replaces, and what their senders sent after them) that arrived while the session closed, held and sequenced into the next. */
  held: number;
}

export interface SessionView {
  /** 0 before the first session was ever opened. */
  id: number;
  state: SessionState;
  /** Last sequenced seq of this session. */
  seq: number;
  /** Events per second over the last few seconds, as the host measured it. */
  eventRate: number;
}

export interface InstrumentView {
  symbol: string;
  name: string;
  instrumentType: InstrumentType;
  venue: string;
  currency: string;
  tickSize: number;
  lotSize: number;
  /** The reference price in force at the state's seq: risk's latest ReferencePriceMoved, else the opening one. */
  referencePrice: number;
  underlying?: string;
  strike?: number;
  expiry?: string;
  putCall?: string;
  /** Contract multiplier (100 for US equity options; absent: 1). Notional = quantity × price × multiplier. */
  multiplier?: number;
  last?: number;
  bid?: number;
  ask?: number;
}

export interface ClientView {
  clientId: string;
  name: string;
  maxOrderNotional: number;
  maxOpenNotional: number;
  allowedSymbols: string[];
  openNotional: number;
}

/**
 * The answer to a cancel. Normally the cancel is a request the venue (or the
 * log) settles later. Between an explicit close and the next open it is
 * stored and the order is cancelled when the next session opens, before it is
 * routed (decision 130): `queuedForOpen` is then true and `message` says so.
 */
export interface CancelResult {
  orderId: number;
  queuedForOpen?: boolean;
  message?: string;
}

export interface OrderView {
  orderId: number;
  clientId: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  orderType: OrderType;
  quantity: number;
  /** 0 for market orders. */
  price: number;
  timeInForce: TimeInForce;
  state: OrderState;
  /** Where the order stands in the OMS pipeline (pending, accepted, routed, new, …): says which component moves it on. */
  stage?: string;
  filledQuantity: number;
  leavesQuantity: number;
  /** 0 until the first fill. */
  avgPrice: number;
  venue?: string;
  rejectReason?: string;
  /**
   * Sequencer time (µs since epoch) the order was entered (for an order carried from an earlier session: its
   * entry time there; logs written before that was carried give the restore time), and last changed.
   */
  createdTs: number;
  updatedTs: number;
  /** Seqs of the events (this session) that touched the order. */
  eventSeqs: number[];
  /** gtd: when the venue expires the order (ISO 8601, UTC). */
  expireTime?: string;
  /** The clientOrderIds before its replaces, oldest first (FIX OrigClOrdID chain); absent if never replaced. */
  origClientOrderIds?: string[];
  /**
   * True while the order is parked: taken off the venue's book at an explicit
   * close (decision 075), state pending_new, re-entered when the next session
   * opens. Absent otherwise.
   */
  parked?: boolean;
}

export interface FillView {
  execId: number;
  orderId: number;
  symbol: string;
  side: Side;
  quantity: number;
  price: number;
  seq: number;
  ts: number;
}

export interface ComponentView {
  id: string;
  role: string;
  state: LifecycleState;
  lastSeq: number;
  /** How many events behind the sequencer it is. */
  lag: number;
  heartbeatAgeMs: number;
  stale: boolean;
  /** True where the sequenced log names this instance active for its role. */
  active: boolean;
}

export interface AlertView {
  instance: string;
  kind: string;
  message: string;
  seq: number;
  ts: number;
}

export interface StateView {
  session: SessionView;
  instruments: InstrumentView[];
  clients: ClientView[];
  orders: OrderView[];
  fills: FillView[];
  components: ComponentView[];
  alerts: AlertView[];
  /** Set when this view is the time machine's: the seq it was computed at. */
  asOfSeq?: number;
  /**
   * Set when the session has more orders than one page of the state holds:
   * the rest come from `getOrders({ after: ordersAfter })` (issue 11).
   */
  ordersAfter?: number;
  /** Likewise for fills: `getFills({ after: fillsAfter })`. */
  fillsAfter?: number;
  /**
   * A UI subscriber's state (decision 150): the orders in the session, and how
   * many of the newest the reset and the pages after it carry (newest first).
   * When fewer than all, the blotter asks the host for windows (getOrderWindow).
   */
  orderCount?: number;
  ordersShown?: number;
  /** Likewise for fills: the newest `fillsShown` of `fillCount`. */
  fillCount?: number;
  fillsShown?: number;
}

/** Orders of the live session, oldest id first, one page at a time. */
export interface OrderQuery {
  /** Cursor: only orders with an id above this (the `next` of the previous page). */
  after?: number;
  state?: OrderState;
  clientId?: string;
  symbol?: string;
  /** At most this many (default 1,000, at most 10,000). */
  limit?: number;
  /** Time machine: the orders as of this seq (the pages of `getState({seq})`), not the live ones. */
  at?: number;
  /** With `at`: the session (default the live one). */
  session?: number;
}

/** Fills of the live session in log order, one page at a time. */
export interface FillQuery {
  /** Cursor: only fills after this many (the `next` of the previous page). */
  after?: number;
  clientId?: string;
  symbol?: string;
  limit?: number;
  /** Time machine: the fills as of this seq, not the live ones. */
  at?: number;
  /** With `at`: the session (default the live one). */
  session?: number;
}

/** One page of a cursor-paginated list; `next` is absent on the last page. */
export interface Page<T> {
  items: T[];
  next?: number;
}

/** One sequenced event, flattened: envelope fields plus the event's own. */
export interface EventLine {
  session: number;
  seq: number;
  ts: number;
  type: string;
  src: string;
  cseq: number;
  [field: string]: unknown;
}

export interface EventQuery {
  session?: number;
  /** Inclusive. */
  from?: number;
  /** Inclusive. */
  to?: number;
  /** At most this many, the newest when `from` is absent. */
  limit?: number;
}

/**
 * A batch of changes pushed to subscribers, at most a few per second per
 * client however fast events arrive: orders and fills that changed, the
 * latest market data and components. `reset` replaces the whole state.
 */
export interface StateUpdate {
  reset?: StateView;
  session?: SessionView;
  orders?: OrderView[];
  fills?: FillView[];
  instruments?: Pick<InstrumentView, 'symbol' | 'last' | 'bid' | 'ask'>[];
  components?: ComponentView[];
  alerts?: AlertView[];
  events?: EventLine[];
}

/** A point in the log for the time machine: a seq of a session (the latest when absent). */
export interface AsOf {
  session?: number;
  seq: number;
}

/**
 * The request/response methods, derived from the one method table
 * (contract/api-table.ts): each takes its parameters and resolves with a
 * `Result` of its result type.
 */
export type ApiMethods = { [K in ApiMethodName]: (...params: ApiParams<K>) => Promise<Result<ApiResultOf<K>>> };

/** The whole API as every client sees it: the table's methods plus the push stream. */
export interface OrdoApi extends ApiMethods {
  /** Pushes a `reset` first, then batched changes. Returns the unsubscribe function. */
  subscribe(listener: (update: StateUpdate) => void): () => void;
}

export type { ApiMethodName, ApiParams, ApiResultOf } from './api-table.ts';
export { API_MAX_PARAMS, API_METHODS } from './api-table.ts';
export { API_ERROR_STATUS, SEQUENCER_REFUSAL_CODES, isKnownErrorCode } from './api-errors.ts';
export type { ApiErrorCode, KnownErrorCode, OrderRejectCode, SequencerRefusalCode } from './api-errors.ts';
