import type { ServerResponse } from 'node:http';
import { API_ERROR_STATUS, isKnownErrorCode, type ApiError, type ApiErrorCode, type Result } from '../../../contract/api.ts';
import { BadRequest } from '../validation.ts';
import { isReasonName } from '../../protocol/reasons.ts';
import { log } from '../../log.ts';

/** A refusal of the HTTP layer itself (auth, size, route), with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** Headers the answer carries besides the JSON ones (a 405's `Allow`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Any error as the API's error value: BadRequest and HttpError keep their code, anything else is INTERNAL. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof BadRequest) return { code: 'BAD_REQUEST', message: err.message };
  if (err instanceof HttpError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: `internal error: ${(err as Error).message ?? String(err)}` };
}

/**
 * The HTTP status of an error code: the contract's table, 409 Conflict for an
 * order rule's reject reason, and 500 (logged) for a code listed nowhere:
 * that is a bug to fix by listing it, not a refusal to guess at.
 */
export function httpStatusOf(code: ApiErrorCode): number {
  if (isKnownErrorCode(code)) return API_ERROR_STATUS[code];
  if (isReasonName(code) || /^REASON_\d+$/.test(code)) return 409;
  log.warn(`api: error code '${code}' is listed neither in contract/api-errors.ts nor as a reject reason; answered 500`);
  return 500;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

/** A result as HTTP: 200 and the value, or the error code's status and `{ error }`. */
export function sendResult(res: ServerResponse, result: Result<unknown>): void {
  if (result.ok) sendJson(res, 200, result.value);
  else sendJson(res, httpStatusOf(result.error.code), { error: result.error });
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = err instanceof HttpError ? err.status : err instanceof BadRequest ? 400 : 500;
  sendJson(res, status, { error: toApiError(err) }, err instanceof HttpError ? err.headers : {});
}
