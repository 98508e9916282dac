import type { ResumedLog } from '../../component/logic.ts';
import type { Sequenced } from '../../protocol/events.ts';
import { CHECKPOINT_FORMAT } from '../checkpoint-codec.ts';
import type { RiskState } from '../exposure/risk-state.ts';
import { checkedState } from '../projection-at.ts';
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

  /** Joins from in-session checkpoints (decision 140) when it folds its own projection; a shared one is its owner's. */
  get checkpointFormat(): number | undefined {
    return this.owns ? CHECKPOINT_FORMAT : undefined;
  }

  /**
   * Adopts the checkpoint's projection (and risk state, when the component
   * folds its own) in place: every reference to them (e.g. the gateway's
   * logic) stays valid. Checks everything before changing anything. The
   * bytes (one buffer, or the parts as fetched) are handed over (the runtime
   * fetched them for this call alone): decoded where they lie, not copied. Risk's duplicate memory is rebuilt only
   * for a component that folds its own risk state.
   */
  restoreCheckpoint(session: number, seq: number, bytes: Uint8Array | readonly Uint8Array[]): ResumedLog | undefined {
    if (!this.owns) return undefined;
    const risk = this.ownRisk();
    const state = checkedState(bytes, session, seq, risk !== undefined, risk !== undefined, true);
    Object.assign(this.projection, state.projection);
    if (risk !== undefined) risk.adopt(state.risk!);
    return this.projection;
  }

  /** The risk state this component folds itself (undefined: none, or shared): restored from a checkpoint too. */
  protected ownRisk(): RiskState | undefined {
    return undefined;
  }
}
