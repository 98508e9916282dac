import { log as logger } from '../log.ts';
import type { ReadableLog } from '../store/log.ts';
import { CheckpointFormatError, checkpointNeeds, decodeCheckpoint, type CheckpointState } from './checkpoint-codec.ts';
import { RiskState } from './exposure/risk-state.ts';
import { withChunkPrefault } from './order-table/chunk-prefault.ts';
import { OmsProjection } from './projection.ts';

/** What `projectionAt` found: the rebuilt projection, or why there is none (callers word the error). */
export type ProjectionAt =
  | { ok: true; projection: OmsProjection; fromCheckpoint: number }
  | { ok: false; problem: 'no-session' }
  | { ok: false; problem: 'beyond-end'; lastSeq: number };

/**
 * The time machine: the OMS projection of `session` as of `seq` (inclusive),
 * rebuilt from the newest usable in-session checkpoint at or before `seq`
 * (decision 085) plus the log's events after it, on the log's fast
 * `replay()` path (checksums checked). Used by GET /api/state?at= and `ordo
 * state --at`, so both give the same state for the same seq; equal, by
 * construction and by test, to replaying the session from seq 1.
 * `fromCheckpoint` says where the replay started (0: the session's start).
 * `seq` 0 is the empty projection. Throws the log's CorruptionError for a bad
 * frame between the checkpoint and `seq`.
 */
export function projectionAt(log: ReadableLog, session: number, seq: number): ProjectionAt {
  if (!log.hasSession(session)) return { ok: false, problem: 'no-session' };
  const lastSeq = log.lastSeq(session);
  if (seq > lastSeq) return { ok: false, problem: 'beyond-end', lastSeq };
  const start = startingPoint(log, session, seq);
  const projection = start.projection;
  // One thread applies (the two-thread reader of decision 218 was removed, decision 238); a long replay's
  // column memory is touched ahead on a worker (decision 261).
  if (seq > start.seq) withChunkPrefault(seq - start.seq, () => log.replay(session, (e, code) => projection.applyCoded(e, code), start.seq + 1, seq, true));
  return { ok: true, projection, fromCheckpoint: start.seq };
}

/**
 * The newest checkpoint of `session` at or before `seq` that reads back
 * (checksum, format, this build's projection, the session and seq it
 * claims), or the empty projection at seq 0. A bad one is skipped with one
 * log line: checkpoints are derivable, the log is the truth.
 */
export function startingPoint(log: ReadableLog, session: number, seq: number): { projection: OmsProjection; seq: number } {
  const start = startingState(log, session, seq, false);
  return { projection: start.state.projection, seq: start.seq };
}

/**
 * Like startingPoint, the whole checkpoint state (decision 140). With
 * `needRisk`, a checkpoint without a risk state (time machine only) is
 * skipped too, and so is one whose risk state is not at its seq; without
 * it (the time machine) risk's duplicate memory is not rebuilt. At seq 0:
 * an empty projection and risk state.
 */
export function startingState(log: ReadableLog, session: number, seq: number, needRisk: boolean): { state: CheckpointState; seq: number } {
  const skip = (at: number, why: string) => logger.warn(`checkpoint session ${session} seq ${at} skipped: ${why}; replaying from further back`);
  // Without risk (the time machine) only the leading parts are read: what start-up alone needs is at the end.
  for (const c of log.checkpoints.atOrBefore(session, seq, (p) => skip(p.seq, p.detail), needRisk ? undefined : checkpointNeeds)) {
    try {
      // The parts were read for this one decode: each column is read where it lies, none assembled (decision 209).
      // Without risk (the time machine) the order tables' narrow columns stay narrow until written (decision 298).
      return { state: checkedState(c.parts, session, c.seq, needRisk, needRisk, true, needRisk, !needRisk), seq: c.seq };
    } catch (err) {
      if (!(err instanceof CheckpointFormatError)) throw err;
      skip(c.seq, err.message);
    }
  }
  return { state: { projection: new OmsProjection(), risk: new RiskState(), awaiting: [] }, seq: 0 };
}

/**
 * Decodes a checkpoint's bytes and checks that it holds `session` at `seq`
 * (and, with `needRisk`, a risk state at the same place; `riskMemory`,
 * `owned`, `extras` and `narrow`: see decodeCheckpoint). Throws
 * CheckpointFormatError naming what is wrong.
 */
export function checkedState(
  bytes: Uint8Array | readonly Uint8Array[], session: number, seq: number, needRisk: boolean, riskMemory = true, owned = false, extras = true, narrow = false,
): CheckpointState {
  const state = decodeCheckpoint(bytes, riskMemory, owned, extras, narrow);
  const p = state.projection;
  if (p.lastSeq !== seq || p.session.id !== session) throw new CheckpointFormatError(`it holds session ${p.session.id} seq ${p.lastSeq}`);
  if (needRisk && state.risk === undefined) throw new CheckpointFormatError('it holds no risk state');
  if (state.risk !== undefined && (state.risk.lastSeq !== seq || state.risk.session !== session)) {
    throw new CheckpointFormatError(`its risk state is at session ${state.risk.session} seq ${state.risk.lastSeq}`);
  }
  return state;
}
