import { createStore } from 'zustand/vanilla';
import type { StateUpdate } from '../../contract/api.ts';
import { createAlertsSlice } from './alerts-slice.ts';
import { applyUpdates } from './apply.ts';
import { createComponentsSlice } from './components-slice.ts';
import { createEventsSlice } from './events-slice.ts';
import { createFillsSlice } from './fills-slice.ts';
import { scheduleFrame, throttledFrames } from './frame.ts';
import type { FrameScheduler } from './frame.ts';
import { createInstrumentsSlice } from './instruments-slice.ts';
import { alertKey, notificationsFor } from './notify.ts';
import { createNotifySlice } from './notify-slice.ts';
import { createOrdersSlice } from './orders-slice.ts';
import { createSessionSlice } from './session-slice.ts';
import { createTimeMachineSlice } from './time-machine-slice.ts';
import type { OrdoState, OrdoStore } from './types.ts';
import { createUiSlice } from './ui-slice.ts';

export interface StoreOptions {
  /** How the flush is scheduled; defaults to the next animation frame, at most one per FLUSH_INTERVAL_MS. */
  schedule?: FrameScheduler;
  /** Local clock (epoch ms) for arrival times. */
  now?: () => number;
  /** Schedules the second half of a flush (decision 163); defaults to the next animation frame. */
  nextFrame?: FrameScheduler;
  /** Whether the trader is looking (window focused and visible); unseen toasts badge the title. */
  visible?: () => boolean;
}

/**
 * Least time between two flushes of pushes into the state (10 a second): what a
 * trader can read in a moving blotter, and it keeps the renderer's main thread
 * mostly idle at 2,000 events/s (decision 112).
 */
export const FLUSH_INTERVAL_MS = 100;

/**
 * The one store of the renderer: a vanilla zustand store in slices. Pushes
 * from the host go through `enqueue` into a buffer that is applied at most
 * once per animation frame (and at most once per FLUSH_INTERVAL_MS), however
 * many pushes arrive in between.
 */
export function createOrdoStore(options: StoreOptions = {}): OrdoStore {
  const schedule = options.schedule ?? throttledFrames(FLUSH_INTERVAL_MS);
  const now = options.now ?? (() => Date.now());
  const visible =
    options.visible ?? (() => typeof document === 'undefined' || (document.visibilityState === 'visible' && document.hasFocus()));
  const nextFrame = options.nextFrame ?? scheduleFrame;
  let buffer: StateUpdate[] = [];
  let cancelScheduled: (() => void) | undefined;
  // The part of the last flush held for the frame after it (decision 163), and its cancel.
  let held: Partial<OrdoState> | undefined;
  let splitNext = false;
  /** The session and seq of the last reset: what it showed is not news for the toasts. */
  let lastReset = { session: -1, seq: 0 };
  let cancelHeld: (() => void) | undefined;
  // The time of the frame the held half last ran in, to keep the next flush out of that frame.
  let heldFrame: number | undefined;
  const applyHeld = (set: (p: Partial<OrdoState>) => void): void => {
    cancelHeld?.();
    cancelHeld = undefined;
    const h = held;
    held = undefined;
    if (h) set(h);
  };

  return createStore<OrdoState>()((set, get, api) => ({
    ...createSessionSlice(set, get, api),
    ...createInstrumentsSlice(set, get, api),
    ...createOrdersSlice(set, get, api),
    ...createFillsSlice(set, get, api),
    ...createComponentsSlice(set, get, api),
    ...createAlertsSlice(set, get, api),
    ...createEventsSlice(set, get, api),
    ...createUiSlice(set, get, api),
    ...createTimeMachineSlice(set, get, api),
    ...createNotifySlice(set, get, api),
    enqueue(update) {
      buffer.push(update);
      if (cancelScheduled === undefined) {
        const streamFlush = (): void => {
          cancelScheduled = undefined;
          traceMark('ordo:flush');
          splitNext = true;
          get().flush();
        };
        cancelScheduled = schedule(() => {
          // A slow frame let the last flush's held half and this flush fall into one frame (both callbacks
          // due): the held half keeps this frame, the orders take the next, so no frame does both (decision 205).
          const t = frameTime();
          if (t !== undefined && t === heldFrame) cancelScheduled = nextFrame(streamFlush);
          else streamFlush();
        });
      }
    },
    backfill(update) {
      get().flush();
      applyHeld(set);
      const patch = applyUpdates(get(), [update], now());
      if (Object.keys(patch).length > 0) set(patch);
    },
    flush() {
      if (cancelScheduled !== undefined) {
        cancelScheduled();
        cancelScheduled = undefined;
      }
      // What the last flush held back is older than anything buffered since: it goes in first.
      applyHeld(set);
      if (buffer.length === 0) {
        splitNext = false;
        return;
      }
      const updates = buffer;
      buffer = [];
      const before = get();
      // Only live state is compared (orders, fills, alerts before this frame): O(changes), read before the merge mutates.
      const prevStates = new Map<number, string>();
      for (const u of updates) for (const o of u.orders ?? []) {
        const p = before.orders.byId.get(o.orderId);
        if (p && !prevStates.has(o.orderId)) prevStates.set(o.orderId, p.state);
      }
      // The fills table is merged in place: note which of the frame's fills it held before.
      const knownFills = new Set<number>();
      for (const u of updates) for (const f of u.fills ?? []) if (before.fills.indexByExecId.has(f.execId)) knownFills.add(f.execId);
      const alertKeys = new Set(before.alerts.map(alertKey));
      for (const u of updates) if (u.reset) lastReset = { session: u.reset.session.id, seq: u.reset.session.seq };
      const patch = applyUpdates(before, updates, now());
      // Only the stream's own flush spreads over two frames; a direct flush (backfill, tests) applies all now.
      const later = splitNext ? splitForNextFrame(patch) : undefined;
      splitNext = false;
      if (Object.keys(patch).length > 0) set(patch);
      if (later) {
        held = later;
        cancelHeld = nextFrame(() => {
          cancelHeld = undefined;
          traceMark('ordo:held');
          heldFrame = frameTime();
          applyHeld(set);
        });
      }
      if (before.resets > 0) {
        const after = get();
        const toasts = notificationsFor(
          updates,
          { knownFill: (id) => knownFills.has(id), orderState: (id) => prevStates.get(id), alertKeys, seenUpTo: lastReset.session === after.session.id ? lastReset.seq : 0 },
          (id) => after.orders.byId.get(id),
        );
        if (toasts.length > 0) after.pushToasts(toasts, now(), visible());
      }
    },
  }));
}

/**
 * The current frame's time (the document timeline's, one value for every animation-frame callback of a frame);
 * undefined without a document (Node, tests), where no two callbacks share a frame.
 */
function frameTime(): number | undefined {
  if (typeof document === 'undefined') return undefined;
  const t = document.timeline?.currentTime;
  return typeof t === 'number' ? t : undefined;
}

/**
 * Names the task a flush frame runs in, for a Chrome trace (the ui-load harness reports frame CPU per
 * label, decision 203). `console.timeStamp` records nothing and keeps nothing unless a trace is running
 * (performance.mark would keep every mark for the page's life).
 */
function traceMark(label: string): void {
  (globalThis.console as { timeStamp?: (label: string) => void } | undefined)?.timeStamp?.(label);
}

/**
 * The tables a flush may show one frame later (decision 163): fills, quotes
 * and the event tail. Under a stream every row in view of every grid changes
 * at each flush; rendering the orders grid in one frame and these in the next
 * splits what was the longest task (script, then style, layout and paint of what
 * changed). Never after a reset (a new session or a reconnect shows whole),
 * and never when nothing else changed (one frame is enough then). Removes the
 * held fields from `patch`; returns them, or undefined.
 */
export function splitForNextFrame(patch: Partial<OrdoState>): Partial<OrdoState> | undefined {
  if (patch.resets !== undefined || patch.orders === undefined) return undefined;
  const later: Partial<OrdoState> = {};
  let any = false;
  for (const k of ['fills', 'instruments', 'events'] as const) {
    if (patch[k] === undefined) continue;
    (later as Record<string, unknown>)[k] = patch[k];
    delete patch[k];
    any = true;
  }
  return any ? later : undefined;
}
