import type { StateUpdate } from '../../contract/api.ts';

/** What a pipe needs of a WebSocket (the `ws` library's WebSocket fits). */
export interface PipeSocket {
  /** Bytes queued in the socket and not yet handed to the OS. */
  readonly bufferedAmount: number;
  send(text: string): void;
  close(code: number, reason: string): void;
}

export interface PipeLimits {
  /** Queued bytes past which a subscriber gets nothing more until it drains. */
  readonly capBytes: number;
  /** A subscriber over the cap this long is dropped (closed with 4008). */
  readonly dropAfterMs: number;
}

export const DEFAULT_PIPE_LIMITS: PipeLimits = { capBytes: 2 << 20, dropAfterMs: 30_000 };

/** Close code for a subscriber dropped for not reading (4000–4999: the application's own). */
export const TOO_SLOW = 4008;

/** Encodes a push once, for every subscriber (the wire envelope is `{push}`). */
export function encodePush(update: StateUpdate): string {
  return JSON.stringify({ push: update });
}

/**
 * One WebSocket subscriber of the live state, with bounded memory (issue 11).
 * Pushes are encoded once by the caller and handed to every pipe as text.
 * The initial state goes out in pages (a reset without orders and fills,
 * then pages of orders and fills as ordinary upserts), pulled only while the
 * socket's queue is under half the cap, so a new client of a session with a
 * million orders never costs one giant message. A subscriber whose queue
 * passes the cap gets nothing more (nothing is buffered for it); once it has
 * drained, it is resynchronised from a fresh paged state (so it misses
 * nothing), and if it does not drain within dropAfterMs it is closed.
 */
export class SubscriberPipe {
  private pages: Iterator<StateUpdate> | undefined;
  private stalledSince: number | undefined;
  private closed = false;
  /** Times it fell behind and was resynchronised (for figures and tests). */
  resyncs = 0;

  constructor(
    private readonly socket: PipeSocket,
    private readonly initialState: () => Iterator<StateUpdate>,
    private readonly limits: PipeLimits = DEFAULT_PIPE_LIMITS,
  ) {
    this.pages = initialState();
    this.pump();
  }

  /** Restarts from a fresh paged state (a new session began). */
  reset(): void {
    if (this.closed || this.stalledSince !== undefined) return;
    this.pages = this.initialState();
    this.pump();
  }

  /** A live push (already encoded); `now` is monotonic ms. */
  push(text: string, now: number): void {
    if (this.closed) return;
    const queued = this.socket.bufferedAmount;
    if (this.stalledSince !== undefined) {
      if (queued > this.limits.capBytes / 4) {
        if (now - this.stalledSince > this.limits.dropAfterMs) this.drop();
        return;
      }
      // Drained: what it missed comes back as a fresh state.
      this.stalledSince = undefined;
      this.resyncs++;
      this.pages = this.initialState();
    } else if (queued > this.limits.capBytes) {
      this.stalledSince = now;
      this.pages = undefined;
      return;
    }
    this.pump();
    this.socket.send(text);
  }

  /** Sends initial-state pages while the socket's queue is under half the cap. */
  private pump(): void {
    const pages = this.pages;
    if (!pages) return;
    while (this.socket.bufferedAmount < this.limits.capBytes / 2) {
      const next = pages.next();
      if (next.done) {
        this.pages = undefined;
        return;
      }
      this.socket.send(encodePush(next.value));
    }
  }

  private drop(): void {
    this.closed = true;
    this.pages = undefined;
    this.socket.close(TOO_SLOW, 'subscriber too slow: dropped');
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
