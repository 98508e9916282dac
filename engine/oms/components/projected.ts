import type { Sequenced } from '../../protocol/events.ts';
import { OmsProjection } from '../projection.ts';

/**
 * Base of the OMS components: each keeps the full OMS projection, applied
 * deterministically from the event stream, and decides from it.
 */
export abstract class ProjectedComponent {
  abstract readonly role: string;
  readonly projection = new OmsProjection();

  apply(_session: number, e: Sequenced): void {
    this.projection.apply(e);
  }

  stateHash(): string {
    return this.projection.stateHash();
  }
}
