import { Router } from 'zeromq';
import { mayBeAtVenue } from '../../oms/order-state.ts';
import type { OmsProjection } from '../../oms/projection.ts';
import { VenueClient } from '../../venue/client.ts';
import { decodeRequests, encodeReplies, type VenueReply, type VenueRequest } from '../../venue/protocol.ts';
import { SendPump, type ZmqMessage } from '../../venue/send-pump.ts';
import { FixVenueLink, type FixVenueConfig } from './link.ts';
import { log } from '../../log.ts';

export interface FixVenueBridgeOptions {
  /** Where the bridge's ROUTER binds; the exchange gateway connects here instead of to the venue. */
  readonly endpoint: string;
  /** The simulated venue's ROUTER, for venues not reached over FIX. */
  readonly simulatedVenue: string;
  readonly venues: readonly FixVenueConfig[];
  /** The OMS projection of this process (read only): which venue an order went to, what is live. */
  readonly projection: OmsProjection;
  /** FIX store and ClOrdID files. */
  readonly dir: string;
  readonly onTraffic?: (venueId: string, direction: 'in' | 'out', text: string) => void;
}

/**
 * The exit to FIX venues, behind the exchange gateway: the gateway speaks
 * Ordo's venue protocol to this bridge as it would to the simulated venue,
 * and the bridge sends each request down the FIX link of the order's venue
 * (or on to the simulated venue when that venue has no FIX link). Venue
 * replies come back the same way, so the gateway turns them into sequenced
 * commands exactly as for the in-process venue; fills carry the venue's
 * ExecID (hashed to a number), so a resent ExecutionReport is deduplicated
 * like any repeated fill.
 */
export class FixVenueBridge {
  private readonly router = new Router({ linger: 0 });
  private readonly pump: SendPump;
  private readonly links = new Map<string, FixVenueLink>();
  private readonly sim: VenueClient;
  private peer: Buffer | undefined;
  private outbox: VenueReply[] = [];
  private closed = false;
  private receiving: Promise<void> | undefined;

  private constructor(private readonly opts: FixVenueBridgeOptions) {
    this.pump = new SendPump(this.router, () => this.nextFrame(), (err) => log.error(`fix bridge: ${(err as Error).message}`));
    this.sim = new VenueClient({ endpoint: opts.simulatedVenue });
    this.sim.onMessage((m) => this.reply(m));
    for (const v of opts.venues) {
      this.links.set(
        v.venueId,
        new FixVenueLink({
          config: v,
          dir: opts.dir,
          liveOrders: () =>
            [...opts.projection.orders()]
              .filter((o) => o.venue === v.venueId && mayBeAtVenue(o.stage))
              .map((o) => ({ orderId: o.orderId, symbol: o.symbol, side: o.side, quantity: o.quantity, filledQuantity: o.filledQuantity, avgPrice: o.avgPrice })),
          onReply: (m) => this.reply(m),
          ...(opts.onTraffic ? { onTraffic: (d: 'in' | 'out', t: string) => opts.onTraffic!(v.venueId, d, t) } : {}),
        }),
      );
    }
  }

  /** Binds the bridge and starts one FIX link per venue. */
  static async start(opts: FixVenueBridgeOptions): Promise<FixVenueBridge> {
    const b = new FixVenueBridge(opts);
    await b.router.bind(opts.endpoint);
    b.receiving = b.receive();
    return b;
  }

  get endpoint(): string {
    return this.opts.endpoint;
  }

  /** The FIX link of a venue (tests, status). */
  link(venueId: string): FixVenueLink | undefined {
    return this.links.get(venueId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.links.values()) l.close();
    await this.sim.close();
    this.pump.stop();
    this.router.close();
    await this.receiving;
  }

  private async receive(): Promise<void> {
    try {
      for await (const parts of this.router) {
        this.peer = parts[0];
        for (let i = 1; i < parts.length; i++) {
          let msgs: VenueRequest[];
          try {
            msgs = decodeRequests(parts[i]!).msgs;
          } catch (err) {
            this.reply({ type: 'ProtocolError', text: (err as Error).message });
            continue;
          }
          for (const m of msgs) this.route(m);
        }
      }
    } catch (err) {
      if (!this.closed) log.error(`fix bridge: ${(err as Error).message}`);
    }
  }

  private venueOf(orderId: number, symbol?: string): string | undefined {
    return this.opts.projection.order(orderId)?.venue ?? (symbol !== undefined ? this.opts.projection.instrument(symbol)?.venue : undefined);
  }

  private route(m: VenueRequest): void {
    if (m.type === 'Status') {
      const sim: number[] = [];
      for (const id of m.orderIds) {
        const link = this.links.get(this.venueOf(id) ?? '');
        if (link) link.send({ type: 'Status', orderIds: [id] });
        else sim.push(id);
      }
      if (sim.length > 0) this.sim.send({ type: 'Status', orderIds: sim });
      return;
    }
    const link = this.links.get(this.venueOf(m.orderId, m.type === 'NewOrder' ? m.symbol : undefined) ?? '');
    if (link) link.send(m);
    else this.sim.send(m);
  }

  private reply(m: VenueReply): void {
    this.outbox.push(m);
    this.pump.kick();
  }

  private nextFrame(): ZmqMessage | undefined {
    if (this.outbox.length === 0 || this.peer === undefined) return undefined;
    const batch = this.outbox;
    this.outbox = [];
    return [this.peer, encodeReplies(batch)];
  }
}
