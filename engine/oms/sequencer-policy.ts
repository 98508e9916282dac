import type { SequencerPolicy } from '../sequencer/policy.ts';
import type { CommandBody, EventType, OrdoEvent, Sequenced } from '../protocol/events.ts';
import type { SequencerRefusalCode } from '../../contract/api-errors.ts';
import { OmsProjection } from './projection.ts';
import { referenceEvents, type ReferenceData } from './reference.ts';
import { Reason } from '../protocol/reasons.ts';
import { isTerminalStage } from './order-state.ts';
import { endingWithSession, expiryAtClose, expiryBeforeVenue, parseSnapshot, restoreEvents, takeSnapshot, type Snapshot } from './snapshot.ts';

/** Which events each role may ask for; the host may ask for anything. */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly EventType[]>> = {
  proxy: ['OrderPending', 'CancelRequested', 'ReplaceRequested'],
  risk: ['OrderAccepted', 'OrderRejected'],
  router: ['OrderRouted', 'VenueRejected'],
  gateway: ['OrderAcknowledged', 'OrderExecuted', 'OrderCancelled', 'OrderExpired', 'VenueRejected', 'OrderReplaced', 'ReplaceRejected', 'CancelRejected'],
  monitor: ['AlertRaised', 'AlertCleared', 'ComponentActivated'],
};

/** The OMS's rules for the sequencer: permissions, session opening and closing. */
export class OmsSequencerPolicy implements SequencerPolicy {
  private projection = new OmsProjection();
  private readonly staticEvents: OrdoEvent[];
  /** While closing: the orders that end with the session and have not ended yet. */
  private awaiting = new Set<number>();

  constructor(reference: ReferenceData) {
    this.staticEvents = referenceEvents(reference);
  }

  reset(): void {
    this.projection = new OmsProjection();
    this.awaiting = new Set();
  }

  apply(_session: number, e: Sequenced): void {
    this.projection.apply(e);
    const ev = e.event;
    if (ev.type === 'SessionClosing') {
      this.awaiting = new Set(endingWithSession(this.projection));
    } else if (ev.type === 'SessionOpened') {
      this.awaiting.clear();
    } else if (this.awaiting.size > 0 && 'orderId' in ev && this.awaiting.has(ev.orderId)) {
      const o = this.projection.order(ev.orderId);
      if (o === undefined || isTerminalStage(o.stage)) this.awaiting.delete(ev.orderId);
    }
  }

  authorize(src: string, role: string, body: CommandBody) {
    if (role === 'host') return undefined;
    const allowed = ROLE_PERMISSIONS[role];
    if (!allowed || !(allowed as readonly string[]).includes(body.type)) {
      return { code: 'FORBIDDEN' as const, message: `${src} (${role}) may not emit ${body.type}` };
    }
    return undefined;
  }

  private previous(snapshot: unknown): Snapshot | undefined {
    return snapshot === undefined ? undefined : parseSnapshot(snapshot, 'previous session snapshot');
  }

  orderIdBase(previousSnapshot: unknown): number {
    return this.previous(previousSnapshot)?.nextOrderId ?? 1;
  }

  openingEvents(previousSnapshot: unknown): OrdoEvent[] {
    const prev = this.previous(previousSnapshot);
    return [...this.staticEvents, ...(prev ? restoreEvents(prev) : [])];
  }

  /** At SessionClosing: the orders ending with the session that never reached the venue expire at once. */
  closingEvents(): OrdoEvent[] {
    return expiryBeforeVenue(this.projection);
  }

  /**
   * While closing, no new order and no replace is taken (SESSION_CLOSING);
   * cancels are (a trader can cancel whatever the venue still holds), and so
   * is everything the components report.
   */
  closingRefusal(body: CommandBody): { code: SequencerRefusalCode; message: string } | undefined {
    if (body.type === 'OrderPending' || body.type === 'ReplaceRequested') {
      return { code: 'SESSION_CLOSING', message: `session ${this.projection.session.id} is closing` };
    }
    return undefined;
  }

  /** Ready once every order that ends with the session has ended (the venue confirmed it). */
  readyToClose(): boolean {
    return this.awaiting.size === 0;
  }

  /** Whatever is still unconfirmed expires now (reason SESSION_CLOSE_FORCED). */
  forcedClosingEvents(): OrdoEvent[] {
    return expiryAtClose(this.projection, Reason.SESSION_CLOSE_FORCED);
  }

  snapshot(): { body: Snapshot; carriedOrders: number } {
    const snap = takeSnapshot(this.projection);
    return { body: snap, carriedOrders: snap.orders.length };
  }

  /** The policy's projection (read-only use: the host's checks). */
  get state(): OmsProjection {
    return this.projection;
  }
}
