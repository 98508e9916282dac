import WebSocket from 'ws';
import type { ApiMethodName, Result, StateUpdate } from '../contract/api.ts';
import { backoffDelay } from '../contract/backoff.ts';
import { WireConnection, type SocketLike } from '../contract/wire-connection.ts';

/**
 * Main's one connection to the engine host: the shared WireConnection of
 * contract/ (the WebSocket protocol of contract/wire.ts) over the `ws`
 * package's socket. Plain Node (no `electron` import).
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
/** No jitter: main is one client, not a crowd of screens reconnecting together. */
const NO_JITTER = (): number => 0.5;

export class HostClient {
  private readonly conn: WireConnection;
  /** The first attempt's outcome, while `connect()` waits for it. */
  private firstAttempt: ((error: string | undefined) => void) | undefined;

  constructor(opts: HostClientOptions) {
    this.conn = new WireConnection({
      url: opts.url,
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      peer: 'the engine host',
      callTimeoutMs: opts.callTimeoutMs ?? 30_000,
      backoff: (attempt) => backoffDelay(attempt, opts.reconnectMs ?? 250, MAX_RECONNECT_MS, NO_JITTER),
      onPush: opts.onPush,
      onStatus: (s) => {
        if (s.status === 'open') this.firstAttempt?.(undefined);
        else if (s.status === 'disconnected') this.firstAttempt?.(`cannot connect to the engine host: ${s.detail ?? 'closed'}`);
      },
      onUndecodable: () => console.error('ordo: undecodable message from the engine host'),
    });
  }

  get connected(): boolean {
    return this.conn.connected;
  }

  /** Opens the socket; rejects if the first attempt fails (and then does not reconnect). */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error: string | undefined): void => {
        this.firstAttempt = undefined;
        clearTimeout(timer);
        if (error === undefined) return resolve();
        // A first attempt that fails is final: no reconnecting behind a rejection.
        this.close();
        reject(new Error(error));
      };
      const timer = setTimeout(() => settle(`no WebSocket connection to the engine host within ${OPEN_TIMEOUT_MS / 1000}s`), OPEN_TIMEOUT_MS);
      this.firstAttempt = settle;
      this.conn.start();
    });
  }

  /** One API call by name; the host validates the params against the method table. */
  call(method: ApiMethodName, params: unknown[]): Promise<Result<unknown>> {
    return this.conn.call(method, params);
  }

  /**
   * Asks the host for pushes on this socket. Calling it again asks again,
   * and the host answers each time with a fresh `reset` first: that is how a
   * window that (re)loads gets the whole state.
   */
  subscribe(): void {
    this.conn.subscribe();
  }

  close(): void {
    this.conn.close('The app is closing');
  }
}
