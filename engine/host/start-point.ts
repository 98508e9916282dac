import { CHECKPOINT_FORMAT, CheckpointFormatError } from '../oms/checkpoint-codec.ts';
import type { PrefetchedCheckpoint } from './checkpoint-prefetch.ts';
import type { CheckpointState } from '../oms/checkpoint-codec.ts';
import { checkedState } from '../oms/projection-at.ts';
import type { SequencerResume } from '../sequencer/sequencer.ts';
import type { ReadableLog } from '../store/log.ts';
import { log as logger } from '../log.ts';

/**
 * Where the host's start-up resumes the latest session (decision 140): the
 * newest usable in-session checkpoint of it, decoded once, for the host's
 * shared states (the view's projection, risk's state). The sequencer policy
 * builds its own slim book from that copy before the tail is folded into it
 * and shares risk's state while recovering (OmsSequencerPolicy.restoreSharing,
 * decision 299): a second decode for the policy was the start-up's peak.
 */
export interface HostStart {
  readonly session: number;
  readonly seq: number;
  readonly shared: CheckpointState & { readonly risk: NonNullable<CheckpointState['risk']> };
}

/**
 * The newest checkpoint of the log's latest session that reads back whole
 * (checksum, this build's format, a risk state, the session and seq it
 * claims), or undefined: start-up then replays the session from seq 1. A bad
 * one is skipped with one log line and the next older one is tried: a
 * checkpoint is derivable, never trusted over the log.
 */
export function findHostStart(log: ReadableLog, prefetched?: PrefetchedCheckpoint): HostStart | undefined {
  const end = log.end();
  if (!end) return undefined;
  const session = end.session;
  const skip = (at: number, why: string) => logger.warn(`start-up: checkpoint session ${session} seq ${at} skipped: ${why}; replaying from further back`);
  // Read ahead on a thread (prefetchStartCheckpoint): the same newest checkpoint the loop below starts with.
  const ahead = prefetched && prefetched.session === session && prefetched.seq <= end.seq && prefetched.seq === log.checkpoints.latestSeq(session, CHECKPOINT_FORMAT, end.seq + 1) ? [prefetched] : [];
  // The bytes are this decode's own (decoded once since decision 299): the thread's moved to us, a stored one's parts
  // read for it. So they are decoded where they lie, as the time machine does (decision 209): neither the parts
  // assembled into one buffer nor that copied again (two ~250 MB copies at 5 M events, at the start-up's peak).
  function* candidates(): Generator<{ seq: number; bytes: Uint8Array | readonly Uint8Array[] }> {
    for (const c of ahead) yield { seq: c.seq, bytes: c.bytes };
    for (const c of log.checkpoints.atOrBefore(session, end!.seq, (p) => skip(p.seq, p.detail))) yield { seq: c.seq, bytes: c.parts };
  }
  for (const c of candidates()) {
    try {
      const shared = checkedState(c.bytes, session, c.seq, true, true, true);
      return { session, seq: c.seq, shared: { ...shared, risk: shared.risk! } };
    } catch (err) {
      if (!(err instanceof CheckpointFormatError)) throw err;
      skip(c.seq, err.message);
    }
  }
  return undefined;
}

/** The sequencer's own state at the checkpoint, from its projection (the same fold the sequencer makes of those events). */
export function sequencerResume(start: HostStart): SequencerResume {
  const p = start.shared.projection;
  const state = p.session.state;
  const phase = state === 'closing' || state === 'closed' ? state : 'open';
  return { seq: start.seq, ts: p.lastTs, phase, rolling: p.session.rolling === true, cseqs: p.commandSeqs(), roles: p.roles };
}
