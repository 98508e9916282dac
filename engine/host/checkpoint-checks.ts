import { CheckpointFormatError, decodeCheckpoint } from '../oms/checkpoint-codec.ts';
import { NOT_OF_THIS_LOG } from '../store/checkpoints.ts';
import type { ReadableLog } from '../store/log.ts';

/** What `checkpointProblems` found: damaged rows, and harmless ones (another build's, or cut short by a stop): skipped, then rewritten. */
export interface CheckpointFindings {
  /** Why the checkpoint file (decision 252) cannot be read at all: every checkpoint in it is skipped. */
  readonly file: string | undefined;
  readonly damaged: { session: number; seq: number; detail: string }[];
  readonly foreign: { session: number; seq: number; detail: string }[];
  readonly sound: number;
}

/**
 * Checks every stored projection checkpoint (decision 085): that its file
 * can be read and that it is bound to this log (decision 252), its checksum,
 * that it decodes into this build's projection, and that it holds the
 * session and seq its row names. Checkpoints are derivable: none of this
 * touches the log's truth, but a damaged one is reported so the operator can
 * drop it (`ordo repair --drop-checkpoints`).
 */
export function checkpointProblems(log: ReadableLog): CheckpointFindings {
  const damaged: CheckpointFindings['damaged'] = [];
  const foreign: CheckpointFindings['foreign'] = [];
  let sound = 0;
  const file = log.checkpoints.fileProblem();
  for (const c of log.checkpoints.all()) {
    if ('detail' in c) {
      // Cut short (a stop or crash during a round) is expected and harmless: skipped, then rewritten. So is
      // one the log does not hold the events of (a restored backup's older log): skipped, dropped by the next round.
      (c.detail.startsWith('incomplete') || c.detail.startsWith(NOT_OF_THIS_LOG) ? foreign : damaged).push(c);
      continue;
    }
    try {
      // Decoded from the parts it was read in, in place: no assembled copy and no second copy of it (decision 209).
      const p = decodeCheckpoint(c.parts, true, true).projection;
      if (p.lastSeq !== c.seq || p.session.id !== c.session) damaged.push({ session: c.session, seq: c.seq, detail: `it holds session ${p.session.id} seq ${p.lastSeq}` });
      else sound++;
    } catch (err) {
      if (!(err instanceof CheckpointFormatError)) throw err;
      (/does not decode|no class table|unknown class|does not hold/.test(err.message) ? damaged : foreign).push({ session: c.session, seq: c.seq, detail: err.message });
    }
  }
  return { file, damaged, foreign, sound };
}
