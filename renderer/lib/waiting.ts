import type { ComponentView } from '../../contract/api.ts';

/**
 * Which role moves an order on from each state. An order in one of these
 * states while no healthy instance of that role is active is stuck, and its
 * row says so ("waiting: no active router"). States not listed (terminal
 * ones, or ones that wait on the venue) never show a hint. Lifecycle states
 * added later only need a line here.
 */
export const WAITS_ON: Readonly<Record<string, string>> = {
  pending: 'risk',
  pending_new: 'gateway',
  accepted: 'router',
  pending_cancel: 'gateway',
  pending_replace: 'gateway',
};

/** The roles that have an active, running, non-stale instance. */
export function healthyActiveRoles(components: readonly ComponentView[]): Set<string> {
  const roles = new Set<string>();
  for (const c of components) if (c.active && !c.stale && c.state === 'active') roles.add(c.role);
  return roles;
}

/** "waiting: no active router", or undefined when the order's next step has someone to do it. */
export function waitingHint(state: string, roles: ReadonlySet<string>): string | undefined {
  const role = WAITS_ON[state];
  if (role === undefined || roles.has(role)) return undefined;
  return `waiting: no active ${role}`;
}
