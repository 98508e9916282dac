import WebSocket from 'ws';
import type { ApiError, ApiMethodName, Result, StateUpdate } from '../contract/api.ts';
import type { WireCall, WireMessage } from '../contract/wire.ts';

/**
 * Main's one connection to the engine host: the WebSocket protocol of
 * contract/wire.ts, from Node. Plain Node (no `electron` import).
 *
 * - Calls resolve with exactly one `Result`; never throw. While the socket is
 *   down they resolve at once with UNAVAILABLE rather than waiting: an order
 *   must not leave long after it was sent.
 * - After `subscribe()`, every push goes to `onPush`; a dropped socket is
 *   reopened with backoff and subscribed again, so the host starts over
 *   with a `reset`.
 */
export interface HostClientOptions {
  /** ws://127.0.0.1:PORT/ws?token=TOKEN */
  readonly url: string;
  readonly onPush: (update: StateUpdate) => void;
  readonly callTimeoutMs?: number;
  /** Reconnect delays grow from this, doubling up to 5 s. */
  readonly reconnectMs?: number;
}

type Pending = { resolve: (r: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> };

const OPEN_TIMEOUT_MS = 10_000;
const MAX_RECONNECT_MS = 5_000;

function failure(code: string, message: string): Result<never> {
  const error: ApiError = { code, message };
  return { ok: false, error };
}

export class HostClient {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private subscribed = false;
  private closed = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: HostClientOptions) {}

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket; rejects if the first attempt fails. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = this.open();
      // A first attempt that fails is final: no reconnecting behind a rejection.
      const fail = (message: string) => {
        clearTimeout(timer);
        this.close();
        reject(new Error(message));
      };
      const timer = setTimeout(() => fail(`no WebSocket connection to the engine host within ${OPEN_TIMEOUT_MS / 1000}s`), OPEN_TIMEOUT_MS);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('error', (err) => {
        if (ws.readyState !== WebSocket.OPEN) fail(`cannot connect to the engine host: ${err.message}`);
      });
    });
  }

  call(method: ApiMethodName, params: unknown[]): Promise<Result<unknown>> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      if (!this.send({ id, method, params } as WireCall)) {
        resolve(failure('UNAVAILABLE', 'Not connected to the engine host'));
        return;
      }
      const timeoutMs = this.opts.callTimeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        if (this.pending.delete(id)) resolve(failure('TIMEOUT', `No reply from the engine host to ${method} within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      this.pending.set(id, { resolve, timer });
    });
  }

  /**
   * Asks the host for pushes on this socket. Calling it again asks again,
   * and the host answers each time with a fresh `reset` first: that is how a
   * window that (re)loads gets the whole state.
   */
  subscribe(): void {
    this.subscribed = true;
    const id = this.nextId++;
    this.send({ id, method: 'subscribe', params: [] });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.failPending('The app is closing');
    const s = this.socket;
    this.socket = undefined;
    s?.close(1000, 'app closing');
  }

  private send(call: WireCall): boolean {
    const s = this.socket;
    if (!s || s.readyState !== WebSocket.OPEN) return false;
    s.send(JSON.stringify(call));
    return true;
  }

  private open(): WebSocket {
    const ws = new WebSocket(this.opts.url);
    this.socket = ws;
    ws.on('open', () => {
      if (this.socket !== ws) return;
      this.attempt = 0;
      if (this.subscribed) this.subscribe();
    });
    ws.on('message', (data) => {
      if (this.socket === ws) this.onMessage(String(data));
    });
    ws.on('error', () => {
      // Always followed by 'close', which does the work.
    });
    ws.on('close', (code) => {
      if (this.socket !== ws) return;
      this.socket = undefined;
      this.failPending(`Connection to the engine host lost (code ${code}); the outcome will show once reconnected`);
      this.scheduleReconnect();
    });
    return ws;
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = Math.min(MAX_RECONNECT_MS, (this.opts.reconnectMs ?? 250) * 2 ** this.attempt++);
    this.reconnectTimer = setTimeout(() => {
      if (!this.closed) this.open();
    }, delay);
  }

  private onMessage(text: string): void {
    let msg: WireMessage;
    try {
      msg = JSON.parse(text) as WireMessage;
    } catch {
      console.error('ordo: undecodable message from the engine host');
      return;
    }
    if ('push' in msg) {
      this.opts.onPush(msg.push);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    p.resolve(msg.result);
  }

  private failPending(message: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve(failure('UNAVAILABLE', message));
    }
  }
}
