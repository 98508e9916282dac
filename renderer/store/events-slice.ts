import type { EventLine } from '../../contract/api.ts';
import type { SliceCreator } from './types.ts';

export const MAX_EVENTS = 5000;

/** The tail of one session's event stream, ascending seq, without repeats. */
export interface EventsTable {
  readonly session: number;
  readonly list: readonly EventLine[];
  readonly version: number;
}

export const EMPTY_EVENTS: EventsTable = { session: 0, list: [], version: 0 };

/**
 * Merges event lines from pushes (newer) or `getEvents` (often older) into
 * the tail. Lines of a newer session start a new tail; lines of an older
 * session than the tail's are dropped.
 */
export function mergeEvents(table: EventsTable, lines: readonly EventLine[], max = MAX_EVENTS): EventsTable {
  if (lines.length === 0) return table;
  let session = table.session;
  for (const l of lines) if (l.session > session) session = l.session;
  const base = session === table.session ? table.list : [];
  const fresh = lines.filter((l) => l.session === session);
  if (fresh.length === 0) return table;
  const lastSeq = base.length > 0 ? (base[base.length - 1] as EventLine).seq : 0;
  let list: EventLine[];
  if (fresh.every((l, i) => l.seq > lastSeq && (i === 0 || l.seq > (fresh[i - 1] as EventLine).seq))) {
    list = base.concat(fresh);
  } else {
    const bySeq = new Map<number, EventLine>();
    for (const l of base) bySeq.set(l.seq, l);
    for (const l of fresh) bySeq.set(l.seq, l);
    list = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
  if (list.length > max) list = list.slice(list.length - max);
  return { session, list, version: table.version + 1 };
}

export interface EventsSlice {
  events: EventsTable;
  /** Case-insensitive text the event type must contain. */
  eventFilter: string;
  setEventFilter(text: string): void;
}

export const createEventsSlice: SliceCreator<EventsSlice> = (set) => ({
  events: EMPTY_EVENTS,
  eventFilter: '',
  setEventFilter: (text) => set({ eventFilter: text }),
});
