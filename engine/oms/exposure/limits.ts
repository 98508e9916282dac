import type { ClientLimits } from '../../../contract/risk.ts';
import type { EventOf } from '../../protocol/events.ts';

/**
 * A client's risk limits: the contract's ClientLimits (one list of the
 * fields). Notional limits are money (quantity × price × multiplier); an
 * absent limit does not apply. `maxOpenNotional` is the credit limit: open
 * plus executed notional of the session.
 */
export type Limits = ClientLimits;

/** Same client, instrument, side, quantity and price within this many ms: a duplicate. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 2000;

/** The limit fields, in LimitsChanged's wire order. */
export const LIMIT_FIELDS = [
  'maxOrderQuantity', 'maxOrderNotional', 'maxOpenNotional', 'maxGrossPosition', 'maxNetPosition', 'requireLocate', 'duplicateWindowMs',
] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];

/** The limit fields a LimitsChanged or ClientAdded carries (the others stay as they are). */
export function limitsOf(ev: Omit<EventOf<'LimitsChanged'>, 'type'> | Omit<EventOf<'ClientAdded'>, 'type'> | Limits): Limits {
  const out: Limits = {};
  for (const f of LIMIT_FIELDS) {
    const v = (ev as Limits)[f];
    if (v !== undefined) (out as Record<string, unknown>)[f] = v;
  }
  return out;
}

/**
 * Validates a limits object from outside (API body, --limits file). Returns
 * the limits, or a one-line problem naming the field.
 */
export function parseLimits(json: unknown, where: string): Limits | string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return `${where}: must be an object of limits`;
  const out: Limits = {};
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (!(LIMIT_FIELDS as readonly string[]).includes(k)) return `${where}.${k}: unknown limit (one of ${LIMIT_FIELDS.join(', ')})`;
    if (k === 'requireLocate') {
      if (typeof v !== 'boolean') return `${where}.${k}: must be true or false`;
    } else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `${where}.${k}: must be a number >= 0`;
    (out as Record<string, unknown>)[k] = v;
  }
  if (Object.keys(out).length === 0) return `${where}: names no limit (one of ${LIMIT_FIELDS.join(', ')})`;
  return out;
}
