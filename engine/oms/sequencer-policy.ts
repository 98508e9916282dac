import type { SequencerPolicy } from '../sequencer/policy.ts';
import type { CommandBody, EventType, OrdoEvent, Sequenced } from '../protocol/events.ts';
import { OmsProjection } from './projection.ts';
import { referenceEvents, type ReferenceData } from './reference.ts';
import { expiryAtClose, parseSnapshot, restoreEvents, takeSnapshot, type Snapshot } from './snapshot.ts';

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

  constructor(reference: ReferenceData) {
    this.staticEvents = referenceEvents(reference);
  }

  reset(): void {
    this.projection = new OmsProjection();
  }

  apply(_session: number, e: Sequenced): void {
    this.projection.apply(e);
  }

  authorize(src: string, role: string, body: CommandBody) {
    if (role === 'host') return undefined;
    const allowed = ROLE_PERMISSIONS[role];
    if (!allowed || !(allowed as readonly string[]).includes(body.type)) {
      return { code: 'FORBIDDEN', message: `${src} (${role}) may not emit ${body.type}` };
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

  closingEvents(): OrdoEvent[] {
    return expiryAtClose(this.projection);
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
