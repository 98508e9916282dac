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
  let generation = 0;
  const unsubPushes = api.subscribe((update) => {
    store.getState().enqueue(update);
    if (update.reset) {
      void loadEventTail(api, store);
      const g = ++generation;
      const alive = (): boolean => g === generation;
      if (update.reset.ordersAfter !== undefined) void pageInOrders(api, store, update.reset.ordersAfter, alive);
      if (update.reset.fillsAfter !== undefined) void pageInFills(api, store, update.reset.fillsAfter, alive);
    }
  });
  return () => {
    generation++;
    unsubPushes();
    unsubConnection();
  };
}

/** Rows per page when a reset holds only the first part of the session's orders or fills (small: each page is parsed on the main thread). */
export const PAGE_IN_ROWS = 2000;

/**
 * A reset carries at most the host's first STATE_LIST_LIMIT orders; the rest
 * are paged in behind it, one page in flight (backfill: after the buffered
 * pushes, without toasts). The host answers on the same ordered socket as it
 * pushes, so a page is at least as new as every push before it and older than
 * every push after: applied in arrival order, nothing goes back. A newer
 * reset stops the paging.
 */
async function pageInOrders(api: OrdoApi, store: OrdoStore, from: number, alive: () => boolean): Promise<void> {
  let after: number | undefined = from;
  while (after !== undefined && alive()) {
    const r = await api.getOrders({ after, limit: PAGE_IN_ROWS });
    if (!r.ok || !alive()) return;
    if (r.value.items.length > 0) store.getState().backfill({ orders: r.value.items });
    after = r.value.next;
  }
}

/** As pageInOrders, for fills (merged by execId). */
async function pageInFills(api: OrdoApi, store: OrdoStore, from: number, alive: () => boolean): Promise<void> {
  let after: number | undefined = from;
  while (after !== undefined && alive()) {
    const r = await api.getFills({ after, limit: PAGE_IN_ROWS });
    if (!r.ok || !alive()) return;
    if (r.value.items.length > 0) store.getState().backfill({ fills: r.value.items });
    after = r.value.next;
  }
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
