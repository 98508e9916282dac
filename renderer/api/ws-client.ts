import type { ApiError, ApiMethodName, ApiMethods, OrdoApi, Result, StateUpdate } from '../../contract/api.ts';
import type { WireCall, WireMessage } from '../../contract/wire.ts';
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

type Pending = { resolve: (r: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> };

function failure(code: string, message: string): Result<never> {
  const error: ApiError = { code, message };
  return { ok: false, error };
}

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
  let nextId = 1;
  let closed = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Map<number, Pending>();
  const listeners = new Set<(u: StateUpdate) => void>();
  const connListeners = new Set<(i: ConnectionInfo) => void>();
  let info: ConnectionInfo = { status: 'connecting', attempt: 0, transport: 'ws' };

  function setInfo(next: ConnectionInfo): void {
    info = next;
    for (const l of connListeners) l(info);
  }

  function send(call: WireCall): boolean {
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(call));
    return true;
  }

  function sendSubscribe(): void {
    // Not open yet: `onopen` subscribes.
    if (!socket || socket.readyState !== OPEN) return;
    const id = nextId++;
    // The reply to `subscribe` carries nothing the UI needs; a failure is
    // worth showing, though, as no pushes will follow.
    const timer = setTimeout(() => pending.delete(id), callTimeoutMs);
    pending.set(id, {
      timer,
      resolve: (r) => {
        // UNAVAILABLE: the socket dropped, which the status already says.
        if (!r.ok && r.error.code !== 'UNAVAILABLE') setInfo({ ...info, detail: `subscribe failed: ${r.error.message}` });
      },
    });
    send({ id, method: 'subscribe', params: [] });
  }

  function failPending(message: string): void {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.resolve(failure('UNAVAILABLE', message));
    }
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: WireMessage;
    try {
      msg = JSON.parse(data) as WireMessage;
    } catch {
      console.warn('ordo: undecodable message from host');
      return;
    }
    if ('push' in msg) {
      for (const l of listeners) {
        try {
          l(msg.push);
        } catch (err) {
          console.error('ordo: push listener failed', err);
        }
      }
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    p.resolve(msg.result);
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
      failPending(`Connection to the host lost (${why}); the outcome will show once reconnected`);
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

  function call<M extends ApiMethodName>(method: M, params: Parameters<ApiMethods[M]>): Promise<Result<unknown>> {
    return new Promise((resolve) => {
      if (!socket || socket.readyState !== OPEN) {
        resolve(failure('UNAVAILABLE', 'Not connected to the host'));
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        if (pending.delete(id)) resolve(failure('TIMEOUT', `No reply from the host to ${method} within ${callTimeoutMs / 1000}s`));
      }, callTimeoutMs);
      pending.set(id, { resolve, timer });
      send({ id, method, params } as WireCall);
    });
  }

  const connection: ConnectionSource = {
    get: () => info,
    subscribe(listener) {
      connListeners.add(listener);
      return () => connListeners.delete(listener);
    },
  };

  const api: OrdoApi = {
    submitOrder: (order) => call('submitOrder', [order]) as ReturnType<OrdoApi['submitOrder']>,
    cancelOrder: (orderId) => call('cancelOrder', [orderId]) as ReturnType<OrdoApi['cancelOrder']>,
    replaceOrder: (orderId, change) => call('replaceOrder', [orderId, change]) as ReturnType<OrdoApi['replaceOrder']>,
    openSession: () => call('openSession', []) as ReturnType<OrdoApi['openSession']>,
    closeSession: () => call('closeSession', []) as ReturnType<OrdoApi['closeSession']>,
    componentAction: (componentId, action) =>
      call('componentAction', [componentId, action]) as ReturnType<OrdoApi['componentAction']>,
    getState: (at) => call('getState', at === undefined ? [] : [at]) as ReturnType<OrdoApi['getState']>,
    getEvents: (query) => call('getEvents', [query]) as ReturnType<OrdoApi['getEvents']>,
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
      failPending('Client closed');
      s?.close(1000, 'client closed');
    },
  };
}
