import type { Sequenced } from '../protocol/events.ts';
import { CorruptionError } from './errors.ts';

/** Where a replay's seq check is: the next seq it expects, and whether it stopped at a gap. */
export interface SeqCheck {
  expected: number;
  gap: boolean;
}

/**
 * The visitor both replay paths hand to visitFrame (log.replay, and
 * replayOnTwoThreads for the frames that come through its ring): it checks
 * that seqs follow each other from `check.expected` (a missing frame shows as
 * a jump: the log is gap-free) and passes each event to `apply`. One function
 * literal for both, on purpose: visitFrame's call of its visitor then sees
 * closures of one function, which V8 inlines; two different literals made that
 * call site polymorphic and cost the two-thread replay ~30 M instructions in
 * calls on the 1 M-event log, plus recompiles.
 */
export function seqChecked(session: number, check: SeqCheck, apply: (e: Sequenced) => void): (e: Sequenced) => void {
  return (e) => {
    if (e.seq !== check.expected) {
      check.gap = true;
      throw new CorruptionError(session, check.expected, e.seq, `seq gap: expected ${check.expected}, found ${e.seq}`);
    }
    check.expected++;
    apply(e);
  };
}
