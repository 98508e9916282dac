import { Publisher, type MessageLike, type Writable } from 'zeromq';

/** A ZeroMQ message: one frame or several. */
export type ZmqMessage = MessageLike | MessageLike[];

/**
 * Funnels every send of one socket through one loop. zeromq.js allows a single
 * pending send() per socket (a second concurrent one fails with EBUSY), so
 * nothing may call socket.send() except this pump. The pump pulls the next
 * message from `next` only when the previous send has resolved; whatever piled
 * up meanwhile goes out together, so batching grows exactly when the socket
 * is slow. Every send in Ordo goes through one (the bus's SendQueue is a
 * FIFO on top of it).
 */
export class SendPump {
  private running: Promise<void> | undefined;
  private closed = false;

  /**
   * @param socket the socket; nothing else may send on it
   * @param next builds the next message from what is queued, or undefined when nothing is
   * @param onError called with a failed send's error; the pump carries on with the next message
   */
  constructor(
    private readonly socket: Writable,
    private readonly next: () => ZmqMessage | undefined,
    private readonly onError: (err: unknown) => void,
  ) {
    // A PUB socket never waits (at its high-water mark it drops), so a send need not ask first whether it may: with
    // a send timeout zeromq.js reads ZMQ_EVENTS before each send, two system calls a message (decision 210).
    if (socket instanceof Publisher) socket.sendTimeout = 0;
  }

  /** Starts the loop if it is idle. Cheap to call after every enqueue. */
  kick(): void {
    if (this.running === undefined && !this.closed) this.running = this.loop();
  }

  /** Resolves when everything queued so far has been handed to ZeroMQ. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Stops taking new work; a send in flight finishes. */
  stop(): void {
    this.closed = true;
  }

  private async loop(): Promise<void> {
    // Let the current synchronous turn finish queueing, so it goes out as one batch.
    await Promise.resolve();
    try {
      while (!this.closed) {
        // A closed socket takes nothing more; its owner is shutting down.
        if ((this.socket as { closed?: boolean }).closed === true) break;
        const msg = this.next();
        if (msg === undefined) break;
        try {
          await this.socket.send(msg);
        } catch (err) {
          if (this.closed) break;
          this.onError(err);
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}

/** Waits for `p`, or `ms` at most; never leaves a timer behind. */
export async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}