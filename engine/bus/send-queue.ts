import type { Socket, Writable } from 'zeromq';
import { SendPump } from './send-pump.ts';

type Msg = Uint8Array | string;
type Sendable = Msg | Msg[];

/** Entries sent before the array is compacted. */
const COMPACT_AFTER = 1024;

/**
 * A FIFO of messages for one socket, sent one at a time by a SendPump
 * (zeromq.js allows one pending send() per socket). `push` never blocks the
 * caller; what is queued on a socket that closes is dropped.
 */
export class SendQueue {
  private queue: Sendable[] = [];
  private head = 0;
  private readonly pump: SendPump;

  constructor(
    private readonly socket: Socket,
    onError?: (err: unknown) => void,
  ) {
    this.pump = new SendPump(socket as Socket & Writable, () => this.next(), onError ?? (() => undefined));
  }

  /** Number of messages waiting to be handed to ZeroMQ. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  push(message: Sendable): void {
    if (this.socket.closed) return;
    this.queue.push(message);
    this.pump.kick();
  }

  /** Resolves once everything queued so far was handed to ZeroMQ. */
  async flushed(): Promise<void> {
    await this.pump.idle();
  }

  private next(): Sendable | undefined {
    if (this.socket.closed || this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      return undefined;
    }
    const msg = this.queue[this.head++]!;
    if (this.head > COMPACT_AFTER) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return msg;
  }
}
