import { createHash } from 'node:crypto';
import type { SessionState } from '../../contract/domain.ts';
import { ORDER_STAGES, type EventOf, type OrderStage, type Sequenced } from '../protocol/events.ts';
import type { CloseBook } from './close-book.ts';
import { decideCancel, decideReplace, type RuleOrder } from './lifecycle-rules.ts';
import { isTerminalStage, mayBeAtVenue } from './order-state.ts';
import { CHUNK, MASK, SHIFT } from './order-table/chunks.ts';
import {
  ACCEPTED, CANCELLED, EXPIRED, FILLED, isAtVenueCode, isTerminalCode, NEW, OTHER_STATE, PARTIALLY_FILLED, PENDING, REJECTED, ROUTED,
  stateCode, type StateCode,
} from './order-table/codes.ts';
import { IdIndex } from './order-table/id-index.ts';
import type { OmsProjection } from './projection.ts';
import { carriesOver } from './snapshot.ts';

/** Bits of PolicyChunk.flags. */
const CARRIES = 1;
const CANCEL_PENDING = 2;
const REPLACE_PENDING = 4;
const LIMIT = 8;
const PENDING_BITS = CANCEL_PENDING | REPLACE_PENDING;

/** CHUNK orders' fields: 34 bytes an order. */
class PolicyChunk {
  readonly orderId = new Float64Array(CHUNK);
  readonly quantity = new Float64Array(CHUNK);
  readonly filled = new Float64Array(CHUNK);
  /** The execId of the order's latest fill (NaN before the first); earlier ones in PolicyOrders.earlierExecs. */
  readonly lastExec = new Float64Array(CHUNK);
  readonly state = new Uint8Array(CHUNK);
  readonly flags = new Uint8Array(CHUNK);
}

/**
 * The sequencer policy's record of the session's orders (decision 169): only
 * what its rules read (the route check, the close's awaiting set, the
 * expiries at close, the deferral of a cancel between sessions), in chunked
 * typed-array columns: ~34 bytes an order instead of a whole OmsProjection's
 * ~440. Each order event changes it exactly as OmsProjection changes the
 * order's stage, pending flags, quantity and filled quantity (same guards,
 * same lifecycle rules from lifecycle-rules.ts), so at every seq it answers
 * what the policy's former full projection answered; a property test holds
 * the two side by side over random flows. Deterministic; never throws.
 */
export class PolicyOrders implements CloseBook {
  sessionId = 0;
  sessionState: SessionState = 'none';
  rolling = false;
  private orderIdBase = 0;
  private maxOrderId = 0;
  private seq = 0;
  private index = new IdIndex(0);
  private chunks: PolicyChunk[] = [];
  private size = 0;
  /** Row → the execIds of its fills before the latest (orders with more than one fill only). */
  private earlierExecs = new Map<number, number[]>();
  /** Row → its stage, for a restored order naming a stage outside ORDER_STAGES (never in a valid snapshot). */
  private otherStages = new Map<number, string>();

  /** Seq of the last event applied. */
  get lastSeq(): number {
    return this.seq;
  }

  /** The next session's orderIdBase: max(SessionOpened.orderIdBase, highest orderId seen + 1, 1), as OmsProjection.nextOrderId. */
  get nextOrderId(): number {
    return Math.max(this.orderIdBase, this.maxOrderId + 1, 1);
  }

  get orderCount(): number {
    return this.size;
  }

  /**
   * Applies one sequenced event. Returns whether the event concerns the
   * carried orders' full record too (the policy's small OmsProjection of the
   * gtc and gtd orders): every event that names no order, and those of a
   * carried order (a fill only when it applies here: see onExecuted).
   */
  apply(e: Sequenced): boolean {
    const ev = e.event;
    this.seq = e.seq;
    switch (ev.type) {
      case 'OrderExecuted':
        return this.onExecuted(ev);
      case 'OrderPending':
        return this.onPending(ev);
      case 'OrderAccepted':
        return this.move(ev.orderId, PENDING, ACCEPTED);
      case 'OrderRouted':
        return this.move(ev.orderId, ACCEPTED, ROUTED);
      case 'OrderAcknowledged':
        return this.onAcknowledged(ev.orderId);
      case 'OrderParked':
        return this.onParked(ev.orderId);
      case 'OrderRejected':
        return this.onRejected(ev.orderId, false);
      case 'VenueRejected':
        return this.onRejected(ev.orderId, true);
      case 'OrderCancelled':
        return this.finish(this.index.get(ev.orderId), CANCELLED);
      case 'OrderExpired':
        return this.finish(this.index.get(ev.orderId), EXPIRED);
      case 'CancelRequested':
        return this.onCancelRequested(ev.orderId);
      case 'CancelRejected':
        return this.setFlag(this.index.get(ev.orderId), CANCEL_PENDING, false);
      case 'ReplaceRequested':
        return this.onReplaceRequested(ev);
      case 'ReplaceRejected':
        return this.setFlag(this.index.get(ev.orderId), REPLACE_PENDING, false);
      case 'OrderReplaced': {
        const r = this.index.get(ev.orderId);
        if (r < 0) return false;
        if (!isTerminalCode(this.at(r).state[r & MASK]!)) this.newTerms(r, ev.quantity, ev.price);
        return this.carriedRow(r);
      }
      case 'OrderRestored':
        return this.onRestored(ev);
      case 'SessionOpened':
        this.reset(ev.orderIdBase);
        this.sessionId = ev.sessionId;
        this.sessionState = 'opening';
        return true;
      case 'SessionReady':
        this.sessionState = 'open';
        return true;
      case 'SessionClosing':
        this.sessionState = 'closing';
        this.rolling = ev.roll === true;
        return true;
      case 'SessionClosed':
        this.sessionState = 'closed';
        return true;
      default:
        // Risk's events that name an order (a collar) change nothing of it in OmsProjection either.
        return !('orderId' in ev);
    }
  }

  // ---- CloseBook -------------------------------------------------------------

  stage(orderId: number): OrderStage | undefined {
    const r = this.index.get(orderId);
    return r < 0 ? undefined : this.stageAt(r);
  }

  carries(orderId: number): boolean {
    const r = this.index.get(orderId);
    return r >= 0 && (this.at(r).flags[r & MASK]! & CARRIES) !== 0;
  }

  requestPending(orderId: number): boolean {
    const r = this.index.get(orderId);
    return r >= 0 && (this.at(r).flags[r & MASK]! & PENDING_BITS) !== 0;
  }

  endingWithSession(): number[] {
    const ids: number[] = [];
    for (let r = 0; r < this.size; r++) {
      const c = this.at(r);
      const i = r & MASK;
      if ((c.flags[i]! & CARRIES) === 0 && !isTerminalStage(this.stageAt(r))) ids.push(c.orderId[i]!);
    }
    return ids.sort((a, b) => a - b);
  }

  carriedAtVenue(): number[] {
    const ids: number[] = [];
    for (let r = 0; r < this.size; r++) {
      const c = this.at(r);
      const i = r & MASK;
      if ((c.flags[i]! & CARRIES) !== 0 && mayBeAtVenue(this.stageAt(r))) ids.push(c.orderId[i]!);
    }
    return ids;
  }

  /** The orderIds of the live carried orders (gtc, gtd), in row order. */
  liveCarriedOrderIds(): number[] {
    const ids: number[] = [];
    for (let r = 0; r < this.size; r++) if ((this.at(r).flags[r & MASK]! & CARRIES) !== 0 && !isTerminalStage(this.stageAt(r))) ids.push(this.at(r).orderId[r & MASK]!);
    return ids;
  }

  /** The fields this record keeps of an order (tests compare them with OmsProjection's). */
  order(orderId: number): { stage: OrderStage; carries: boolean; cancelPending: boolean; replacePending: boolean; quantity: number; filledQuantity: number } | undefined {
    const r = this.index.get(orderId);
    if (r < 0) return undefined;
    const c = this.at(r);
    const i = r & MASK;
    const f = c.flags[i]!;
    return {
      stage: this.stageAt(r), carries: (f & CARRIES) !== 0, cancelPending: (f & CANCEL_PENDING) !== 0, replacePending: (f & REPLACE_PENDING) !== 0,
      quantity: c.quantity[i]!, filledQuantity: c.filled[i]!,
    };
  }

  /** A hash of everything this record holds (checkpoint start-up vs replay from seq 1). */
  stateHash(): string {
    const h = createHash('sha256');
    h.update(JSON.stringify([this.sessionId, this.sessionState, this.rolling, this.nextOrderId, this.seq, this.size]));
    for (let r = 0; r < this.size; r++) {
      const c = this.at(r);
      const i = r & MASK;
      h.update(JSON.stringify([c.orderId[i], c.quantity[i], c.filled[i], c.lastExec[i], this.stageAt(r), c.flags[i], this.earlierExecs.get(r) ?? 0]));
    }
    return h.digest('hex');
  }

  /**
   * The record of a full projection's orders (start-up from a checkpoint,
   * decision 140): the same fields the events would have given them.
   */
  static fromProjection(p: OmsProjection): PolicyOrders {
    const out = new PolicyOrders();
    const s = p.session;
    out.sessionId = s.id;
    out.sessionState = s.state;
    out.rolling = s.rolling === true;
    out.orderIdBase = s.orderIdBase;
    out.index = new IdIndex(s.orderIdBase);
    // nextOrderId = max(base, highest seen + 1, 1): the projection's answer keeps it.
    out.maxOrderId = p.nextOrderId - 1;
    out.seq = p.lastSeq;
    // One cursor and one fill record moved along (not an object per order and per fill: ~1.2 M orders at 5 M events).
    p.forEachOrder(0, p.orderCount, (o) => {
      const r = out.add(o.orderId, o.stage, carriesOver(o.timeInForce), o.orderType === 'limit', o.quantity, o.filledQuantity);
      out.at(r).flags[r & MASK]! |= (o.cancelPending ? CANCEL_PENDING : 0) | (o.replacePending ? REPLACE_PENDING : 0);
    });
    const f = { execId: 0, orderId: 0, symbol: '', side: 'buy' as const, quantity: 0, price: 0, seq: 0, ts: 0 } as Parameters<OmsProjection['fillInto']>[1];
    for (let i = 0; p.fillInto(i, f); i++) out.recordExec(out.index.get(f.orderId), f.execId);
    return out;
  }

  // ---- applying ----------------------------------------------------------------

  private at(r: number): PolicyChunk {
    return this.chunks[r >>> SHIFT]!;
  }

  private stageAt(r: number): OrderStage {
    const code = this.at(r).state[r & MASK]!;
    return code === OTHER_STATE ? (this.otherStages.get(r) as OrderStage) : ORDER_STAGES[code]!;
  }

  private carriedRow(r: number): boolean {
    return r >= 0 && (this.at(r).flags[r & MASK]! & CARRIES) !== 0;
  }

  private reset(base: number): void {
    this.rolling = false;
    this.orderIdBase = base;
    this.maxOrderId = 0;
    this.index = new IdIndex(base);
    this.chunks = [];
    this.size = 0;
    this.earlierExecs = new Map();
    this.otherStages = new Map();
  }

  private add(orderId: number, stage: OrderStage, carries: boolean, limit: boolean, quantity: number, filled: number): number {
    const r = this.size++;
    if ((r & MASK) === 0) this.chunks.push(new PolicyChunk());
    const c = this.at(r);
    const i = r & MASK;
    c.orderId[i] = orderId;
    c.quantity[i] = quantity;
    c.filled[i] = filled;
    c.lastExec[i] = NaN;
    const code = stateCode(stage);
    if (code < 0) this.otherStages.set(r, stage);
    c.state[i] = code < 0 ? OTHER_STATE : code;
    c.flags[i] = (carries ? CARRIES : 0) | (limit ? LIMIT : 0);
    this.index.set(orderId, r);
    return r;
  }

  private recordExec(r: number, execId: number): void {
    if (r < 0) return;
    const c = this.at(r);
    const i = r & MASK;
    const last = c.lastExec[i]!;
    if (!Number.isNaN(last)) {
      const earlier = this.earlierExecs.get(r);
      if (earlier === undefined) this.earlierExecs.set(r, [last]);
      else earlier.push(last);
    }
    c.lastExec[i] = execId;
  }

  private hasExec(r: number, execId: number): boolean {
    if (this.at(r).lastExec[r & MASK] === execId) return true;
    const earlier = this.earlierExecs.get(r);
    return earlier !== undefined && earlier.includes(execId);
  }

  /** A new order, pending; an orderId already seen is ignored (as OmsProjection.onPending). */
  private onPending(ev: EventOf<'OrderPending'>): boolean {
    const id = ev.orderId;
    if (id > this.maxOrderId) this.maxOrderId = id;
    if (this.index.get(id) >= 0) return false;
    const carries = carriesOver(ev.timeInForce);
    this.add(id, 'pending', carries, ev.orderType === 'limit', ev.quantity, 0);
    return carries;
  }

  /** As OmsProjection.onRestored: flags only on a live order. */
  private onRestored(ev: EventOf<'OrderRestored'>): boolean {
    const id = ev.orderId;
    if (id > this.maxOrderId) this.maxOrderId = id;
    if (this.index.get(id) >= 0 || ev.filledQuantity > ev.quantity) return false;
    const carries = carriesOver(ev.timeInForce);
    const r = this.add(id, ev.state, carries, ev.orderType === 'limit', ev.quantity, ev.filledQuantity);
    if (!isTerminalStage(ev.state)) {
      const c = this.at(r);
      c.flags[r & MASK]! |= (ev.cancelPending === true ? CANCEL_PENDING : 0) | ((ev.replacePendingClientOrderId ?? '') !== '' ? REPLACE_PENDING : 0);
    }
    return carries;
  }

  /** `from` → `to` (accepted, routed); any other state: unchanged. */
  private move(orderId: number, from: StateCode, to: StateCode): boolean {
    const r = this.index.get(orderId);
    if (r < 0) return false;
    const c = this.at(r);
    if (c.state[r & MASK] === from) c.state[r & MASK] = to;
    return this.carriedRow(r);
  }

  private onAcknowledged(orderId: number): boolean {
    const r = this.index.get(orderId);
    if (r < 0) return false;
    const c = this.at(r);
    const i = r & MASK;
    if (c.state[i] === ROUTED) c.state[i] = c.filled[i]! > 0 ? PARTIALLY_FILLED : NEW;
    return this.carriedRow(r);
  }

  private onParked(orderId: number): boolean {
    const r = this.index.get(orderId);
    if (r < 0) return false;
    const c = this.at(r);
    if (isAtVenueCode(c.state[r & MASK]!)) c.state[r & MASK] = ACCEPTED;
    return this.carriedRow(r);
  }

  /** Risk's reject (pending, accepted) or the router's or venue's (accepted, routed, new). */
  private onRejected(orderId: number, venue: boolean): boolean {
    const r = this.index.get(orderId);
    if (r < 0) return false;
    const c = this.at(r);
    const i = r & MASK;
    const st = c.state[i]!;
    if (venue ? st === ACCEPTED || st === ROUTED || st === NEW : st === PENDING || st === ACCEPTED) {
      c.state[i] = REJECTED;
      c.flags[i]! &= ~PENDING_BITS;
    }
    return this.carriedRow(r);
  }

  /** Cancelled or expired: a live order ends. */
  private finish(r: number, state: StateCode): boolean {
    if (r < 0) return false;
    const c = this.at(r);
    const i = r & MASK;
    if (!isTerminalCode(c.state[i]!)) {
      c.state[i] = state;
      c.flags[i]! &= ~PENDING_BITS;
    }
    return this.carriedRow(r);
  }

  /** CancelRequested / CancelRejected / ReplaceRejected; a cancel flag is set only on a live order (as OmsProjection.onCancelPending). */
  private setFlag(r: number, bit: number, on: boolean): boolean {
    if (r < 0) return false;
    const c = this.at(r);
    const i = r & MASK;
    if (!on) c.flags[i]! &= ~bit;
    else if (!isTerminalCode(c.state[i]!)) c.flags[i]! |= bit;
    return this.carriedRow(r);
  }

  private ruleOrder(r: number): RuleOrder | undefined {
    if (r < 0) return undefined;
    const c = this.at(r);
    const i = r & MASK;
    const f = c.flags[i]!;
    return {
      orderId: c.orderId[i]!, stage: this.stageAt(r), cancelPending: (f & CANCEL_PENDING) !== 0, replacePending: (f & REPLACE_PENDING) !== 0,
      filledQuantity: c.filled[i]!, limit: (f & LIMIT) !== 0,
    };
  }

  private onCancelRequested(orderId: number): boolean {
    const r = this.index.get(orderId);
    const d = decideCancel(this.ruleOrder(r), orderId);
    if (d.kind === 'now') this.finish(r, CANCELLED);
    else if (d.kind === 'venue') this.setFlag(r, CANCEL_PENDING, true);
    return this.carriedRow(r);
  }

  private onReplaceRequested(ev: EventOf<'ReplaceRequested'>): boolean {
    const r = this.index.get(ev.orderId);
    const d = decideReplace(this.ruleOrder(r), ev.orderId, ev.quantity, ev.price);
    if (d.kind === 'now') this.newTerms(r, ev.quantity, ev.price);
    else if (d.kind === 'venue') this.setFlag(r, REPLACE_PENDING, true);
    return this.carriedRow(r);
  }

  /** As OmsProjection.newTerms: terms no venue would confirm are ignored; down to the filled quantity completes the order. */
  private newTerms(r: number, q: number, price: number): void {
    const c = this.at(r);
    const i = r & MASK;
    const limit = (c.flags[i]! & LIMIT) !== 0;
    if (q <= 0 || q < c.filled[i]! || (limit && !(price > 0))) return;
    c.quantity[i] = q;
    if (q - c.filled[i]! === 0) c.state[i] = FILLED;
    c.flags[i]! &= q - c.filled[i]! === 0 ? ~PENDING_BITS : ~REPLACE_PENDING;
  }

  /**
   * As OmsProjection.onExecuted: a fill of an order the venue may hold, not
   * an overfill, not a repeated execId. Passed on to the carried orders'
   * projection only when it applied here: a projection rebuilt from a
   * checkpoint's carried orders has no record of their earlier execIds.
   */
  private onExecuted(ev: EventOf<'OrderExecuted'>): boolean {
    const r = this.index.get(ev.orderId);
    if (r < 0) return false;
    const c = this.at(r);
    const i = r & MASK;
    if (!isAtVenueCode(c.state[i]!)) return false;
    const q = ev.fillQty;
    // The same arithmetic as OrderTable's leaves (quantity - filled, kept after each change).
    if (q <= 0 || q > c.quantity[i]! - c.filled[i]! || this.hasExec(r, ev.execId)) return false;
    this.recordExec(r, ev.execId);
    const filled = c.filled[i]! + q;
    c.filled[i] = filled;
    if (c.quantity[i]! - filled === 0) {
      c.state[i] = FILLED;
      c.flags[i]! &= ~PENDING_BITS;
    } else {
      c.state[i] = PARTIALLY_FILLED;
    }
    return this.carriedRow(r);
  }
}
