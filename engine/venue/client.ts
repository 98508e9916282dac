import { Dealer, Subscriber } from 'zeromq';
import { decodeMarketData, decodeReplies, encodeRequests, type MarketData, type VenueReply, type VenueRequest } from './protocol.ts';
import { SendPump, settleWithin, type ZmqMessage } from './send-pump.ts';
import { connectTo, type BusSecurity } from '../bus/security.ts';
import { log } from '../log.ts';

const MAX_BATCH = 4096;

export interface VenueClientOptions {
  /** The venue's ROUTER endpoint. */
  endpoint: string;
  /**
   * A stable ZeroMQ routing id. With one, a restarted gateway takes over its
   * predecessor's connection (the venue's ROUTER hands over), so fills for its
   * open orders keep arriving. Without one, it reclaims orders by sending Status.
   */
  routingId?: string;
  /** Errors from a handler, a bad frame or a failed send. Default: the engine log (engine/log.ts). */
  onError?: (err: unknown) => void;
  /** The host's bus keys (decision 063); none: a plain connect. */
  security?: BusSecurity;
}

type Unsubscribe = () => void;

/**
 * The gateway's connection to a venue (a DEALER). {@link send} never blocks
 * and never throws for I/O: requests queue and go out batched, many per
 * ZeroMQ message, in the order given. Replies arrive through {@link onMessage}
 * one by one, or through {@link onBatch} one received frame at a time.
 */
export class VenueClient {
  private readonly socket: Dealer;
  private readonly pump: SendPump;
  private queue: VenueRequest[] = [];
  private readonly messageHandlers: ((msg: VenueReply) => void)[] = [];
  private readonly batchHandlers: ((msgs: VenueReply[]) => void)[] = [];
  private readonly onError: (err: unknown) => void;
  private readonly receiving: Promise<void>;
  private closed = false;

  /** Connects to the venue (ZeroMQ connects in the background and reconnects by itself). */
  constructor(opts: VenueClientOptions) {
    this.onError = opts.onError ?? ((err: unknown) => log.error('venue client', err));
    this.socket = new Dealer({
      linger: 200,
      sendHighWaterMark: 10_000,
      receiveHighWaterMark: 0,
      ...(opts.routingId !== undefined ? { routingId: opts.routingId } : {}),
    });
    connectTo(this.socket, opts.endpoint, opts.security);
    this.pump = new SendPump(this.socket, () => this.nextFrame(), this.onError);
    this.receiving = this.receiveLoop();
  }

  /** Queues requests for the venue; they go out in order, batched with whatever else is queued. */
  send(msgs: VenueRequest | readonly VenueRequest[]): void {
    if (this.closed) throw new Error('VenueClient is closed');
    if (Array.isArray(msgs)) for (const m of msgs as readonly VenueRequest[]) this.queue.push(m);
    else this.queue.push(msgs as VenueRequest);
    this.pump.kick();
  }

  /** Requests queued and not yet handed to ZeroMQ (grows while the venue is unreachable). */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when every request queued so far has been handed to ZeroMQ. */
  flushed(): Promise<void> {
    return this.pump.idle();
  }

  /** Calls `handler` for every reply, in arrival order. Returns the unsubscribe function. */
  onMessage(handler: (msg: VenueReply) => void): Unsubscribe {
    this.messageHandlers.push(handler);
    return () => remove(this.messageHandlers, handler);
  }

  /** Calls `handler` once per received frame with all its replies (handy for group commit). */
  onBatch(handler: (msgs: VenueReply[]) => void): Unsubscribe {
    this.batchHandlers.push(handler);
    return () => remove(this.batchHandlers, handler);
  }

  /** Sends what is queued (waiting at most `timeoutMs`), then closes the socket. */
  async close(timeoutMs = 500): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await settleWithin(this.pump.idle(), timeoutMs);
    this.pump.stop();
    this.socket.close();
    await this.receiving;
  }

  private nextFrame(): ZmqMessage | undefined {
    const q = this.queue;
    if (q.length === 0) return undefined;
    if (q.length <= MAX_BATCH) {
      this.queue = [];
      return encodeRequests(q);
    }
    const frame = encodeRequests(q, 0, MAX_BATCH);
    this.queue = q.slice(MAX_BATCH);
    return frame;
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const parts of this.socket) {
        for (const part of parts) this.dispatch(part);
      }
    } catch (err) {
      if (!this.closed) this.onError(err);
    }
  }

  private dispatch(frame: Buffer): void {
    let msgs: VenueReply[];
    try {
      msgs = decodeReplies(frame);
    } catch (err) {
      this.onError(err);
      return;
    }
    for (const h of this.batchHandlers) {
      try {
        h(msgs);
      } catch (err) {
        this.onError(err);
      }
    }
    const handlers = this.messageHandlers;
    if (handlers.length === 0) return;
    for (let i = 0; i < msgs.length; i++) {
      for (let j = 0; j < handlers.length; j++) {
        try {
          handlers[j]!(msgs[i]!);
        } catch (err) {
          this.onError(err);
        }
      }
    }
  }
}

export interface MarketDataSubscriberOptions {
  /** The venue's market data PUB endpoint. */
  endpoint: string;
  /** Symbols to receive (exactly these). Default: all. */
  symbols?: readonly string[];
  onError?: (err: unknown) => void;
  /** The host's bus keys (decision 063); none: a plain connect. */
  security?: BusSecurity;
}

/**
 * A market data subscriber (SUB). Subscribes by topic prefix and then keeps
 * only exact symbol matches, since "AAPL" is a prefix of "AAPL 250620C190".
 */
export class MarketDataSubscriber {
  private readonly socket = new Subscriber({ linger: 0 });
  private readonly handlers: ((md: MarketData) => void)[] = [];
  private readonly wanted: ReadonlySet<string> | undefined;
  private readonly onError: (err: unknown) => void;
  private readonly receiving: Promise<void>;
  private closed = false;

  constructor(opts: MarketDataSubscriberOptions) {
    this.onError = opts.onError ?? ((err: unknown) => log.error('market data', err));
    this.wanted = opts.symbols === undefined ? undefined : new Set(opts.symbols);
    if (opts.symbols === undefined) this.socket.subscribe();
    else for (const s of opts.symbols) this.socket.subscribe(s);
    connectTo(this.socket, opts.endpoint, opts.security);
    this.receiving = this.receiveLoop();
  }

  /** Calls `handler` for every market data message. Returns the unsubscribe function. */
  onData(handler: (md: MarketData) => void): Unsubscribe {
    this.handlers.push(handler);
    return () => remove(this.handlers, handler);
  }

  /** How many handlers are attached (a bounded number: see RiskComponent.attachMarketData). */
  get handlerCount(): number {
    return this.handlers.length;
  }

  /** Closes the socket; handlers get nothing more. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    await this.receiving;
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const [topic, payload] of this.socket) {
        if (topic === undefined || payload === undefined) continue;
        if (this.wanted !== undefined && !this.wanted.has(topic.toString())) continue;
        let md: MarketData;
        try {
          md = decodeMarketData(payload);
        } catch (err) {
          this.onError(err);
          continue;
        }
        for (const h of this.handlers) {
          try {
            h(md);
          } catch (err) {
            this.onError(err);
          }
        }
      }
    } catch (err) {
      if (!this.closed) this.onError(err);
    }
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
