import { Dealer } from 'zeromq';
import { encodeCommands } from '../protocol/codec.ts';
import type { CommandBody } from '../protocol/events.ts';
import { SendQueue } from './send-queue.ts';
import { receiveEach } from './receive-loop.ts';
import { connectTo, type BusSecurity } from './security.ts';
import { log } from '../log.ts';

/** The sequencer's answer to a command it refused (accepted ones answer as events). */
export interface CommandReply {
  /** Absent when the whole batch was refused (it did not decode). */
  cseq?: number;
  code: string;
  message: string;
}

/**
 * Where a component's commands go: the sequencer's ROUTER over ZeroMQ (CommandClient), or, for a component
 * in the sequencer's own process, straight into its inbox (Sequencer.localPort, decision 183).
 */
export interface CommandPort {
  /** Sends commands in order; never blocks. */
  send(commands: readonly { cseq: number; body: CommandBody }[]): void;
  /** Where the sequencer's refusals go. */
  onReply(handler: (reply: CommandReply) => void): void;
  /**
   * True when a send reaches the sequencer at once, in the same turn: the caller then sends what one callback
   * queued as soon as that callback is done (a microtask), not after the turn (the bus's batching).
   */
  readonly direct: boolean;
  close(): Promise<void>;
}

/** Sends command batches to the sequencer over DEALER and hears refusals. */
export class CommandClient implements CommandPort {
  readonly direct = false;
  private readonly dealer = new Dealer();
  private readonly out: SendQueue;
  private handler: ((reply: CommandReply) => void) | undefined;
  private closed = false;

  constructor(
    endpoint: string,
    readonly src: string,
    /** The host's bus keys (decision 063); none: a plain connect. */
    security?: BusSecurity,
  ) {
    this.dealer.linger = 0;
    this.dealer.sendHighWaterMark = 0;
    // With no high-water mark (and ZMQ_IMMEDIATE off: connect makes the pipe at once) a DEALER send never waits, so
    // zeromq.js need not read ZMQ_EVENTS before each one (getpid + poll, decision 257), as for PUB (decision 210).
    this.dealer.sendTimeout = 0;
    connectTo(this.dealer, endpoint, security);
    this.out = new SendQueue(this.dealer, (err) => log.error(`${src}: command send failed: ${(err as Error).message}`));
    void this.loop();
  }

  onReply(handler: (reply: CommandReply) => void): void {
    this.handler = handler;
  }

  send(commands: readonly { cseq: number; body: CommandBody }[]): void {
    if (commands.length === 0 || this.closed) return;
    this.out.push(encodeCommands(this.src, commands));
  }

  /** Sends bytes as they are (tests of bad input). */
  sendRaw(bytes: Uint8Array): void {
    this.out.push(bytes);
  }

  private async loop(): Promise<void> {
    try {
      await receiveEach(this.dealer, (parts) => {
        const msg = parts[0];
        if (!msg) return;
        try {
          this.handler?.(JSON.parse(msg.toString('utf8')) as CommandReply);
        } catch {
          // A reply we cannot read is ignored; resends cover any loss.
        }
      });
    } catch (err) {
      if (!this.closed) log.error(`${this.src}: command socket stopped: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.out.flushed();
    this.dealer.close();
  }
}
