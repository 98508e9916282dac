import type { OrderState, OrderType, SessionState, Side, TimeInForce } from '../../contract/domain.ts';
import type { EventOf, OrderStage } from '../protocol/events.ts';

/** What the OMS projection exposes to its readers (components, views, snapshots, the hash). */

/** Open notional is kept in integer units of 1/10,000 of the quote currency, so sums never drift. */
export const NOTIONAL_SCALE = 10_000;

export type VenueInfo = Readonly<Omit<EventOf<'VenueAdded'>, 'type'>>;
export type InstrumentInfo = Readonly<Omit<EventOf<'InstrumentAdded'>, 'type'>>;
export type ClientInfo = Readonly<Omit<EventOf<'ClientAdded'>, 'type'>>;

/** Session-level state as the log tells it. */
export interface SessionInfo {
  /** 0 before any SessionOpened. */
  readonly id: number;
  readonly state: SessionState;
  readonly previousSessionId: number;
  readonly orderIdBase: number;
  /** Orders restored from the previous session (SessionReady), and carried to the next (SessionClosed). */
  readonly restoredOrders: number;
  readonly carriedOrders: number;
  /** The session is closing as part of a roll: the next one opens as soon as it has closed (decision 074). */
  readonly rolling?: boolean;
}

/** An order as the projection holds it (read-only to everyone but the projection). */
export interface ReadonlyOrder {
  readonly orderId: number;
  readonly clientId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly quantity: number;
  /** 0 for market orders. */
  readonly price: number;
  /** The FIX 4.4 order state users and the API see (derived from `stage` and the request in flight; docs/decisions/070). */
  readonly state: OrderState;
  /** Where the order stands in the OMS pipeline (ORDER_STAGES). */
  readonly stage: OrderStage;
  readonly filledQuantity: number;
  /** quantity - filled while live, 0 once terminal. */
  readonly leavesQuantity: number;
  /** Volume-weighted average fill price, 0 until the first fill. */
  readonly avgPrice: number;
  readonly venue: string | undefined;
  /** Reason code of OrderRejected / VenueRejected, 0 otherwise. */
  readonly rejectCode: number;
  /** `REASON_NAME: text` of the rejection, if rejected. */
  readonly rejectReason: string | undefined;
  /** Sequencer time (µs) this session's log first saw the order (its OrderPending, or its OrderRestored). */
  readonly createdTs: number;
  /** When the order was entered (µs): `createdTs`, or for an order carried from an earlier session its entry time there. */
  readonly enteredTs: number;
  readonly updatedTs: number;
  /** Seqs (this session) of every event that touched the order, ascending; a fresh array per read. */
  readonly eventSeqs: readonly number[];
  /** A ReplaceRequested is waiting for OrderReplaced / ReplaceRejected. */
  readonly replacePending: boolean;
  /** A CancelRequested was seen and the order is still live. */
  readonly cancelPending: boolean;
  /** Price used for open notional: the limit price, or the reference price at entry for market orders. */
  readonly valuationPrice: number;
  /** gtd: expiry time, µs since the Unix epoch; 0 otherwise. */
  readonly expireAt: number;
  /** How many replaces took effect. */
  readonly replaceCount: number;
  /** The clientOrderIds the order had before its replaces, oldest first (FIX OrigClOrdID chain); empty if never replaced. */
  readonly origClientOrderIds: readonly string[];
}

/** A cancel or replace request the projection refused at its seq. */
export interface RequestRefusal {
  readonly seq: number;
  readonly orderId: number;
  readonly reason: number;
  readonly text: string;
}

/** The terms an order was entered with (before any replace): what idempotent entry compares. */
export interface OriginalTerms extends Pick<ReadonlyOrder, 'symbol' | 'side' | 'orderType' | 'timeInForce' | 'quantity' | 'price'> {
  /** gtd only. */
  readonly expireAt?: number;
  /** Risk's flags on the order (OrderPending.locate / intentional), present only when true. */
  readonly locate?: boolean;
  readonly intentional?: boolean;
}

/** A fill, in log order. */
export interface FillRecord {
  readonly execId: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  readonly seq: number;
  readonly ts: number;
}

/** An alert raised and not yet cleared. */
export interface AlertRecord {
  readonly instance: string;
  readonly kind: string;
  readonly message: string;
  readonly seq: number;
  readonly ts: number;
}

/** Per-client state: static limits (once ClientAdded is seen), exposure and clientOrderId index. */
export interface ReadonlyClient {
  readonly clientId: string;
  /** Undefined while the client is unknown (orders may name a client that was never added). */
  readonly info: ClientInfo | undefined;
  /** Sum over non-terminal orders of leaves × valuation price. */
  readonly openNotional: number;
  /** True when the client may trade `symbol` (allowedSymbols lists it, or is "*"). */
  allows(symbol: string): boolean;
}

/** True for filled, cancelled, rejected and expired. */
export function isTerminal(state: OrderState): boolean {
  return state === 'filled' || state === 'cancelled' || state === 'rejected' || state === 'expired';
}

