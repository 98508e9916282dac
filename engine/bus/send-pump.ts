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
  /** A drain is scheduled or a send is in flight. */
  private busy = false;
  private closed = false;
  /** idle()'s callers, told when the pump next runs dry (made only when someone waits). */
  private idleWaiters: (() => void)[] | undefined;
  // The callbacks, made once: a message costs its send's promise and one then(), not an async function's
  // promise, an awaited Promise.resolve() and an await per message (decision 262).
  private readonly drainNow = (): void => this.drain();
  private readonly failed = (err: unknown): void => {
    if (this.closed) {
      this.finish();
      return;
    }
    this.onError(err);
    this.drain();
  };

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
    if (this.busy || this.closed) return;
    this.busy = true;
    // Let the current synchronous turn finish queueing, so it goes out as one batch.
    queueMicrotask(this.drainNow);
  }

  /** Resolves when everything queued so far has been handed to ZeroMQ. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => (this.idleWaiters ??= []).push(resolve));
  }

  /** Stops taking new work; a send in flight finishes. */
  stop(): void {
    this.closed = true;
  }

  /** Hands the next message to the socket; called again when that send settles, until nothing is queued. */
  private drain(): void {
    // A closed socket takes nothing more; its owner is shutting down.
    if (this.closed || (this.socket as { closed?: boolean }).closed === true) {
      this.finish();
      return;
    }
    const msg = this.next();
    if (msg === undefined) {
      this.finish();
      return;
    }
    let sending: Promise<void>;
    try {
      sending = this.socket.send(msg);
    } catch (err) {
      // Thrown rather than rejected: handled the same way, a turn later (no recursion through a run of failures).
      queueMicrotask(() => this.failed(err));
      return;
    }
    sending.then(this.drainNow, this.failed);
  }

  private finish(): void {
    this.busy = false;
    const waiters = this.idleWaiters;
    if (waiters === undefined) return;
    this.idleWaiters = undefined;
    for (const resolve of waiters) resolve();
  }
}

/** Waits for `p`, or `ms` at most; never leaves a timer behind. */
export async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}