import { API_METHODS, type ApiMethods, type OrdoApi, type StateUpdate } from '../../contract/api.ts';
import { WireCalls } from '../../contract/wire-calls.ts';
import { backoffDelay } from './backoff.ts';
import type { ClientApi, ConnectionInfo, ConnectionSource } from './connection.ts';

/** The part of the DOM WebSocket the client uses, so tests can pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface WsClientOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** A call with no reply after this long resolves with a TIMEOUT error. */
  callTimeoutMs?: number;
  backoff?: (attempt: number) => number;
  now?: () => number;
}

const OPEN = 1;

/**
 * `OrdoApi` over the WebSocket protocol of contract/wire.ts.
 *
 * - Every call gets a fresh id and resolves with exactly one reply. Calls
 *   made while disconnected resolve at once with UNAVAILABLE rather than
 *   being queued: an order typed before an outage must not leave minutes
 *   later. Calls in flight when the socket drops resolve with UNAVAILABLE
 *   too; their outcome shows up in the state after the reconnect.
 * - One `subscribe` call per socket while anyone listens; the host answers
 *   with a `reset` and then batched pushes, fanned out to every listener.
 * - A dropped socket reconnects with exponential backoff and subscribes
 *   again, so the host sends a fresh `reset` that replaces stale state.
 */
export function createWsApi(options: WsClientOptions): ClientApi {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;
  const backoff = options.backoff ?? ((attempt: number) => backoffDelay(attempt));
  const now = options.now ?? (() => Date.now());

  let socket: SocketLike | undefined;
  let closed = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  const calls = new WireCalls(callTimeoutMs, 'the host');
  const listeners = new Set<(u: StateUpdate) => void>();
  const connListeners = new Set<(i: ConnectionInfo) => void>();
  let info: ConnectionInfo = { status: 'connecting', attempt: 0, transport: 'ws' };

  function setInfo(next: ConnectionInfo): void {
    info = next;
    for (const l of connListeners) l(info);
  }

  function send(text: string): boolean {
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(text);
    return true;
  }

  function sendSubscribe(): void {
    // Not open yet: `onopen` subscribes.
    if (!socket || socket.readyState !== OPEN) return;
    // The reply to `subscribe` carries nothing the UI needs; a failure is
    // worth showing, though, as no pushes will follow.
    void calls.call('subscribe', [], send).then((r) => {
      // UNAVAILABLE: the socket dropped, which the status already says.
      if (!r.ok && r.error.code !== 'UNAVAILABLE' && r.error.code !== 'TIMEOUT') setInfo({ ...info, detail: `subscribe failed: ${r.error.message}` });
    });
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let push: StateUpdate | undefined;
    try {
      push = calls.receive(data);
    } catch {
      console.warn('ordo: undecodable message from host');
      return;
    }
    if (!push) return;
    for (const l of listeners) {
      try {
        l(push);
      } catch (err) {
        console.error('ordo: push listener failed', err);
      }
    }
  }

  function connect(): void {
    reconnectTimer = undefined;
    if (closed) return;
    let s: SocketLike;
    try {
      s = createSocket(options.url);
    } catch (err) {
      scheduleReconnect(String(err));
      return;
    }
    socket = s;
    s.onopen = () => {
      if (socket !== s) return;
      setInfo({ status: 'open', attempt: 0, transport: 'ws' });
      if (listeners.size > 0) sendSubscribe();
    };
    s.onmessage = (ev) => {
      if (socket === s) onMessage(ev.data);
    };
    s.onerror = () => {
      // Always followed by close, which does the work.
    };
    s.onclose = (ev) => {
      if (socket !== s) return;
      socket = undefined;
      const why = ev.reason ? `${ev.code} ${ev.reason}` : `code ${ev.code}`;
      calls.failAll(`Connection to the host lost (${why}); the outcome will show once reconnected`);
      scheduleReconnect(why);
    };
  }

  function scheduleReconnect(detail: string): void {
    if (closed) return;
    const attempt = info.status === 'open' ? 0 : info.attempt;
    const delay = backoff(attempt);
    setInfo({ status: 'disconnected', attempt: attempt + 1, retryAt: now() + delay, detail, transport: 'ws' });
    reconnectTimer = setTimeout(connect, delay);
  }

  const connection: ConnectionSource = {
    get: () => info,
    subscribe(listener) {
      connListeners.add(listener);
      return () => connListeners.delete(listener);
    },
  };

  // One function per method of the table, each a call over the socket.
  const methods = Object.fromEntries(API_METHODS.map((name) => [name, (...params: unknown[]) => calls.call(name, params, send)])) as unknown as ApiMethods;

  const api: OrdoApi = {
    ...methods,
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) {
        sendSubscribe();
      } else {
        // The host sends its `reset` to the socket once; a later listener
        // gets its own from a fresh state read.
        void api.getState().then((r) => {
          if (r.ok && listeners.has(listener)) listener({ reset: r.value });
        });
      }
      return () => {
        listeners.delete(listener);
      };
    },
  };

  connect();

  return {
    ...api,
    connection,
    close() {
      closed = true;
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      const s = socket;
      socket = undefined;
      calls.failAll('Client closed');
      s?.close(1000, 'client closed');
    },
  };
}
