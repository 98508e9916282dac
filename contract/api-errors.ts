/**
 * Every error code the API answers with that is not an order rule's reject
 * reason, and the HTTP status a REST client sees for it. The table is the one
 * spelling of each code: use `ApiErrorCode`, never a bare string.
 */
export const API_ERROR_STATUS = {
  // The API and its transports.
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  TOO_LARGE: 413,
  /** A request body not declared `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  /** A client gave up waiting for a reply (never sent by the host). */
  TIMEOUT: 504,
  // The sequencer's refusals (see SEQUENCER_REFUSAL_CODES).
  BAD_COMMAND: 409,
  DUPLICATE: 409,
  NOT_ACTIVE: 409,
  SESSION_ALREADY_OPEN: 409,
  SESSION_NOT_OPEN: 409,
  /** The session is closing: no new orders or replaces (cancels are still taken). */
  SESSION_CLOSING: 409,
  STORAGE_UNAVAILABLE: 503,
  /**
   * Not a failure: the sequencer's answer to a cancel it stored while no
   * session is open, applied at the next open (decision 130). The client
   * proxy turns it into a success (`queuedForOpen`); never an API error.
   */
  QUEUED_FOR_OPEN: 202,
  // The host's refusals.
  COMPONENT_STOPPED: 409,
  /** Restart asked of a component that runs in another process (restart it there). */
  NOT_SUPERVISED: 409,
  /** The component is already being restarted. */
  BUSY: 409,
  /** The one reject reason with its own status: the order id names nothing. */
  UNKNOWN_ORDER: 404,
} as const satisfies Record<string, number>;

export type KnownErrorCode = keyof typeof API_ERROR_STATUS;

/** Why the sequencer refused a command (in-process or over the bus). */
export const SEQUENCER_REFUSAL_CODES = [
  'BAD_COMMAND',
  'DUPLICATE',
  'NOT_ACTIVE',
  'FORBIDDEN',
  'SESSION_ALREADY_OPEN',
  'SESSION_NOT_OPEN',
  'SESSION_CLOSING',
  'STORAGE_UNAVAILABLE',
  'UNAVAILABLE',
  'QUEUED_FOR_OPEN',
] as const satisfies readonly KnownErrorCode[];
export type SequencerRefusalCode = (typeof SEQUENCER_REFUSAL_CODES)[number];

/**
 * The refusal that means "the event log cannot write now; nothing was lost,
 * send it again": the one spelling of it (sequencer, gateway, runtime).
 */
export const STORAGE_UNAVAILABLE = 'STORAGE_UNAVAILABLE' as const satisfies SequencerRefusalCode;

/**
 * An order rule's reject: the reason's name from the engine's reason table
 * (PRICE_OFF_TICK, ORDER_NOTIONAL_LIMIT…, or REASON_<n> for one this build
 * does not know). Contract cannot list them (they belong to the engine); the
 * host answers each with 409 Conflict and any other unlisted code with 500.
 */
export type OrderRejectCode = string & { readonly __orderReject?: never };

/** Every `ApiError.code`: a listed code, or an order rule's reject reason. */
export type ApiErrorCode = KnownErrorCode | OrderRejectCode;

export function isKnownErrorCode(code: string): code is KnownErrorCode {
  return Object.prototype.hasOwnProperty.call(API_ERROR_STATUS, code);
}
