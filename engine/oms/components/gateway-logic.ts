import type { CommandSink } from '../../component/logic.ts';
import type { Sequenced } from '../../protocol/events.ts';
import { log } from '../../log.ts';
import { Reason } from '../../protocol/reasons.ts';
import type { OrderStatusMsg, VenueReply, VenueRequest } from '../../venue/protocol.ts';
import { isTerminalStage, mayBeAtVenue } from '../order-state.ts';
import { carriesOver } from '../snapshot.ts';
import type { OmsProjection, ReadonlyOrder } from '../projection.ts';
import { blockedReason, cancelsFor } from '../exposure/kill-switch.ts';
import { RiskState } from '../exposure/risk-state.ts';

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
 * - Risk's kill switch and instrument expiry (TradingHalted, InstrumentExpired
 *   in the log are the authority): every live order the venue may hold gets a
 *   Cancel, and ends in the log only when the venue confirms it (the venue's
 *   Cancelled, logged with KILL_SWITCH / INSTRUMENT_EXPIRY); a fill that beats
 *   the cancel still counts. An order the log proves never reached the venue
 *   (pending, accepted) is cancelled at once. A blocked order is never sent.
 */
export class GatewayLogic {
  /** execIds already turned into commands by this instance (not yet in the log). */
  private readonly sentExecs = new Set<number>();
  /** Orders this instance cancels at the venue for the kill switch / an expiry, with the reason to log. */
  private readonly riskCancels = new Map<number, number>();
  /** Risk's state: halts (kill switch), expiries, market orders' protection prices. */
  private readonly risk: RiskState;
  private readonly ownsRisk: boolean;
  private out: CommandSink | undefined;

  /**
   * `risk`: risk's projection when shared in this process (applied by its
   * owner); without it the logic folds its own, and its owner calls apply().
   */
  constructor(
    private readonly projection: OmsProjection,
    private readonly toVenue: (req: VenueRequest) => void,
    risk?: RiskState,
  ) {
    this.risk = risk ?? new RiskState();
    this.ownsRisk = risk === undefined;
  }

  /** The risk state this logic folds itself (undefined when shared): a joining gateway restores it from a checkpoint. */
  get ownRisk(): RiskState | undefined {
    return this.ownsRisk ? this.risk : undefined;
  }

  /** Applies `e` to the logic's own risk state (nothing when the risk state is shared). */
  apply(e: Sequenced): void {
    if (this.ownsRisk) this.risk.apply(e);
  }

  /** After the projection (and risk state) applied `e`: what the venue must hear of it. */
  onEvent(e: Sequenced, out?: CommandSink): void {
    if (out !== undefined) this.out = out;
    const ev = e.event;
    switch (ev.type) {
      case 'OrderRouted': {
        const o = this.projection.order(ev.orderId);
        // With fills only when a parked order is re-entered (decision 075): the venue keeps its fills.
        if (o && o.stage === 'routed') this.newOrder(o);
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
        this.expireAtVenue(ev.roll !== true);
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
      case 'OrderCancelled':
      case 'OrderExpired':
      case 'OrderRejected':
      case 'VenueRejected':
        if (this.riskCancels.has(ev.orderId)) {
          const o = this.projection.order(ev.orderId);
          if (o === undefined || isTerminalStage(o.stage)) this.riskCancels.delete(ev.orderId);
        }
        break;
      case 'TradingHalted':
      case 'InstrumentExpired': {
        // Kill switch / expiry: take every live order off the venue; those never sent end here.
        const { orderIds, reason } = cancelsFor(e, this.risk);
        for (const id of orderIds) this.riskCancel(id, reason);
        break;
      }
      default:
        break;
    }
  }

  /**
   * A kill-switch / expiry cancel: at the venue (confirmed by its Cancelled)
   * for an order that may be there; at once for one the log proves never left.
   */
  private riskCancel(orderId: number, reason: number): void {
    const o = this.projection.order(orderId);
    if (!o || isTerminalStage(o.stage)) return;
    if (mayBeAtVenue(o.stage)) {
      this.riskCancels.set(orderId, reason);
      this.toVenue({ type: 'Cancel', orderId });
    } else this.out?.send({ type: 'OrderCancelled', orderId, reason });
  }

  /**
   * Session close: every order that ends with the session and may be at the
   * venue is expired there; on an explicit close (`park`, not a roll) every
   * carried one (gtc, gtd) is parked there: taken off the book, to be
   * re-entered at the next open (decision 075). The venue's reports (or the
   * fills that beat them) come back as commands, and the session closes once
   * none is left (OmsSequencerPolicy.readyToClose).
   */
  private expireAtVenue(park: boolean): void {
    for (const o of this.projection.orders()) {
      if (!mayBeAtVenue(o.stage)) continue;
      if (!carriesOver(o.timeInForce)) this.toVenue({ type: 'Expire', orderId: o.orderId, reason: Reason.DAY_ORDER_SESSION_END });
      else if (park) this.toVenue({ type: 'Expire', orderId: o.orderId, reason: Reason.SESSION_PARKED });
    }
  }

  /**
   * On taking over: ask the venue for every order it may hold, and send the
   * routed ones it may not have. Orders of a halted client or an expired
   * instrument are not sent: they are cancelled (a halt this instance has not
   * acted on yet); a routed one the venue turns out not to know ends at once.
   */
  onActivate(out?: CommandSink): void {
    if (out !== undefined) this.out = out;
    const live: number[] = [];
    const blocked: { orderId: number; reason: number }[] = [];
    for (const o of this.projection.orders()) {
      if (!mayBeAtVenue(o.stage)) continue;
      const reason = blockedReason(this.risk, o.clientId, o.symbol);
      if (reason !== undefined) blocked.push({ orderId: o.orderId, reason });
      if (o.stage !== 'routed' || reason !== undefined) live.push(o.orderId);
    }
    if (live.length > 0) this.toVenue({ type: 'Status', orderIds: live });
    for (const b of blocked) this.riskCancel(b.orderId, b.reason);
    // A routed order may or may not have reached the venue: NewOrder is idempotent by orderId
    // (a venue that has it answers with its status), so sending it again is safe.
    const cancelled = new Set(blocked.map((b) => b.orderId));
    for (const o of this.projection.orders()) if (o.stage === 'routed' && !cancelled.has(o.orderId)) this.newOrder(o);
    // Orders the log proves never left (pending, accepted) of a halted client or expired instrument end here.
    for (const o of this.projection.orders()) {
      if (o.stage !== 'pending' && o.stage !== 'accepted') continue;
      const reason = blockedReason(this.risk, o.clientId, o.symbol);
      if (reason !== undefined) this.riskCancel(o.orderId, reason);
    }
    this.resendPending(cancelled);
    if (this.projection.session.state === 'closing') this.expireAtVenue(this.projection.session.rolling !== true);
  }

  /**
   * A cancel or replace the log shows in flight at the venue (sent by an
   * instance before this one, or in the previous session, carried by the
   * snapshot: decision 075) may never have reached it, or its answer may be
   * lost: send it again. The venue answers a repeat like any request (a
   * cancel of a finished order: TOO_LATE; a replace to the terms it already
   * has: confirmed again), and the projection applies the answer to the
   * pending request.
   */
  private resendPending(skip: ReadonlySet<number>): void {
    for (const o of this.projection.orders()) {
      if (skip.has(o.orderId) || !mayBeAtVenue(o.stage)) continue;
      if (o.cancelPending) this.toVenue({ type: 'Cancel', orderId: o.orderId });
      const rep = o.replacePending ? this.projection.pendingReplace(o.orderId) : undefined;
      if (rep !== undefined) this.toVenue({ type: 'Replace', orderId: o.orderId, quantity: rep.quantity, price: rep.price });
    }
  }

  /**
   * One frame of venue reports, in order: the commands that put them in the
   * log. An order the same frame acknowledges and fills completely (filled on
   * arrival) is logged by its fills alone: its acknowledgement would move
   * nothing (the first fill takes a routed order on, decision 251) and would
   * cost a sixth of its lifecycle's events. An order that rests, or fills
   * only in part, keeps its acknowledgement (FIX ExecType New: it is working).
   */
  onVenueBatch(msgs: readonly VenueReply[], out: CommandSink): void {
    let filledOnArrival: Set<number> | undefined;
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i]!;
      if (m.type === 'Fill' && m.leaves === 0) (filledOnArrival ??= new Set()).add(m.orderId);
    }
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i]!;
      if (m.type === 'Ack' && filledOnArrival?.has(m.orderId) === true) continue;
      this.onVenue(m, out);
    }
  }

  /** A venue report: the command(s) that put it in the log. */
  onVenue(m: VenueReply, out: CommandSink): void {
    this.out = out;
    switch (m.type) {
      case 'Ack':
        out.send({ type: 'OrderAcknowledged', orderId: m.orderId });
        break;
      case 'Fill':
        this.execution(m.orderId, m.execId, m.quantity, m.price, out);
        break;
      case 'Cancelled':
        out.send({ type: 'OrderCancelled', orderId: m.orderId, reason: this.riskCancels.get(m.orderId) ?? m.reason });
        this.riskCancels.delete(m.orderId);
        break;
      case 'Expired':
        // Parked at an explicit close: off the book, not ended (decision 075).
        if (m.reason === Reason.SESSION_PARKED) out.send({ type: 'OrderParked', orderId: m.orderId });
        else out.send({ type: 'OrderExpired', orderId: m.orderId, reason: m.reason });
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
      case 'CancelRejected': {
        // A kill-switch cancel nobody in the log asked for as a CancelRequested: its reject (the order
        // finished first, or the venue never had it) is not logged; the order's own end report is.
        const o = this.projection.order(m.orderId);
        if (this.riskCancels.has(m.orderId) && !(o?.cancelPending ?? false)) {
          this.riskCancels.delete(m.orderId);
          break;
        }
        out.send({ type: 'CancelRejected', orderId: m.orderId, reason: m.reason, text: m.text });
        break;
      }
      case 'OrderStatus':
        this.reconcile(m, out);
        break;
      case 'ProtocolError':
        log.error(`gateway: venue says: ${m.text}`);
        break;
    }
  }

  private newOrder(o: ReadonlyOrder): void {
    // A halted client's or an expired instrument's order never reaches the venue: it ends here.
    const blocked = blockedReason(this.risk, o.clientId, o.symbol);
    if (blocked !== undefined) {
      this.out?.send({ type: 'OrderCancelled', orderId: o.orderId, reason: blocked });
      return;
    }
    const req: VenueRequest = {
      type: 'NewOrder',
      orderId: o.orderId,
      symbol: o.symbol,
      side: o.side,
      orderType: o.orderType,
      timeInForce: o.timeInForce,
      quantity: o.quantity,
      price: o.price,
      // Self-trade prevention at the venue is per client.
      owner: o.clientId,
    };
    if (o.expireAt > 0) req.expireAt = o.expireAt;
    // Risk's market collar: the venue fills no part beyond the protection price.
    const protection = o.orderType === 'market' ? this.risk.protectionPrice(o.orderId) : undefined;
    if (protection !== undefined) req.protectionPrice = protection;
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
        // An explicit close parks carried orders (decision 075): one the venue does not hold (it restarted) is
        // as good as parked, and is re-entered at the next open rather than during the close.
        if (this.projection.session.state === 'closing' && this.projection.session.rolling !== true && carriesOver(o.timeInForce)) {
          out.send({ type: 'OrderParked', orderId: o.orderId });
          break;
        }
        // The venue never got it (or restarted): send it again; the venue dedupes by orderId
        // (newOrder ends it instead when its client is halted or its instrument expired).
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
      case 'parked':
        if (mayBeAtVenue(o.stage)) out.send({ type: 'OrderParked', orderId: o.orderId });
        break;
      case 'filled':
        break; // its fills above complete it
      case 'forgotten':
        log.error(`gateway: the venue no longer remembers order ${o.orderId}; its final report was lost`);
        break;
    }
  }
}
