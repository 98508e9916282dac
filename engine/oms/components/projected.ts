import type { Sequenced } from '../../protocol/events.ts';
import { OmsProjection } from '../projection.ts';

/**
 * Base of the OMS components: each decides from the full OMS projection,
 * applied deterministically from the event stream. A component keeps its own
 * projection, or reads one shared by every component of its process (the
 * host's), which its owner applies once per event before any component reacts.
 */
export abstract class ProjectedComponent {
  abstract readonly role: string;
  readonly projection: OmsProjection;
  private readonly owns: boolean;

  constructor(shared?: OmsProjection) {
    this.projection = shared ?? new OmsProjection();
    this.owns = shared === undefined;
  }

  apply(_session: number, e: Sequenced): void {
    if (this.owns) this.projection.apply(e);
  }

  stateHash(): string {
    return this.projection.stateHash();
  }
}
