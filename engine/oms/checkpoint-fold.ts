import type { Sequenced } from '../protocol/events.ts';
import type { CheckpointState } from './checkpoint-codec.ts';
import { RiskState } from './exposure/risk-state.ts';
import { OmsProjection } from './projection.ts';
import { projectionBook, trackAwaiting, type CloseBook } from './close-book.ts';
import { enteredClientOrderId, RequestSeqs } from './request-seqs.ts';

/**
 * What a checkpoint round folds from the log (decision 140): the OMS
 * projection, risk's state, the sequencer policy's closing awaiting set and
 * the orders' cancel and replace requests by seq (the FIX acceptor's ClOrdID
 * chains without the ClOrdIDs, decision 176), each by the same code the
 * host's owners of those states run (or a mirror of it), so a
 * checkpoint plus the tail after it equals a fold from seq 1.
 */
export class CheckpointFold {
  private awaitingSet: Set<number>;
  private readonly book: CloseBook;

  constructor(
    readonly projection: OmsProjection = new OmsProjection(),
    readonly risk: RiskState = new RiskState(),
    awaiting: readonly number[] = [],
    readonly requests: RequestSeqs = new RequestSeqs(),
  ) {
    this.awaitingSet = new Set(awaiting);
    this.book = projectionBook(projection);
  }

  /** From a decoded checkpoint; one without a risk state (time machine only) starts risk afresh and is only good for the projection. */
  static from(state: CheckpointState): CheckpointFold {
    return new CheckpointFold(state.projection, state.risk ?? new RiskState(), state.awaiting, state.requests ? RequestSeqs.unpack(state.requests) : new RequestSeqs());
  }

  apply(e: Sequenced): void {
    this.projection.apply(e);
    this.awaitingSet = trackAwaiting(this.awaitingSet, this.book, e);
    this.risk.apply(e);
    this.requests.apply(e, this.coid);
  }

  private readonly coid = (orderId: number): string | undefined => {
    const o = this.projection.order(orderId);
    return o === undefined ? undefined : enteredClientOrderId(o);
  };

  /** The state to encode (reads, changes nothing). */
  get state(): CheckpointState {
    return { projection: this.projection, risk: this.risk, awaiting: [...this.awaitingSet].sort((a, b) => a - b), requests: this.requests.pack() };
  }
}
