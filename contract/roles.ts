/**
 * Which role moves an order on from each state: an order in one of these
 * states while no healthy instance of the role is active is stuck. Shared by
 * the heartbeat monitor (it raises an `unattended` alert) and the UI (the
 * row says "waiting: no active router"). Plain data, no imports. States not
 * listed wait on nobody in the OMS (terminal, or at the venue); an order
 * with a cancel or replace in flight waits on the gateway.
 */
export const WAITS_ON_ROLE: Readonly<Record<string, string>> = {
  // Pipeline stages (OrderView.stage): a pending_new order waits on risk, the router or the gateway.
  pending: 'risk',
  accepted: 'router',
  routed: 'gateway',
  // Order states: a request in flight waits on the gateway.
  pending_cancel: 'gateway',
  pending_replace: 'gateway',
};

/** The role an order at `stage` in `state` waits on, if any (stage first: it says which step is next). */
export function waitsOnRole(stage: string | undefined, state: string): string | undefined {
  return (stage !== undefined ? WAITS_ON_ROLE[stage] : undefined) ?? WAITS_ON_ROLE[state];
}

/** Alert kinds the heartbeat monitor raises. */
export const ALERT_KINDS = {
  /** No heartbeat for longer than the stale limit. */
  stale: 'stale',
  /** The component reported itself stopped (shut down, crashed out). */
  stopped: 'stopped',
  /** Orders wait on a role that has no healthy active instance; the alert's instance is `role:<name>`. */
  unattended: 'unattended',
} as const;
