import type { Socket } from 'zeromq';

type Msg = Uint8Array | string;
type Sendable = Msg | Msg[];
interface SendSocket extends Socket {
  send(message: Sendable): Promise<void>;
}

/**
 * zeromq.js allows one pending send() per socket; a second one fails with
 * EBUSY. Every send in Ordo goes through one of these queues, which awaits
 * each send in turn. `push` never blocks the caller.
 */
export class SendQueue {
  private readonly queue: Sendable[] = [];
  private draining = false;
  private failed: ((err: unknown) => void) | undefined;

  constructor(
    private readonly socket: SendSocket,
    onError?: (err: unknown) => void,
  ) {
    this.failed = onError;
  }

  /** Number of messages waiting to be handed to ZeroMQ. */
  get pending(): number {
    return this.queue.length;
  }

  push(message: Sendable): void {
    this.queue.push(message);
    if (!this.draining) void this.drain();
  }

  /** Resolves once everything queued so far was handed to ZeroMQ. */
  async flushed(): Promise<void> {
    while (this.draining || this.queue.length > 0) await new Promise((r) => setImmediate(r));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      let head = 0;
      while (head < this.queue.length) {
        const msg = this.queue[head++]!;
        if (this.socket.closed) break;
        try {
          await this.socket.send(msg);
        } catch (err) {
          if (this.socket.closed) break;
          this.failed?.(err);
        }
        if (head > 1024) {
          this.queue.splice(0, head);
          head = 0;
        }
      }
      this.queue.length = 0;
    } finally {
      this.draining = false;
    }
  }
}
