import type { OrdoApi } from '../../contract/api.ts';
import type { ClientApi } from '../api/connection.ts';
import type { OrdoStore } from './types.ts';

/** How many events of the tail to fetch after each reset. */
export const EVENT_TAIL = 500;

/**
 * Feeds the store from the API: connection changes, pushes (through the
 * frame buffer) and, after every `reset`, the tail of the event log so the
 * event panel starts full. Returns the function that unbinds.
 */
export function bindStore(api: ClientApi, store: OrdoStore): () => void {
  const { setConnection } = store.getState();
  setConnection(api.connection.get());
  const unsubConnection = api.connection.subscribe(setConnection);
  const unsubPushes = api.subscribe((update) => {
    store.getState().enqueue(update);
    if (update.reset) void loadEventTail(api, store);
  });
  return () => {
    unsubPushes();
    unsubConnection();
  };
}

async function loadEventTail(api: OrdoApi, store: OrdoStore): Promise<void> {
  const r = await api.getEvents({ limit: EVENT_TAIL });
  // Through the buffer, so it lands after the reset that asked for it.
  if (r.ok && r.value.length > 0) store.getState().enqueue({ events: r.value });
}

/**
 * Sets the time machine to `seq` of the current session: the state as of
 * that seq (inclusive) and the events up to it. Only the newest request
 * is shown; an older reply arriving late is dropped.
 */
export async function travelTo(api: OrdoApi, store: OrdoStore, seq: number, inSession?: number, atTs?: number): Promise<void> {
  const s = store.getState();
  const session = inSession ?? s.session.id;
  s.travelStarted(seq, atTs);
  const [state, events] = await Promise.all([
    api.getState({ session, seq }),
    api.getEvents({ session, to: seq, limit: EVENT_TAIL }),
  ]);
  const now = store.getState();
  if (!state.ok) {
    now.travelFailed(seq, state.error.message);
    return;
  }
  now.travelLoaded(seq, state.value, events.ok ? events.value : []);
}

const SECOND_US = 1_000_000;

/**
 * Steps the time machine by whole seconds of sequencer time: to the end of
 * the second `seconds` away from the time shown now, i.e. the state after
 * every event up to then (the same seq when that second had no events; the
 * banner's time still moves). Clamped to the session's first event and head.
 */
export async function stepSeconds(api: OrdoApi, store: OrdoStore, seconds: number, session: number, head: number): Promise<void> {
  const tm = store.getState().timeMachine;
  const now = tm.atTs ?? tm.view?.ts;
  if (now === undefined) return;
  const target = (Math.floor(now / SECOND_US) + seconds + 1) * SECOND_US - 1;
  const r = await api.getTimeline({ session, buckets: 1, atTs: target });
  if (!r.ok) {
    store.getState().travelFailed(tm.seq, r.error.message);
    return;
  }
  const t = r.value;
  if (t.lastSeq === 0) return;
  if (target < t.firstTs) {
    await travelTo(api, store, 1, session, t.firstTs);
    return;
  }
  const last = Math.min(head, t.lastSeq);
  await travelTo(api, store, Math.max(1, Math.min(last, t.seqAtTs ?? last)), session, Math.min(target, t.lastTs));
}
