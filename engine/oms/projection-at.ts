import type { ReadableLog } from '../store/log.ts';
import { OmsProjection } from './projection.ts';

/** What `projectionAt` found: the rebuilt projection, or why there is none (callers word the error). */
export type ProjectionAt =
  | { ok: true; projection: OmsProjection }
  | { ok: false; problem: 'no-session' }
  | { ok: false; problem: 'beyond-end'; lastSeq: number };

/**
 * The time machine: the OMS projection of `session` as of `seq` (inclusive),
 * rebuilt from the log on its fast `replay()` path (no event arrays, checksums
 * checked). Used by GET /api/state?at= and `ordo state --at`, so both give the
 * same state for the same seq. `seq` 0 is the empty projection. Throws the
 * log's CorruptionError for a bad frame at or before `seq`.
 */
export function projectionAt(log: ReadableLog, session: number, seq: number): ProjectionAt {
  const row = log.sessions().find((s) => s.id === session);
  if (!row) return { ok: false, problem: 'no-session' };
  if (seq > row.lastSeq) return { ok: false, problem: 'beyond-end', lastSeq: row.lastSeq };
  const projection = new OmsProjection();
  if (seq > 0) log.replay(session, (e) => projection.apply(e), 1, seq);
  return { ok: true, projection };
}
