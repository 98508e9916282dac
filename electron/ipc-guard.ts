import { API_MAX_PARAMS, API_METHODS, type ApiError, type ApiMethodName } from '../contract/api.ts';

/**
 * The checks main runs on every IPC message before it reaches the host. Kept
 * apart from main.ts (and free of `electron` imports) so tests can run them.
 */

/** The one channel prefix between preload and main. */
export const CHANNEL = {
  call: 'ordo:call',
  subscribe: 'ordo:subscribe',
  unsubscribe: 'ordo:unsubscribe',
  push: 'ordo:push',
} as const;

/** Most parameters any API method takes, from the method table. */
const MAX_PARAMS = API_MAX_PARAMS;

/**
 * True when `frameUrl` is the app's own page: the same file:// document,
 * whatever its query or hash. Anything else (another file, an http page, a
 * frame that navigated away or is gone) is refused.
 */
export function isTrustedSender(frameUrl: string | undefined, pageUrl: string): boolean {
  if (!frameUrl) return false;
  let frame: URL;
  let page: URL;
  try {
    frame = new URL(frameUrl);
    page = new URL(pageUrl);
  } catch {
    return false;
  }
  return frame.protocol === 'file:' && page.protocol === 'file:' && frame.host === page.host && frame.pathname === page.pathname;
}

export function isApiMethod(method: unknown): method is ApiMethodName {
  return typeof method === 'string' && (API_METHODS as readonly string[]).includes(method);
}

export type CheckedCall = { ok: true; method: ApiMethodName; params: unknown[] } | { ok: false; error: ApiError };

/**
 * Checks the shape of a call from the renderer: a known method and an array
 * of at most two parameters. The host validates the parameters themselves.
 */
export function checkCall(method: unknown, params: unknown): CheckedCall {
  if (!isApiMethod(method)) return { ok: false, error: { code: 'NOT_FOUND', message: `no API method '${String(method)}'` } };
  if (!Array.isArray(params) || params.length > MAX_PARAMS) {
    return { ok: false, error: { code: 'BAD_REQUEST', message: `${method}: params must be an array of at most ${MAX_PARAMS} values` } };
  }
  return { ok: true, method, params };
}
