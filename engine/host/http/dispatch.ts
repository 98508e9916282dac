import { API_TABLE, isApiMethodName, parseParams } from '../../../contract/api-table.ts';
import type { ApiMethods, Result } from '../../../contract/api.ts';
import { PARAM_PARSERS } from '../validation.ts';
import { toApiError } from './errors.ts';

/**
 * One call by name, for every transport (WebSocket, REST, and IPC through
 * the WebSocket): the method table parses the raw params, the API runs.
 * Never throws: a bad name is NOT_FOUND, bad params BAD_REQUEST.
 */
export async function dispatch(api: ApiMethods, name: unknown, rawParams: unknown): Promise<Result<unknown>> {
  if (!isApiMethodName(name)) return { ok: false, error: { code: 'NOT_FOUND', message: `no API method '${String(name)}'` } };
  // Params that are no array, or more than the method takes, were dropped unseen: `getState` with `{"seq": 1}`
  // answered the live state, not seq 1's (round 19, outside; decision 302).
  const most = API_TABLE[name].params.length;
  if (rawParams !== undefined && !Array.isArray(rawParams)) return badParams(`params of ${name} must be an array of its arguments (at most ${args(most)})`);
  if (rawParams !== undefined && rawParams.length > most) return badParams(`${name} takes at most ${args(most)}, got ${rawParams.length}`);
  try {
    const params = parseParams(name, rawParams, PARAM_PARSERS);
    const fn = api[name] as (...p: unknown[]) => Promise<Result<unknown>>;
    return await fn.apply(api, params);
  } catch (err) {
    return { ok: false, error: toApiError(err) };
  }
}

function badParams(message: string): Result<never> {
  return { ok: false, error: { code: 'BAD_REQUEST', message } };
}

function args(n: number): string {
  return `${n} argument${n === 1 ? '' : 's'}`;
}
