import type { ApiError, ApiErrorCode, Result, StateUpdate } from './api.ts';
import type { WireMessage } from './wire.ts';

/** A failed result, as every client reports transport trouble. */
export function failure(code: ApiErrorCode, message: string): Result<never> {
  const error: ApiError = { code, message };
  return { ok: false, error };
}

/** Params without their trailing undefined (JSON would send them as null, which no parser takes as absent). */
export function trimParams(params: readonly unknown[]): unknown[] {
  let n = params.length;
  while (n > 0 && params[n - 1] === undefined) n--;
  return params.slice(0, n);
}

type Pending = { resolve: (r: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> };

/**
 * The calling side of the wire protocol (contract/wire.ts), shared by both
 * WebSocket clients (the browser's renderer/api/ws-client.ts and Electron
 * main's electron/host-client.ts), which differ only in their socket and
 * reconnect policy. Every call gets a fresh id and resolves with exactly one
 * `Result`, never throws: UNAVAILABLE when it cannot be sent or the socket
 * drops, TIMEOUT when no reply comes in time. No runtime imports, so it
 * fits contract/.
 */
export class WireCalls {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** `peer` names the other side in messages ("the host", "the engine host"). */
  constructor(
    private readonly timeoutMs: number,
    private readonly peer: string,
  ) {}

  /** Sends `{ id, method, params }` through `send` (false: not connected) and resolves with the reply. */
  call(method: string, params: readonly unknown[], send: (text: string) => boolean): Promise<Result<unknown>> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      if (!send(JSON.stringify({ id, method, params: trimParams(params) }))) {
        resolve(failure('UNAVAILABLE', `Not connected to ${this.peer}`));
        return;
      }
      const timer = setTimeout(() => {
        if (this.pending.delete(id)) resolve(failure('TIMEOUT', `No reply from ${this.peer} to ${method} within ${this.timeoutMs / 1000}s`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, timer });
    });
  }

  /**
   * One message from the peer: a reply settles its call (and returns
   * undefined), a push is returned for the caller to fan out. Throws
   * SyntaxError on a message that is not JSON.
   */
  receive(text: string): StateUpdate | undefined {
    const msg = JSON.parse(text) as WireMessage;
    if ('push' in msg) return msg.push;
    const p = this.pending.get(msg.id);
    if (!p) return undefined;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    p.resolve(msg.result);
    return undefined;
  }

  /** Settles every call in flight with UNAVAILABLE (the socket dropped or the client closes). */
  failAll(message: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve(failure('UNAVAILABLE', message));
    }
  }
}
