import type { EventLine } from '../../contract/api.ts';
import type { Sequenced } from './events.ts';

/** Flattens a sequenced event to the JSON line form: envelope then the event's fields. */
export function toEventLine(session: number, e: Sequenced): EventLine {
  return { session, seq: e.seq, ts: e.ts, src: e.src, cseq: e.cseq, ...e.event };
}
