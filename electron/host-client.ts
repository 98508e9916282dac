import WebSocket from 'ws';
import type { ApiMethodName, Result, StateUpdate } from '../contract/api.ts';
import { WireCalls } from '../contract/wire-calls.ts';

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

const OPEN_TIMEOUT_MS = 10_000;
const MAX_RECONNECT_MS = 5_000;

export class HostClient {
  private socket: WebSocket | undefined;
  private readonly calls: WireCalls;
  private subscribed = false;
  private closed = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: HostClientOptions) {
    this.calls = new WireCalls(opts.callTimeoutMs ?? 30_000, 'the engine host');
  }

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

  /** One API call by name; the host validates the params against the method table. */
  call(method: ApiMethodName, params: unknown[]): Promise<Result<unknown>> {
    return this.calls.call(method, params, (text) => this.send(text));
  }

  /**
   * Asks the host for pushes on this socket. Calling it again asks again,
   * and the host answers each time with a fresh `reset` first: that is how a
   * window that (re)loads gets the whole state.
   */
  subscribe(): void {
    this.subscribed = true;
    // The reply carries nothing; pushes follow it.
    void this.calls.call('subscribe', [], (text) => this.send(text));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.calls.failAll('The app is closing');
    const s = this.socket;
    this.socket = undefined;
    s?.close(1000, 'app closing');
  }

  private send(text: string): boolean {
    const s = this.socket;
    if (!s || s.readyState !== WebSocket.OPEN) return false;
    s.send(text);
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
      this.calls.failAll(`Connection to the engine host lost (code ${code}); the outcome will show once reconnected`);
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
    let push: StateUpdate | undefined;
    try {
      push = this.calls.receive(text);
    } catch {
      console.error('ordo: undecodable message from the engine host');
      return;
    }
    if (push) this.opts.onPush(push);
  }
}
