/**
 * Which role moves an order on from each state: an order in one of these
 * states while no healthy instance of the role is active is stuck. Shared by
 * the heartbeat monitor (it raises an `unattended` alert) and the UI (the
 * row says "waiting: no active router"). Plain data, no imports. States not
 * listed wait on nobody in the OMS (terminal, or at the venue); an order
 * with a cancel or replace in flight waits on the gateway.
 */
export const WAITS_ON_ROLE: Readonly<Record<string, string>> = {
  pending: 'risk',
  pending_new: 'gateway',
  accepted: 'router',
  pending_cancel: 'gateway',
  pending_replace: 'gateway',
};

/** Alert kinds the heartbeat monitor raises. */
export const ALERT_KINDS = {
  /** No heartbeat for longer than the stale limit. */
  stale: 'stale',
  /** The component reported itself stopped (shut down, crashed out). */
  stopped: 'stopped',
  /** Orders wait on a role that has no healthy active instance; the alert's instance is `role:<name>`. */
  unattended: 'unattended',
} as const;
