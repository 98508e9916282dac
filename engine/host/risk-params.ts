import type { ApiParamTypes } from '../../contract/api-table.ts';
import type { HaltRequest, LimitsChange, RestrictRequest } from '../../contract/risk.ts';
import { parseLimits } from '../oms/exposure/limits.ts';

/** Set by riskParamParsers: throws the transport's bad-request error (validation.ts's BadRequest). */
let bad: (message: string) => never = (m) => {
  throw new Error(m);
};

/** Who asks (`by`): 1-64 letters, digits or _ . @ : - (the log keeps it). */
const WHO = /^[\w.@:-]{1,64}$/;

function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${what}: must be an object`);
  return v as Record<string, unknown>;
}

function who(v: unknown, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !WHO.test(v)) bad(`${what}.by: must be 1-64 letters, digits or _ . @ : -`);
  return v;
}

function reason(v: unknown, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 200) bad(`${what}.reason: must be a string of at most 200 characters`);
  return v;
}

function only(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length > 0) bad(`${what}: unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`);
}

function parseClientId(v: unknown): string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_.-]{1,32}$/.test(v)) bad('clientId: must be 1-32 letters, digits, _ . or -');
  return v;
}

function parseSymbol(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 32) bad('symbol: must be 1-32 characters');
  return v;
}

function parseHalt(v: unknown): HaltRequest {
  const o = object(v, 'halt');
  only(o, ['by', 'reason'], 'halt');
  const out: HaltRequest = {};
  const by = who(o.by, 'halt');
  const text = reason(o.reason, 'halt');
  if (by !== undefined) out.by = by;
  if (text !== undefined) out.reason = text;
  return out;
}

function parseLimitsChange(v: unknown): LimitsChange {
  const { by, ...rest } = object(v, 'limits');
  const limits = parseLimits(rest, 'limits');
  if (typeof limits === 'string') bad(limits);
  const b = who(by, 'limits');
  return b === undefined ? limits : { ...limits, by: b };
}

function parseRestrict(v: unknown): RestrictRequest {
  const o = object(v, 'restrict');
  only(o, ['restricted', 'by', 'reason'], 'restrict');
  if (typeof o.restricted !== 'boolean') bad('restrict.restricted: must be true or false');
  const out: RestrictRequest = { restricted: o.restricted };
  const by = who(o.by, 'restrict');
  const text = reason(o.reason, 'restrict');
  if (by !== undefined) out.by = by;
  if (text !== undefined) out.reason = text;
  return out;
}

/**
 * Risk's parameter kinds of the method table (merged into PARAM_PARSERS);
 * `fail` throws the bad-request error naming the field.
 */
export function riskParamParsers(fail: (message: string) => never): { readonly [K in 'clientId' | 'halt' | 'limits' | 'symbol' | 'restrict']: (v: unknown) => ApiParamTypes[K] } {
  bad = fail;
  return { clientId: parseClientId, halt: parseHalt, limits: parseLimitsChange, symbol: parseSymbol, restrict: parseRestrict };
}
