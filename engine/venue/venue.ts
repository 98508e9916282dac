import { Publisher, Router } from 'zeromq';
import { Exchange, type ExchangeStats, type VenueInstrument } from './exchange.ts';
import type { MarketMakerOptions } from './market-maker.ts';
import { decodeRequests, encodeMarketData, encodeReplies, type MarketData, type OrderStatusMsg, type VenueReply } from './protocol.ts';
import { SendPump, settleWithin, type ZmqMessage } from './send-pump.ts';
import { bindAll, type BusSecurity } from '../bus/security.ts';
import { log } from '../log.ts';

export type { VenueInstrument } from './exchange.ts';

/** Most venue messages per ZeroMQ message; bounds frame size and decode pauses. */
const MAX_BATCH = 4096;

export interface VenueOptions {
  /** Where the ROUTER for gateway orders binds, e.g. tcp://127.0.0.1:5601, tcp://127.0.0.1:* or inproc://venue. */
  routerEndpoint: string;
  /** Where the market data PUBLISHER binds. */
  marketDataEndpoint: string;
  /** More endpoints for the ROUTER and the PUBLISHER (bound first; the ones above are reported). */
  moreRouterEndpoints?: readonly string[];
  moreMarketDataEndpoints?: readonly string[];
  /** The instruments to list (the OMS reference data: a plain array). */
  instruments: readonly VenueInstrument[];
  /** Only list instruments whose `venue` is one of these. Default: list them all. */
  venueIds?: readonly string[];
  /** Seed of the simulated market. */
  seed: number;
  /** Market maker step interval in ms; 0 or less: only when {@link Venue.step} is called. */
  tickMs: number;
  /** Market data is published at most this often per symbol, coalesced. Default 100 ms. */
  marketDataIntervalMs?: number;
  /** Every symbol is republished at least this often, for late subscribers. Default 1000 ms. */
  marketDataRefreshMs?: number;
  marketMaker?: MarketMakerOptions;
  /** False: no simulated liquidity, books hold gateway orders only. Default true. */
  simulateLiquidity?: boolean;
  /** execIds start after this. Default 0. */
  execIdBase?: number;
  /** How often the venue's clock checks gtd expiries, ms. Default 250. */
  gtdCheckMs?: number;
  /** Finished orders the venue remembers (see ExchangeOptions.retainFinished). */
  retainFinished?: number;
  /** Send failures other than an unreachable gateway. Default: the engine log (engine/log.ts). */
  onError?: (err: unknown) => void;
  /** The host's bus keys (decision 063); none: plain binds. */
  security?: BusSecurity;
}

/** A gateway connection as the ROUTER sees it. */
export interface VenuePeer {
  /** ZeroMQ routing id. */
  readonly id: Buffer;
  /** Replies waiting to be sent. */
  outbox: VenueReply[];
  queued: boolean;
}

export interface VenueStats extends ExchangeStats {
  framesIn: number;
  framesOut: number;
  /** Reply frames dropped because their gateway was gone or stopped reading for `sendTimeout` (it recovers with Status). */
  undeliverableFrames: number;
  protocolErrors: number;
}

/** A running simulated venue. */
export interface Venue {
  /** The endpoint the ROUTER is bound to (with a wildcard port resolved). */
  readonly routerEndpoint: string;
  /** The endpoint the market data PUBLISHER is bound to. */
  readonly marketDataEndpoint: string;
  /** The matching engine, for inspection. */
  readonly exchange: Exchange<VenuePeer>;
  /** Advances the market makers `n` steps now (default 1); fills go out to gateways. */
  step(n?: number): void;
  /** Publishes market data of changed symbols now (all with `all`). */
  publishMarketData(all?: boolean): void;
  /** End of day: expires every open day order (Expired{DAY_ORDER_SESSION_END}); returns how many. */
  expireDayOrders(): number;
  /** Expires the gtd orders due at `nowUs` (default: the wall clock); returns how many. Also runs on a timer. */
  expireGtdOrders(nowUs?: number): number;
  /** Resolves when every reply and market data message so far was handed to ZeroMQ. */
  flushed(): Promise<void>;
  stats(): VenueStats;
  /** What the venue says of an order (as VenueProcess answers it; decision 279). */
  orderStatus(orderId: number): Promise<OrderStatusMsg>;
  venueStats(): Promise<VenueStats>;
  /** Stops timers, flushes what is queued and closes both sockets. */
  close(): Promise<void>;
}

/** A gateway that is gone (EHOSTUNREACH) or has not read for the send timeout (EAGAIN). */
function isUndeliverable(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === 'EHOSTUNREACH' || code === 'EAGAIN';
}


class VenueService implements Venue {
  readonly exchange: Exchange<VenuePeer>;
  private readonly peers = new Map<string, VenuePeer>();
  private readonly ready: VenuePeer[] = [];
  private readonly mdQueue: MarketData[] = [];
  private readonly routerPump: SendPump;
  private readonly mdPump: SendPump;
  private readonly timers: NodeJS.Timeout[] = [];
  private receiving: Promise<void> | undefined;
  private lastRefresh = 0;
  /** A kick of the reply pump is scheduled for the end of this wake-up's reads. */
  private replySoon = false;
  private readonly kickReplies = (): void => {
    this.replySoon = false;
    this.routerPump.kick();
  };
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly counters = { framesIn: 0, framesOut: 0, undeliverableFrames: 0, protocolErrors: 0 };

  constructor(
    private readonly router: Router,
    private readonly publisher: Publisher,
    private readonly opts: VenueOptions,
    readonly routerEndpoint: string,
    readonly marketDataEndpoint: string,
  ) {
    const onError = opts.onError ?? ((err: unknown) => log.error('venue', err));
    const venueIds = opts.venueIds;
    const instruments = venueIds === undefined ? opts.instruments : opts.instruments.filter((i) => venueIds.includes(i.venue ?? ''));
    this.exchange = new Exchange<VenuePeer>({
      instruments,
      seed: opts.seed,
      deliver: (peer, reply) => this.deliver(peer, reply),
      marketMaker: opts.marketMaker,
      simulateLiquidity: opts.simulateLiquidity,
      execIdBase: opts.execIdBase,
      retainFinished: opts.retainFinished,
    });
    this.routerPump = new SendPump(
      router,
      () => this.nextReplyFrame(),
      (err) => {
        if (isUndeliverable(err)) this.counters.undeliverableFrames++;
        else onError(err);
      },
    );
    this.mdPump = new SendPump(publisher, () => this.nextMarketData(), onError);
  }

  start(): void {
    this.receiving = this.receiveLoop();
    if (this.opts.tickMs > 0) this.timers.push(setInterval(() => this.step(), this.opts.tickMs));
    this.timers.push(setInterval(() => this.publishMarketData(), this.opts.marketDataIntervalMs ?? 100));
    // The venue's clock expires gtd orders (a real exchange does the same); the OMS hears of it as a report.
    this.timers.push(setInterval(() => this.expireGtdOrders(), this.opts.gtdCheckMs ?? 250));
    this.publishMarketData(true);
  }

  step(n = 1): void {
    if (this.closed) return;
    for (let i = 0; i < n; i++) this.exchange.step();
    this.routerPump.kick();
  }

  expireDayOrders(): number {
    if (this.closed) return 0;
    const n = this.exchange.expireDayOrders();
    this.routerPump.kick();
    return n;
  }

  expireGtdOrders(nowUs = Date.now() * 1000): number {
    if (this.closed) return 0;
    const n = this.exchange.expireGtdOrders(nowUs);
    if (n > 0) this.routerPump.kick();
    return n;
  }

  publishMarketData(all = false): void {
    if (this.closed) return;
    const now = Date.now();
    const refresh = all || now - this.lastRefresh >= (this.opts.marketDataRefreshMs ?? 1000);
    if (refresh) this.lastRefresh = now;
    for (const md of this.exchange.takeMarketData(now, refresh)) this.mdQueue.push(md);
    this.mdPump.kick();
  }

  async flushed(): Promise<void> {
    // A kick scheduled for the end of the reads runs first (immediates run in order).
    if (this.replySoon) await new Promise<void>((resolve) => setImmediate(resolve));
    await Promise.all([this.routerPump.idle(), this.mdPump.idle()]);
  }

  stats(): VenueStats {
    return { ...this.exchange.stats(), ...this.counters };
  }

  orderStatus(orderId: number): Promise<OrderStatusMsg> {
    return Promise.resolve(this.exchange.status(orderId));
  }

  venueStats(): Promise<VenueStats> {
    return Promise.resolve(this.stats());
  }

  close(): Promise<void> {
    return (this.closing ??= this.shutDown());
  }

  private async shutDown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    // Let queued replies go out, but never hang on a gateway that stopped reading.
    await settleWithin(this.flushed(), 500);
    this.closed = true;
    this.routerPump.stop();
    this.mdPump.stop();
    this.router.close();
    this.publisher.close();
    await this.receiving;
  }

  private deliver(peer: VenuePeer, reply: VenueReply): void {
    peer.outbox.push(reply);
    if (!peer.queued) {
      peer.queued = true;
      this.ready.push(peer);
    }
  }

  private peerFor(id: Buffer): VenuePeer {
    const key = id.toString('latin1');
    let peer = this.peers.get(key);
    if (peer === undefined) {
      peer = { id: Buffer.from(id), outbox: [], queued: false };
      this.peers.set(key, peer);
    }
    return peer;
  }

  /** One frame for the next peer with replies waiting; peers take turns per frame. */
  private nextReplyFrame(): ZmqMessage | undefined {
    const peer = this.ready.shift();
    if (peer === undefined) return undefined;
    let batch = peer.outbox;
    if (batch.length > MAX_BATCH) {
      batch = peer.outbox.slice(0, MAX_BATCH);
      peer.outbox = peer.outbox.slice(MAX_BATCH);
      this.ready.push(peer);
    } else {
      peer.outbox = [];
      peer.queued = false;
    }
    this.counters.framesOut++;
    return [peer.id, encodeReplies(batch)];
  }

  private nextMarketData(): ZmqMessage | undefined {
    const md = this.mdQueue.shift();
    if (md === undefined) return undefined;
    return [md.symbol, encodeMarketData(md)];
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const parts of this.router) {
        const id = parts[0];
        if (id === undefined) continue;
        const peer = this.peerFor(id);
        for (let i = 1; i < parts.length; i++) this.onFrame(peer, parts[i]!);
        // Replies go out once the frames that arrived together are read (zeromq.js resolves a receive at once
        // while frames are queued): one reply frame per gateway a wake-up, not one per frame in (issue 15).
        if (!this.replySoon) {
          this.replySoon = true;
          setImmediate(this.kickReplies);
        }
      }
    } catch (err) {
      if (!this.closed) (this.opts.onError ?? ((e: unknown) => log.error('venue', e)))(err);
    }
  }

  private onFrame(peer: VenuePeer, frame: Buffer): void {
    this.counters.framesIn++;
    let decoded;
    try {
      decoded = decodeRequests(frame);
    } catch (err) {
      this.counters.protocolErrors++;
      this.deliver(peer, { type: 'ProtocolError', text: (err as Error).message });
      return;
    }
    for (const text of decoded.errors) {
      this.counters.protocolErrors++;
      this.deliver(peer, { type: 'ProtocolError', text });
    }
    const msgs = decoded.msgs;
    for (let i = 0; i < msgs.length; i++) {
      try {
        this.exchange.handle(peer, msgs[i]!);
      } catch (err) {
        // A bug, not bad input: report it, answer, and keep serving the other messages.
        this.counters.protocolErrors++;
        (this.opts.onError ?? ((e: unknown) => log.error('venue', e)))(err);
        this.deliver(peer, { type: 'ProtocolError', text: `internal error on ${msgs[i]!.type}: ${(err as Error).message}` });
      }
    }
  }
}

/**
 * Starts the simulated venue: binds a ROUTER for gateway orders and a
 * PUBLISHER for market data, lists one book per instrument with a seeded
 * market maker, and starts the market maker and market data timers.
 *
 * Every reply goes back to the ROUTER identity that owns the order, batched:
 * one ZeroMQ message carries all replies that piled up for that gateway.
 * Market data goes out as two frames, [symbol, msgpack(MarketData)], at most
 * every `marketDataIntervalMs` per symbol. Note that ZeroMQ topics are
 * prefixes: a subscription to "AAPL" also receives "AAPL 250620C190", so a
 * subscriber compares the topic frame (MarketDataSubscriber does).
 */
export async function startVenue(opts: VenueOptions): Promise<Venue> {
  // mandatory: a full gateway queue makes send() wait (backpressure) instead of dropping fills;
  // sendTimeout bounds that wait so one stalled gateway cannot stall the venue.
  const router = new Router({
    mandatory: true,
    handover: true,
    linger: 200,
    sendHighWaterMark: 10_000,
    receiveHighWaterMark: 0,
    sendTimeout: 5_000,
  });
  const publisher = new Publisher({ linger: 0, sendHighWaterMark: 10_000 });
  try {
    await bindAll(router, [...(opts.moreRouterEndpoints ?? []), opts.routerEndpoint], opts.security);
    await bindAll(publisher, [...(opts.moreMarketDataEndpoints ?? []), opts.marketDataEndpoint], opts.security);
  } catch (err) {
    router.close();
    publisher.close();
    throw err;
  }
  const service = new VenueService(
    router,
    publisher,
    opts,
    router.lastEndpoint ?? opts.routerEndpoint,
    publisher.lastEndpoint ?? opts.marketDataEndpoint,
  );
  service.start();
  return service;
}
