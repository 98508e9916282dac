import { isApiMethodName, parseParams } from '../../../contract/api-table.ts';
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
  try {
    const params = parseParams(name, rawParams, PARAM_PARSERS);
    const fn = api[name] as (...p: unknown[]) => Promise<Result<unknown>>;
    return await fn.apply(api, params);
  } catch (err) {
    return { ok: false, error: toApiError(err) };
  }
}
