import type { ApiMethodName, ApiMethods, Result, StateUpdate } from './api.ts';

/**
 * The WebSocket protocol that carries the typed API to a browser. The socket
 * URL is `/ws?token=TOKEN` on the host's HTTP port; one socket per client.
 *
 * client → host: a call   `{ id, method, params }`
 * host → client: a reply  `{ id, result }` (exactly one per call)
 *                a push   `{ push }` (after a `subscribe` call: `reset` first, then batched changes)
 */
export interface WireCall<M extends ApiMethodName = ApiMethodName> {
  id: number;
  method: M | 'subscribe';
  params: M extends ApiMethodName ? Parameters<ApiMethods[M]> : [];
}

export interface WireReply {
  id: number;
  result: Result<unknown>;
}

export interface WirePush {
  push: StateUpdate;
}

export type WireMessage = WireReply | WirePush;
