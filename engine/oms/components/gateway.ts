import { STORAGE_UNAVAILABLE } from '../../../contract/api-errors.ts';
import type { CommandReply } from '../../bus/command-client.ts';
import type { CommandSink, ComponentLogic } from '../../component/logic.ts';
import type { CommandBody, Sequenced } from '../../protocol/events.ts';
import { Reason } from '../../protocol/reasons.ts';
import { VenueClient } from '../../venue/client.ts';
import type { OrderStatusMsg, VenueReply, VenueRequest } from '../../venue/protocol.ts';
import { isTerminal, type OmsProjection, type ReadonlyOrder } from '../projection.ts';
import { blockedReason, cancelsFor } from '../exposure/kill-switch.ts';
import { RiskState } from '../exposure/risk-state.ts';
import { ProjectedComponent } from './projected.ts';
import { log } from '../../log.ts';
import type { BusSecurity } from '../../bus/security.ts';

function atVenue(o: ReadonlyOrder): boolean {
  return o.venue !== undefined && (o.state === 'routed' || o.state === 'partially_filled');
}

export interface GatewayOptions {
  /** The venue's ROUTER endpoint. */
  readonly venueEndpoint: string;
  /** Called for venue traffic, to count it (tests, figures). */
  readonly onVenueRequest?: (req: VenueRequest) => void;
  /** Risk's projection shared in this process (applied by its owner); default: the gateway folds its own. */
  readonly risk?: RiskState;
  /** The host's (or `ordo component`'s) bus keys for the venue connection (decision 063). */
  readonly security?: BusSecurity;
}

/**
 * Exchange gateway: the OMS's only exit to venues. Only the active instance
 * holds a venue connection; a standby gateway applies events and stays
 * silent. Venue replies become commands (executions, cancels, rejects).
 */
export class GatewayComponent extends ProjectedComponent implements ComponentLogic {
  readonly role = 'gateway';
  private client: VenueClient | undefined;
  private out: CommandSink | undefined;
  /** execIds already turned into commands by this instance (not yet in the log). */
  private readonly sentExecs = new Set<number>();
  /** Risk's state: halts (kill switch), expiries, market orders' protection prices. */
  private readonly risk: RiskState;
  /** Orders this instance cancels at the venue for the kill switch / an expiry, with the reason to log. */
  private readonly riskCancels = new Map<number, number>();

  constructor(
    private readonly opts: GatewayOptions,
    shared?: OmsProjection,
  ) {
    super(shared);
    this.risk = opts.risk ?? new RiskState();
  }

  override apply(session: number, e: Sequenced): void {
    super.apply(session, e);
    if (this.opts.risk === undefined) this.risk.apply(e);
  }

  react(_session: number, e: Sequenced, out: CommandSink): void {
    const ev = e.event;
    switch (ev.type) {
      case 'OrderRouted': {
        const o = this.projection.order(ev.orderId);
        if (o && o.state === 'routed' && o.filledQuantity === 0) this.newOrder(o);
        break;
      }
      case 'CancelRequested': {
        const o = this.projection.order(ev.orderId);
        if (!o || isTerminal(o.state)) break;
        if (atVenue(o)) this.toVenue({ type: 'Cancel', orderId: o.orderId });
        else out.send({ type: 'OrderCancelled', orderId: o.orderId, reason: Reason.TRADER_REQUEST });
        break;
      }
      case 'ReplaceRequested': {
        const o = this.projection.order(ev.orderId);
        if (!o || isTerminal(o.state)) break;
        if (atVenue(o)) this.toVenue({ type: 'Replace', orderId: o.orderId, quantity: ev.quantity, price: ev.price });
        else out.send({ type: 'OrderReplaced', orderId: o.orderId, quantity: ev.quantity, price: ev.price });
        break;
      }
      case 'OrderExpired': {
        // Day orders expire in the OMS at session close: take them off the venue's book too.
        const o = this.projection.order(ev.orderId);
        if (o?.venue !== undefined && o.type === 'limit') this.toVenue({ type: 'Cancel', orderId: o.orderId });
        break;
      }
      case 'OrderExecuted':
        this.sentExecs.delete(ev.execId); // in the log now; the projection ignores a repeat
        break;
      case 'TradingHalted':
      case 'InstrumentExpired': {
        // Kill switch / expiry: take every live order off the venue; those not there yet end here.
        const { orderIds, reason } = cancelsFor(e, this.risk);
        for (const id of orderIds) this.riskCancel(id, reason, out);
        break;
      }
      default:
        break;
    }
  }

  /** On taking over: connect to the venue and reconcile every order it should hold. */
  onActivate(out: CommandSink): void {
    this.out = out;
    this.client = new VenueClient({ endpoint: this.opts.venueEndpoint, security: this.opts.security, onError: (err) => log.error(`gateway: ${(err as Error).message ?? String(err)}`) });
    this.client.onMessage((m) => this.onVenue(m));
    const live = [...this.projection.orders()].filter(atVenue).map((o) => o.orderId);
    if (live.length > 0) this.toVenue({ type: 'Status', orderIds: live });
    for (const id of live) {
      const o = this.projection.order(id)!;
      const blocked = blockedReason(this.risk, o.clientId, o.symbol);
      if (blocked !== undefined) this.riskCancel(id, blocked, out); // a halt this instance has not acted on yet
    }
    for (const o of this.projection.orders()) if (o.state === 'routed' && o.filledQuantity === 0 && !live.includes(o.orderId)) this.newOrder(o);
  }

  async onDeactivate(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.out = undefined;
    await c?.close();
  }

  onRefused(_cseq: number, _body: CommandBody, reply: CommandReply): 'retry' | 'drop' {
    // Venue facts (fills, cancels) must reach the log: keep them while the session is closed or storage is out.
    return reply.code === 'SESSION_NOT_OPEN' || reply.code === STORAGE_UNAVAILABLE ? 'retry' : 'drop';
  }

  close(): Promise<void> {
    return this.onDeactivate();
  }

  private riskCancel(orderId: number, reason: number, out: CommandSink): void {
    const o = this.projection.order(orderId);
    if (!o || isTerminal(o.state)) return;
    if (atVenue(o)) {
      this.riskCancels.set(orderId, reason);
      this.toVenue({ type: 'Cancel', orderId });
    } else out.send({ type: 'OrderCancelled', orderId, reason });
  }

  private newOrder(o: ReadonlyOrder): void {
    // A halted client's or an expired instrument's order never reaches the venue.
    const blocked = blockedReason(this.risk, o.clientId, o.symbol);
    if (blocked !== undefined) {
      this.out?.send({ type: 'OrderCancelled', orderId: o.orderId, reason: blocked });
      return;
    }
    const protection = o.type === 'market' ? this.risk.protectionPrice(o.orderId) : undefined;
    this.toVenue({
      ...(protection !== undefined ? { protectionPrice: protection } : {}),
      type: 'NewOrder',
      orderId: o.orderId,
      symbol: o.symbol,
      side: o.side,
      orderType: o.type,
      timeInForce: o.timeInForce,
      quantity: o.quantity,
      price: o.price,
    });
  }

  private toVenue(req: VenueRequest): void {
    if (!this.client) return;
    this.opts.onVenueRequest?.(req);
    this.client.send(req);
  }

  private onVenue(m: VenueReply): void {
    const out = this.out;
    if (!out) return;
    switch (m.type) {
      case 'Ack':
        break;
      case 'Fill':
        this.execution(m.orderId, m.execId, m.quantity, m.price);
        break;
      case 'Cancelled':
        out.send({ type: 'OrderCancelled', orderId: m.orderId, reason: this.riskCancels.get(m.orderId) ?? m.reason });
        this.riskCancels.delete(m.orderId);
        break;
      case 'Expired':
        out.send({ type: 'OrderExpired', orderId: m.orderId, reason: m.reason });
        break;
      case 'Rejected':
        out.send({ type: 'VenueRejected', orderId: m.orderId, reason: m.reason, text: m.text });
        break;
      case 'ReplaceAck':
        out.send({ type: 'OrderReplaced', orderId: m.orderId, quantity: m.quantity, price: m.price });
        break;
      case 'ReplaceRejected':
        out.send({ type: 'ReplaceRejected', orderId: m.orderId, reason: m.reason, text: m.text });
        break;
      case 'CancelRejected':
        out.send({ type: 'CancelRejected', orderId: m.orderId, reason: m.reason, text: m.text });
        break;
      case 'OrderStatus':
        this.reconcile(m);
        break;
      case 'ProtocolError':
        log.error(`gateway: venue says: ${m.text}`);
        break;
    }
  }

  private execution(orderId: number, execId: number, quantity: number, price: number): void {
    if (this.sentExecs.has(execId) || this.projection.hasExec(orderId, execId)) return;
    this.sentExecs.add(execId);
    this.out?.send({ type: 'OrderExecuted', orderId, execId, fillQty: quantity, fillPrice: price });
  }

  /** Brings the log in line with what the venue says of an order. */
  private reconcile(m: OrderStatusMsg): void {
    const o = this.projection.order(m.orderId);
    if (!o || isTerminal(o.state)) return;
    if (m.state === 'unknown') {
      // The venue never got it (or restarted): send it again; the venue dedupes by orderId.
      if (o.filledQuantity === 0) this.newOrder(o);
      else this.out?.send({ type: 'OrderCancelled', orderId: o.orderId, reason: Reason.VENUE_UNAVAILABLE });
      return;
    }
    for (const f of m.fills) this.execution(m.orderId, f.execId, f.quantity, f.price);
    if (m.state === 'cancelled') this.out?.send({ type: 'OrderCancelled', orderId: o.orderId, reason: Reason.VENUE_REJECT });
    else if (m.state === 'expired') this.out?.send({ type: 'OrderExpired', orderId: o.orderId, reason: Reason.IOC_REMAINDER });
    else if (m.state === 'rejected') this.out?.send({ type: 'VenueRejected', orderId: o.orderId, reason: Reason.VENUE_REJECT, text: 'rejected by the venue' });
  }
}
