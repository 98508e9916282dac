import type { ApiErrorCode, Result, StateUpdate } from './api.ts';
import { WireCalls } from './wire-calls.ts';

/**
 * The part of a WebSocket the connection uses: the browser's WebSocket and
 * the `ws` package's (Electron main) both have it, and tests pass a fake.
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** WebSocket.OPEN. */
const OPEN = 1;

/** Where the connection stands: what a status line shows. */
export interface WireStatus {
  readonly status: 'connecting' | 'open' | 'disconnected';
  /** Failed attempts since the last successful open. */
  readonly attempt: number;
  /** When `disconnected`: epoch ms of the next attempt. */
  readonly retryAt?: number;
  /** The last close or error (or a failed subscribe). */
  readonly detail?: string;
}

export interface WireConnectionOptions {
  readonly url: string;
  readonly createSocket: (url: string) => SocketLike;
  /** Names the other side in messages ("the host", "the engine host"). */
  readonly peer: string;
  /** A call with no reply after this long resolves with TIMEOUT. */
  readonly callTimeoutMs: number;
  /** The delay before reconnect attempt `attempt` (0 after a socket that was open). */
  readonly backoff: (attempt: number) => number;
  /** Every push, after `subscribe()`. */
  readonly onPush: (update: StateUpdate) => void;
  /** Every status change. */
  readonly onStatus?: (status: WireStatus) => void;
  /** A message that is not JSON (the caller logs it; contract/ has no logger). */
  readonly onUndecodable?: () => void;
  readonly now?: () => number;
}

/**
 * One client connection to the host over the WebSocket protocol of
 * contract/wire.ts, shared by the browser's client (renderer/api/ws-client.ts)
 * and Electron main's (electron/host-client.ts), which differ only in the
 * socket they make, their backoff and what they do with pushes and status.
 *
 * - Calls (WireCalls) resolve with exactly one `Result` and never throw.
 *   While the socket is down they resolve at once with UNAVAILABLE rather
 *   than being queued: an order typed before an outage must not leave
 *   minutes later. Calls in flight when the socket drops resolve with
 *   UNAVAILABLE too; their outcome shows in the state after the reconnect.
 * - After `subscribe()`, each socket asks the host for pushes once open; the
 *   host answers with a `reset` and then batched pushes, so a reconnect
 *   starts from a fresh whole state.
 * - A dropped socket (or one that cannot be made) is reopened after
 *   `backoff(attempt)`; `close()` stops that for good.
 */
export class WireConnection {
  private socket: SocketLike | undefined = undefined;
  private readonly calls: WireCalls;
  private subscribed = false;
  private closed = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private current: WireStatus = { status: 'connecting', attempt: 0 };

  constructor(private readonly opts: WireConnectionOptions) {
    this.calls = new WireCalls(opts.callTimeoutMs, opts.peer);
  }

  /** The connection's status now. */
  get status(): WireStatus {
    return this.current;
  }

  get connected(): boolean {
    return this.socket?.readyState === OPEN;
  }

  /** Opens the first socket (then reopens it whenever it drops, until `close()`). */
  start(): void {
    this.open();
  }

  /** One API call by name: its one Result. */
  call(method: string, params: readonly unknown[]): Promise<Result<unknown>> {
    return this.calls.call(method, params, (text) => this.send(text));
  }

  /**
   * Asks for pushes on this socket now (if open) and on every socket opened
   * after it. Calling it again asks again: the host answers each time with a
   * fresh `reset`.
   */
  subscribe(): void {
    this.subscribed = true;
    this.sendSubscribe();
  }

  /** No more subscribing on later sockets (the host keeps pushing on this one). */
  unsubscribe(): void {
    this.subscribed = false;
  }

  /** Stops reconnecting, settles every call in flight with UNAVAILABLE (`why`) and closes the socket. */
  close(why: string): void {
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const s = this.socket;
    this.socket = undefined;
    this.calls.failAll(why);
    s?.close(1000, why);
  }

  private send(text: string): boolean {
    const s = this.socket;
    if (s === undefined || s.readyState !== OPEN) return false;
    s.send(text);
    return true;
  }

  private setStatus(next: WireStatus): void {
    this.current = next;
    this.opts.onStatus?.(next);
  }

  private sendSubscribe(): void {
    // Not open yet: `onopen` subscribes.
    if (!this.connected) return;
    void this.call('subscribe', []).then((r) => {
      // The reply carries nothing; a failure is worth showing, as no pushes will follow. UNAVAILABLE and
      // TIMEOUT: the socket dropped or is stuck, which the status already says or will.
      if (!r.ok && !QUIET_SUBSCRIBE_ERRORS.includes(r.error.code)) {
        this.setStatus({ ...this.current, detail: `subscribe failed: ${r.error.message}` });
      }
    });
  }

  private open(): void {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    let s: SocketLike;
    try {
      s = this.opts.createSocket(this.opts.url);
    } catch (err) {
      this.scheduleReconnect(err instanceof Error ? err.message : String(err));
      return;
    }
    this.socket = s;
    let lastError: string | undefined;
    s.onopen = () => {
      if (this.socket !== s) return;
      this.setStatus({ status: 'open', attempt: 0 });
      if (this.subscribed) this.sendSubscribe();
    };
    s.onmessage = (ev) => {
      if (this.socket === s) this.onMessage(ev.data);
    };
    s.onerror = (ev) => {
      // Always followed by close, which does the work; Node's sockets say what went wrong, browsers do not.
      const m = (ev as { message?: unknown } | undefined)?.message;
      if (typeof m === 'string' && m !== '') lastError = m;
    };
    s.onclose = (ev) => {
      if (this.socket !== s) return;
      this.socket = undefined;
      const why = ev.reason ? `${ev.code} ${ev.reason}` : lastError !== undefined ? `code ${ev.code}: ${lastError}` : `code ${ev.code}`;
      this.calls.failAll(`Connection to ${this.opts.peer} lost (${why}); the outcome will show once reconnected`);
      this.scheduleReconnect(why);
    };
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let push: StateUpdate | undefined;
    try {
      push = this.calls.receive(data);
    } catch {
      this.opts.onUndecodable?.();
      return;
    }
    if (push !== undefined) this.opts.onPush(push);
  }

  private scheduleReconnect(detail: string): void {
    if (this.closed) return;
    const attempt = this.current.status === 'open' ? 0 : this.current.attempt;
    const delay = this.opts.backoff(attempt);
    const now = this.opts.now ?? Date.now;
    this.setStatus({ status: 'disconnected', attempt: attempt + 1, retryAt: now() + delay, detail });
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }
}

const QUIET_SUBSCRIBE_ERRORS: readonly ApiErrorCode[] = ['UNAVAILABLE', 'TIMEOUT'];
