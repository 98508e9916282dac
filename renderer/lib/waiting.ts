import type { ComponentView } from '../../contract/api.ts';
import { WAITS_ON_ROLE, waitsOnRole } from '../../contract/roles.ts';

/** Which role moves an order on from each state (shared with the heartbeat monitor). */
export const WAITS_ON = WAITS_ON_ROLE;

/** The roles that have an active, running, non-stale instance. */
export function healthyActiveRoles(components: readonly ComponentView[]): Set<string> {
  const roles = new Set<string>();
  for (const c of components) if (c.active && !c.stale && c.state === 'active') roles.add(c.role);
  return roles;
}

/** "waiting: no active router", or undefined when the order's next step has someone to do it. */
export function waitingHint(stage: string | undefined, state: string, roles: ReadonlySet<string>): string | undefined {
  const role = waitsOnRole(stage, state);
  if (role === undefined || roles.has(role)) return undefined;
  return `waiting: no active ${role}`;
}
