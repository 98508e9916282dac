import type { CommandSink } from '../../component/logic.ts';
import type { Sequenced } from '../../protocol/events.ts';
import { log } from '../../log.ts';
import { Reason } from '../../protocol/reasons.ts';
import type { OrderStatusMsg, VenueReply, VenueRequest } from '../../venue/protocol.ts';
import { isTerminalStage, mayBeAtVenue } from '../order-state.ts';
import { carriesOver } from '../snapshot.ts';
import type { OmsProjection, ReadonlyOrder } from '../projection.ts';

/**
 * The exchange gateway's decisions, without any transport: which venue
 * requests an event calls for, and which commands a venue reply becomes.
 * The gateway component wires it to a venue connection; the deterministic
 * simulation test (test/engine/lifecycle-simulation.test.ts) wires it to a
 * simulated bus and venue.
 *
 * The rules that keep the OMS in line with the venue (docs/decisions/070):
 * - The gateway never cancels or replaces an order on its own authority:
 *   whether a cancel/replace takes effect at once (the log proves the order
 *   never reached the venue) or goes to the venue is the projection's rule at
 *   the request's seq; the gateway only forwards what the projection left
 *   pending.
 * - Every venue report becomes a command, whatever the OMS thinks of the order.
 */
export class GatewayLogic {
  /** execIds already turned into commands by this instance (not yet in the log). */
  private readonly sentExecs = new Set<number>();

  constructor(
    private readonly projection: OmsProjection,
    private readonly toVenue: (req: VenueRequest) => void,
  ) {}

  /** After the projection applied `e`: what the venue must hear of it. */
  onEvent(e: Sequenced): void {
    const ev = e.event;
    switch (ev.type) {
      case 'OrderRouted': {
        const o = this.projection.order(ev.orderId);
        if (o && o.stage === 'routed' && o.filledQuantity === 0) this.newOrder(o);
        break;
      }
      case 'CancelRequested': {
        if (this.projection.refusedAt(e.seq) !== undefined) break;
        const o = this.projection.order(ev.orderId);
        if (o && o.cancelPending && mayBeAtVenue(o.stage)) this.toVenue({ type: 'Cancel', orderId: o.orderId });
        break;
      }
      case 'ReplaceRequested': {
        if (this.projection.refusedAt(e.seq) !== undefined) break;
        const o = this.projection.order(ev.orderId);
        if (o && o.replacePending && mayBeAtVenue(o.stage)) {
          this.toVenue({ type: 'Replace', orderId: o.orderId, quantity: ev.quantity, price: ev.price });
        }
        break;
      }
      case 'SessionClosing':
        this.expireAtVenue();
        break;
      case 'OrderExpired': {
        // A forced close expired an order the venue may still hold: take it off the book too. The
        // venue's own expiries (ioc/fok remainders, gtd, day end) came from it and need nothing.
        if (e.src !== 'sequencer' || ev.reason !== Reason.SESSION_CLOSE_FORCED) break;
        const o = this.projection.order(ev.orderId);
        if (o?.venue !== undefined) this.toVenue({ type: 'Expire', orderId: o.orderId, reason: Reason.DAY_ORDER_SESSION_END });
        break;
      }
      case 'OrderExecuted':
        this.sentExecs.delete(ev.execId); // in the log now; the projection ignores a repeat
        break;
      default:
        break;
    }
  }

  /**
   * Session close: every order that ends with the session and may be at the
   * venue is expired there; the venue's Expired reports (or the fills that
   * beat them) come back as commands, and the session closes once none is
   * left (OmsSequencerPolicy.readyToClose).
   */
  private expireAtVenue(): void {
    for (const o of this.projection.orders()) {
      if (mayBeAtVenue(o.stage) && !carriesOver(o.timeInForce)) {
        this.toVenue({ type: 'Expire', orderId: o.orderId, reason: Reason.DAY_ORDER_SESSION_END });
      }
    }
  }

  /** On taking over: ask the venue for every order it may hold, and send the routed ones it may not have. */
  onActivate(): void {
    const live: number[] = [];
    for (const o of this.projection.orders()) if (o.stage !== 'routed' && mayBeAtVenue(o.stage)) live.push(o.orderId);
    if (live.length > 0) this.toVenue({ type: 'Status', orderIds: live });
    // A routed order may or may not have reached the venue: NewOrder is idempotent by orderId
    // (a venue that has it answers with its status), so sending it again is safe.
    for (const o of this.projection.orders()) if (o.stage === 'routed') this.newOrder(o);
    if (this.projection.session.state === 'closing') this.expireAtVenue();
  }

  /** A venue report: the command(s) that put it in the log. */
  onVenue(m: VenueReply, out: CommandSink): void {
    switch (m.type) {
      case 'Ack':
        out.send({ type: 'OrderAcknowledged', orderId: m.orderId });
        break;
      case 'Fill':
        this.execution(m.orderId, m.execId, m.quantity, m.price, out);
        break;
      case 'Cancelled':
        out.send({ type: 'OrderCancelled', orderId: m.orderId, reason: m.reason });
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
        this.reconcile(m, out);
        break;
      case 'ProtocolError':
        log.error(`gateway: venue says: ${m.text}`);
        break;
    }
  }

  private newOrder(o: ReadonlyOrder): void {
    const req: VenueRequest = {
      type: 'NewOrder',
      orderId: o.orderId,
      symbol: o.symbol,
      side: o.side,
      orderType: o.type,
      timeInForce: o.timeInForce,
      quantity: o.quantity,
      price: o.price,
      // Self-trade prevention at the venue is per client.
      owner: o.clientId,
    };
    if (o.expireAt > 0) req.expireAt = o.expireAt;
    this.toVenue(req);
  }

  private execution(orderId: number, execId: number, quantity: number, price: number, out: CommandSink): void {
    if (this.sentExecs.has(execId) || this.projection.hasExec(orderId, execId)) return;
    this.sentExecs.add(execId);
    out.send({ type: 'OrderExecuted', orderId, execId, fillQty: quantity, fillPrice: price });
  }

  /** Brings the log in line with what the venue says of an order. */
  private reconcile(m: OrderStatusMsg, out: CommandSink): void {
    const o = this.projection.order(m.orderId);
    if (!o || isTerminalStage(o.stage)) return;
    // The venue lists every fill since the order's start; those of earlier sessions (the part the
    // order was restored with) are already in its cumQty, and this session's are known by execId.
    let earlier = o.filledQuantity;
    for (const f of this.projection.fillsOf(o.orderId)) earlier -= f.quantity;
    for (const f of m.fills) {
      if (earlier >= f.quantity) {
        earlier -= f.quantity;
        continue;
      }
      this.execution(m.orderId, f.execId, f.quantity, f.price, out);
    }
    switch (m.state) {
      case 'unknown':
        // The venue never got it (or restarted): send it again; the venue dedupes by orderId.
        if (o.filledQuantity === 0) this.newOrder(o);
        else out.send({ type: 'OrderCancelled', orderId: o.orderId, reason: Reason.VENUE_UNAVAILABLE });
        break;
      case 'open':
        if (o.stage === 'routed') out.send({ type: 'OrderAcknowledged', orderId: o.orderId });
        break;
      case 'cancelled':
        out.send({ type: 'OrderCancelled', orderId: o.orderId, reason: Reason.VENUE_REJECT });
        break;
      case 'expired':
        out.send({ type: 'OrderExpired', orderId: o.orderId, reason: Reason.VENUE_REJECT });
        break;
      case 'rejected':
        out.send({ type: 'VenueRejected', orderId: o.orderId, reason: Reason.VENUE_REJECT, text: 'rejected by the venue' });
        break;
      case 'filled':
        break; // its fills above complete it
      case 'forgotten':
        log.error(`gateway: the venue no longer remembers order ${o.orderId}; its final report was lost`);
        break;
    }
  }
}
