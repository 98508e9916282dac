import { createStore } from 'zustand/vanilla';
import type { StateUpdate } from '../../contract/api.ts';
import { createAlertsSlice } from './alerts-slice.ts';
import { applyUpdates } from './apply.ts';
import { createComponentsSlice } from './components-slice.ts';
import { createEventsSlice } from './events-slice.ts';
import { createFillsSlice } from './fills-slice.ts';
import { scheduleFrame } from './frame.ts';
import type { FrameScheduler } from './frame.ts';
import { createInstrumentsSlice } from './instruments-slice.ts';
import { createOrdersSlice } from './orders-slice.ts';
import { createSessionSlice } from './session-slice.ts';
import { createTimeMachineSlice } from './time-machine-slice.ts';
import type { OrdoState, OrdoStore } from './types.ts';
import { createUiSlice } from './ui-slice.ts';

export interface StoreOptions {
  /** How the flush is scheduled; defaults to the next animation frame. */
  schedule?: FrameScheduler;
  /** Local clock (epoch ms) for arrival times. */
  now?: () => number;
}

/**
 * The one store of the renderer: a vanilla zustand store in slices. Pushes
 * from the host go through `enqueue` into a buffer that is applied at most
 * once per animation frame, however many pushes arrive in between.
 */
export function createOrdoStore(options: StoreOptions = {}): OrdoStore {
  const schedule = options.schedule ?? scheduleFrame;
  const now = options.now ?? (() => Date.now());
  let buffer: StateUpdate[] = [];
  let cancelScheduled: (() => void) | undefined;

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
    enqueue(update) {
      buffer.push(update);
      if (cancelScheduled === undefined) {
        cancelScheduled = schedule(() => {
          cancelScheduled = undefined;
          get().flush();
        });
      }
    },
    flush() {
      if (cancelScheduled !== undefined) {
        cancelScheduled();
        cancelScheduled = undefined;
      }
      if (buffer.length === 0) return;
      const updates = buffer;
      buffer = [];
      const patch = applyUpdates(get(), updates, now());
      if (Object.keys(patch).length > 0) set(patch);
    },
  }));
}
