import { API_METHODS, type ApiMethods, type OrdoApi, type StateUpdate } from '../../contract/api.ts';
import { WireConnection, type SocketLike } from '../../contract/wire-connection.ts';
import { backoffDelay } from '../../contract/backoff.ts';
import type { ClientApi, ConnectionInfo, ConnectionSource } from './connection.ts';

export type { SocketLike } from '../../contract/wire-connection.ts';

export interface WsClientOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** A call with no reply after this long resolves with a TIMEOUT error. */
  callTimeoutMs?: number;
  backoff?: (attempt: number) => number;
  now?: () => number;
}

/**
 * `OrdoApi` over the WebSocket protocol of contract/wire.ts: the shared
 * WireConnection (calls that resolve once and never queue, subscribe per
 * socket, reconnect with backoff) plus what the screen needs: one function
 * per method of the table, pushes fanned out to every listener, and the
 * connection's status for the status bar.
 */
export function createWsApi(options: WsClientOptions): ClientApi {
  const listeners = new Set<(u: StateUpdate) => void>();
  const connListeners = new Set<(i: ConnectionInfo) => void>();
  let info: ConnectionInfo = { status: 'connecting', attempt: 0, transport: 'ws' };

  const conn = new WireConnection({
    url: options.url,
    createSocket: options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike),
    peer: 'the host',
    callTimeoutMs: options.callTimeoutMs ?? 30_000,
    backoff: options.backoff ?? ((attempt: number) => backoffDelay(attempt)),
    ...(options.now ? { now: options.now } : {}),
    onPush(push) {
      for (const l of listeners) {
        try {
          l(push);
        } catch (err) {
          console.error('ordo: push listener failed', err);
        }
      }
    },
    onStatus(status) {
      info = { ...status, transport: 'ws' };
      for (const l of connListeners) l(info);
    },
    onUndecodable: () => console.warn('ordo: undecodable message from host'),
  });

  const connection: ConnectionSource = {
    get: () => info,
    subscribe(listener) {
      connListeners.add(listener);
      return () => connListeners.delete(listener);
    },
  };

  // One function per method of the table, each a call over the socket.
  const methods = Object.fromEntries(API_METHODS.map((name) => [name, (...params: unknown[]) => conn.call(name, params)])) as unknown as ApiMethods;

  const api: OrdoApi = {
    ...methods,
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) {
        conn.subscribe();
      } else {
        // The host sends its `reset` to the socket once; a later listener
        // gets its own from a fresh state read.
        void api.getState().then((r) => {
          if (r.ok && listeners.has(listener)) listener({ reset: r.value });
        });
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) conn.unsubscribe();
      };
    },
  };

  conn.start();

  return {
    ...api,
    connection,
    close: () => conn.close('Client closed'),
  };
}
