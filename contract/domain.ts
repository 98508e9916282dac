/**
 * Domain vocabulary shared by the engine, the API and the UI. Plain data, no
 * imports: every layer may depend on this file.
 */
export const SIDES = ['buy', 'sell'] as const;
export const ORDER_TYPES = ['limit', 'market'] as const;
/** Appended only: the engine's wire format encodes these by index. fok: fill or kill; gtd: good till a date-time. */
export const TIME_IN_FORCE = ['day', 'ioc', 'gtc', 'fok', 'gtd'] as const;
export const INSTRUMENT_TYPES = ['equity', 'option'] as const;
/**
 * Order states as FIX 4.4 OrdStatus names them (what users, the API and the
 * FIX acceptor see). pending_new: sequenced, not yet decided by risk or not
 * yet acknowledged by the venue; new: live at the venue; pending_cancel /
 * pending_replace: a cancel / replace is in flight to the venue. A replaced
 * order lives on under its new terms (new or partially_filled). See
 * docs/decisions/070-order-lifecycle.md.
 */
export const ORDER_STATES = [
  'pending_new',
  'new',
  'partially_filled',
  'filled',
  'pending_cancel',
  'pending_replace',
  'cancelled',
  'rejected',
  'expired',
] as const;
export const TERMINAL_STATES: readonly OrderState[] = ['rejected', 'filled', 'cancelled', 'expired'];
export const SESSION_STATES = ['none', 'opening', 'open', 'closing', 'closed'] as const;
export const LIFECYCLE_STATES = ['starting', 'rewinding', 'caught_up', 'active', 'standby', 'stopped'] as const;
export const COMPONENT_ACTIONS = ['activate', 'deactivate', 'shutdown'] as const;

export type Side = (typeof SIDES)[number];
export type OrderType = (typeof ORDER_TYPES)[number];
export type TimeInForce = (typeof TIME_IN_FORCE)[number];
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];
export type OrderState = (typeof ORDER_STATES)[number];
export type SessionState = (typeof SESSION_STATES)[number];
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];
export type ComponentAction = (typeof COMPONENT_ACTIONS)[number];
