import { INSTRUMENT_TYPES, ORDER_TYPES, SIDES, TIME_IN_FORCE } from '../../contract/domain.ts';
import { RISK_EVENT_DEFS } from './risk-events.ts';
import { compileSchemas, type MessageDef, type MessageUnion } from './schema.ts';

export {
  INSTRUMENT_TYPES,
  ORDER_STATES,
  ORDER_TYPES,
  SIDES,
  TIME_IN_FORCE,
  type InstrumentType,
  type OrderState,
  type OrderType,
  type Side,
  type TimeInForce,
} from '../../contract/domain.ts';

/**
 * Where an order stands in the OMS pipeline (the OrderRestored.state wire
 * enum, encoded by index: append only). `pending`: waiting for risk;
 * `accepted`: waiting for the router; `routed`: sent to the venue, not yet
 * acknowledged; `new`: acknowledged by the venue (live there). Users and the
 * API see FIX 4.4 order states derived from it (see oms/order-state.ts).
 */
export const ORDER_STAGES = [
  'pending',
  'accepted',
  'rejected',
  'routed',
  'partially_filled',
  'filled',
  'cancelled',
  'expired',
  'new',
] as const;
export type OrderStage = (typeof ORDER_STAGES)[number];

/** The fields of a new order, shared by OrderPending and OrderRestored (in wire order). */
const NEW_ORDER_FIELDS = {
  orderId: 'uint',
  clientId: 'str',
  clientOrderId: 'str',
  symbol: 'str',
  side: SIDES,
  orderType: ORDER_TYPES,
  timeInForce: TIME_IN_FORCE,
  quantity: 'uint',
  price: 'f64',
} as const;

/**
 * Every event the sequencer can emit. Codes are the wire format and never
 * change meaning; new fields are only ever appended as optional (see codec).
 * A message's FIRST optional field adds a presence mask to its layout: bump
 * CODEC_VERSION (codec.ts) and set `maskSince` to the new version (decision
 * 068); test/engine/codec-versions.test.ts holds every version's layout.
 * Ranges: 1-19 session, 20-29 components, 30-39 static data, 40-69 orders
 * (54-69 and 5-12: the order lifecycle of issue #10), 70-89 risk (issue #12).
 */
export const EVENT_DEFS = {
  SessionOpened: { code: 1, fields: { sessionId: 'uint', previousSessionId: 'uint', orderIdBase: 'uint' } },
  SessionReady: { code: 2, fields: { restoredOrders: 'uint' } },
  /** roll: the close of a session roll: the next session opens in the same transaction as SessionClosed (decision 074). */
  SessionClosing: { code: 3, fields: { roll: 'bool?' }, maskSince: 2 },
  SessionClosed: { code: 4, fields: { carriedOrders: 'uint' } },

  ComponentActivated: { code: 20, fields: { role: 'str', instance: 'str' } },
  ComponentDeactivated: { code: 21, fields: { role: 'str', instance: 'str' } },
  ComponentStopped: { code: 22, fields: { role: 'str', instance: 'str' } },
  AlertRaised: { code: 23, fields: { instance: 'str', kind: 'str', message: 'str' } },
  AlertCleared: { code: 24, fields: { instance: 'str', kind: 'str' } },

  VenueAdded: { code: 30, fields: { venueId: 'str', name: 'str' } },
  InstrumentAdded: {
    code: 31,
    fields: {
      symbol: 'str',
      name: 'str',
      instrumentType: INSTRUMENT_TYPES,
      venue: 'str',
      currency: 'str',
      tickSize: 'f64',
      lotSize: 'uint',
      referencePrice: 'f64',
      underlying: 'str?',
      strike: 'f64?',
      expiry: 'str?',
      putCall: 'str?',
      /** The round lot, information only: lotSize is the trading increment (odd and mixed lots trade). */
      roundLot: 'uint?',
      /** Contract multiplier (100 for US equity options); absent means 1. */
      multiplier: 'f64?',
    },
  },
  ClientAdded: {
    code: 32,
    fields: {
      clientId: 'str',
      name: 'str',
      maxOrderNotional: 'f64',
      maxOpenNotional: 'f64',
      allowedSymbols: 'strs',
      // Risk's further limits (see LimitsChanged for their meaning); absent: not limited / defaults.
      maxOrderQuantity: 'f64?',
      maxGrossPosition: 'f64?',
      maxNetPosition: 'f64?',
      requireLocate: 'bool?',
      duplicateWindowMs: 'f64?',
    },
    maskSince: 2,
  },

  OrderPending: {
    code: 40,
    fields: {
      ...NEW_ORDER_FIELDS,
      /** gtd orders' expiry time, µs since the Unix epoch. */
      expireAt: 'uint?',
      /** Short sale: the trader has a locate for the shares (risk's short-sale check). */
      locate: 'bool?',
      /** The trader means to send the same order again (risk's duplicate check lets it through). */
      intentional: 'bool?',
    },
    maskSince: 2,
  },
  OrderAccepted: { code: 41, fields: { orderId: 'uint' } },
  OrderRejected: { code: 42, fields: { orderId: 'uint', reason: 'uint', text: 'str' } },
  OrderRouted: { code: 43, fields: { orderId: 'uint', venue: 'str' } },
  OrderExecuted: { code: 44, fields: { orderId: 'uint', execId: 'uint', fillQty: 'uint', fillPrice: 'f64' } },
  OrderCancelled: { code: 45, fields: { orderId: 'uint', reason: 'uint' } },
  OrderExpired: { code: 46, fields: { orderId: 'uint', reason: 'uint' } },
  VenueRejected: { code: 47, fields: { orderId: 'uint', reason: 'uint', text: 'str' } },
  /** clientOrderId: the cancel request's own id (FIX ClOrdID of the cancel; OrigClOrdID is the order's). */
  CancelRequested: { code: 48, fields: { orderId: 'uint', clientOrderId: 'str?' }, maskSince: 2 },
  CancelRejected: { code: 49, fields: { orderId: 'uint', reason: 'uint', text: 'str' } },
  /** clientOrderId: the order's id under its new terms (FIX ClOrdID; OrigClOrdID is the one it replaces). */
  ReplaceRequested: { code: 50, fields: { orderId: 'uint', quantity: 'uint', price: 'f64', clientOrderId: 'str?' }, maskSince: 2 },
  OrderReplaced: { code: 51, fields: { orderId: 'uint', quantity: 'uint', price: 'f64' } },
  ReplaceRejected: { code: 52, fields: { orderId: 'uint', reason: 'uint', text: 'str' } },
  OrderRestored: {
    code: 53,
    fields: {
      ...NEW_ORDER_FIELDS,
      state: ORDER_STAGES,
      filledQuantity: 'uint',
      avgPrice: 'f64',
      venue: 'str?',
      expireAt: 'uint?',
      // Carried across the session boundary (decision 075), appended: older logs decode unchanged.
      /** The OrigClOrdID chain, oldest first (the first is the clientOrderId the order was entered with); absent: never replaced. */
      origClientOrderIds: 'strs?',
      /** The terms the order was entered with, when a replace changed them (idempotent entry compares against these). */
      enteredQuantity: 'uint?',
      enteredPrice: 'f64?',
      /** Risk's flags from OrderPending (idempotent entry compares them too). */
      locate: 'bool?',
      intentional: 'bool?',
      /** A cancel sent to the venue before the boundary and not yet answered: the order stays pending_cancel. */
      cancelPending: 'bool?',
      /** A replace sent to the venue before the boundary and not yet answered, with its new clientOrderId. */
      replacePendingClientOrderId: 'str?',
      replacePendingQuantity: 'uint?',
      replacePendingPrice: 'f64?',
      /** When the order was entered (µs, its OrderPending's sequencer time in the session it was entered in); absent in older logs. */
      enteredTs: 'uint?',
    },
  },
  /** The venue acknowledged the order: it is live there (FIX ExecType New). */
  OrderAcknowledged: { code: 54, fields: { orderId: 'uint' } },
  /**
   * An explicit session close took the order off the venue's book (the venue's
   * Expired{SESSION_PARKED}): it holds no live quantity there; the order stays
   * live in the OMS, is carried, and is re-entered at the next open (decision 075).
   */
  OrderParked: { code: 55, fields: { orderId: 'uint' } },

  // 70-89 risk: limits, restricted list, kill switch, marks, expiries, collars, carried positions.
  ...RISK_EVENT_DEFS,
} as const satisfies Record<string, MessageDef>;

export type EventDefs = typeof EVENT_DEFS;
export type OrdoEvent = MessageUnion<EventDefs>;
export type EventType = OrdoEvent['type'];
export type EventOf<T extends EventType> = Extract<OrdoEvent, { type: T }>;

export const EVENT_SPECS = compileSchemas(EVENT_DEFS);

/**
 * Control commands: requests the sequencer itself carries out (they expand
 * into several events), as opposed to event requests that it stamps as-is.
 */
export const CONTROL_DEFS = {
  OpenSession: { code: 200, fields: {} },
  /**
   * Starts closing (SessionClosing); the session closes once the policy says
   * every order that must end with it did (confirmed by the venue). `force`
   * on a closing session ends it now (the policy's forced closing events).
   */
  CloseSession: { code: 201, fields: { force: 'bool?' }, maskSince: 2 },
  /**
   * Zero-downtime roll (decision 074): closes the open session like
   * CloseSession and, in the same transaction as its SessionClosed, opens the
   * next; new orders and replaces that arrive meanwhile are held by the
   * sequencer and sequenced into the new session.
   */
  RollSession: { code: 206, fields: {} },
} as const satisfies Record<string, MessageDef>;

export type ControlCommand = MessageUnion<typeof CONTROL_DEFS>;

/** A command body is either an event to emit or a control command. */
export type CommandBody = OrdoEvent | ControlCommand;

export const COMMAND_SPECS = compileSchemas({ ...EVENT_DEFS, ...CONTROL_DEFS });

/** An event as the sequencer emitted it. */
export interface Sequenced {
  /** Gap-free from 1 within the session. */
  readonly seq: number;
  /** Sequencer time, microseconds since the Unix epoch. */
  readonly ts: number;
  /** Component instance whose command this came from ('sequencer' for its own). */
  readonly src: string;
  /** That component's command number (0 for the sequencer's own events). */
  readonly cseq: number;
  readonly event: OrdoEvent;
}

/** A command as a component sends it. */
export interface Command {
  readonly src: string;
  /** Strictly increasing per component instance; duplicates are dropped. */
  readonly cseq: number;
  readonly body: CommandBody;
}
