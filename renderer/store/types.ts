import type { StateCreator, StoreApi } from 'zustand/vanilla';
import type { StateUpdate } from '../../contract/api.ts';
import type { AlertsSlice } from './alerts-slice.ts';
import type { ComponentsSlice } from './components-slice.ts';
import type { EventsSlice } from './events-slice.ts';
import type { FillsSlice } from './fills-slice.ts';
import type { InstrumentsSlice } from './instruments-slice.ts';
import type { NotifySlice } from './notify-slice.ts';
import type { OrdersSlice } from './orders-slice.ts';
import type { SessionSlice } from './session-slice.ts';
import type { TimeMachineSlice } from './time-machine-slice.ts';
import type { UiSlice } from './ui-slice.ts';

/** Feeding the store: pushes go in, at most one state change per animation frame comes out. */
export interface IngestSlice {
  /** Buffers one push; the buffer is applied on the next frame. */
  enqueue(update: StateUpdate): void;
  /** Applies everything buffered now (the frame callback; tests call it directly). */
  flush(): void;
  /**
   * Applies rows paged in behind a reset (older than anything pushed since):
   * the buffer first, so nothing newer is overwritten; no toasts, they are not news.
   */
  backfill(update: StateUpdate): void;
}

export type OrdoState = SessionSlice &
  InstrumentsSlice &
  OrdersSlice &
  FillsSlice &
  ComponentsSlice &
  AlertsSlice &
  EventsSlice &
  UiSlice &
  TimeMachineSlice &
  NotifySlice &
  IngestSlice;

export type OrdoStore = StoreApi<OrdoState>;

export type SliceCreator<T> = StateCreator<OrdoState, [], [], T>;
