import type { ReadableLog } from '../store/log.ts';
import { OmsProjection } from './projection.ts';

/**
 * The time machine: a fresh projection of `session` as of `seq` (inclusive),
 * replayed from seq 1 on the log's fast path (`replay`, rows as arrays,
 * frames decoded event by event). Callers check that `seq` exists.
 */
export function projectionAt(log: ReadableLog, session: number, seq: number): OmsProjection {
  const p = new OmsProjection();
  log.replay(session, (e) => p.apply(e), 1, seq);
  return p;
}
