import type { EventLine } from '../../../contract/api.ts';
import type { OrdoStore } from '../../store/types.ts';

/** What pushes a view cares about: event types, and (optionally) any new fill. */
export interface PushInterest {
  readonly types: ReadonlySet<string>;
  readonly fills?: boolean;
}

/**
 * Calls `onChange` whenever the store takes in a push that matters: an event
 * line of one of `types`, a new session, a fill (with `fills`), or a push
 * whose event lines skip some (the live view sends only the stream's tail
 * when busy, so what was skipped may have mattered). Returns the unsubscribe.
 */
export function watchPushes(store: OrdoStore, interest: PushInterest, onChange: () => void): () => void {
  let seen = { session: store.getState().events.session, seq: lastSeqOf(store.getState().events.list) };
  let fillsVersion = store.getState().fills.version;
  return store.subscribe((s) => {
    let changed = false;
    if (interest.fills === true && s.fills.version !== fillsVersion) {
      fillsVersion = s.fills.version;
      changed = true;
    }
    const { session, list } = s.events;
    const last = lastSeqOf(list);
    if (session !== seen.session || last > seen.seq) {
      const from = session === seen.session ? seen.seq : 0;
      if (session !== seen.session) changed = true; // a new session: positions restored, limits read afresh
      seen = { session, seq: last };
      let i = list.length - 1;
      for (; i >= 0 && !changed; i--) {
        const l = list[i] as EventLine;
        if (l.seq <= from) break;
        if (interest.types.has(l.type)) changed = true;
      }
      const first = list[i + 1];
      if (!changed && first !== undefined && first.seq > from + 1) changed = true;
    }
    if (changed) onChange();
  });
}

function lastSeqOf(list: readonly EventLine[]): number {
  return list.length > 0 ? (list[list.length - 1] as EventLine).seq : 0;
}
