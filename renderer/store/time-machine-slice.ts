import type { EventLine, SessionView, StateView } from '../../contract/api.ts';
import { fillsFrom } from './fills-slice.ts';
import type { FillsTable } from './fills-slice.ts';
import { instrumentsFrom } from './instruments-slice.ts';
import type { InstrumentsTable } from './instruments-slice.ts';
import { ordersFrom } from './orders-slice.ts';
import type { OrdersTable } from './orders-slice.ts';
import type { SliceCreator } from './types.ts';

/** The state as of a seq, as `getState({seq})` returned it; never mutated. */
export interface AsOfView {
  seq: number;
  session: SessionView;
  orders: OrdersTable;
  fills: FillsTable;
  instruments: InstrumentsTable;
  /** The events up to and including `seq` (the newest of them). */
  events: readonly EventLine[];
}

/**
 * `live`: the blotters follow the pushes. Otherwise they show the state as
 * of `seq`, read-only; `view` is the last loaded one (kept while the next
 * loads, so dragging the slider does not flash empty tables).
 */
export interface TimeMachineState {
  mode: 'live' | 'asof';
  /** The seq asked for last; a reply for any other seq is stale and dropped. */
  seq: number;
  loading: boolean;
  view: AsOfView | undefined;
  error: string | undefined;
}

export const LIVE: TimeMachineState = { mode: 'live', seq: 0, loading: false, view: undefined, error: undefined };

export function asOfView(seq: number, state: StateView, events: readonly EventLine[]): AsOfView {
  return {
    seq: state.asOfSeq ?? seq,
    session: state.session,
    orders: ordersFrom(state.orders),
    fills: fillsFrom(state.fills),
    instruments: instrumentsFrom(state.instruments),
    events,
  };
}

export interface TimeMachineSlice {
  timeMachine: TimeMachineState;
  travelStarted(seq: number): void;
  travelLoaded(seq: number, state: StateView, events: readonly EventLine[]): void;
  travelFailed(seq: number, message: string): void;
  backToLive(): void;
}

export const createTimeMachineSlice: SliceCreator<TimeMachineSlice> = (set) => ({
  timeMachine: LIVE,
  travelStarted: (seq) =>
    set((s) => ({ timeMachine: { ...s.timeMachine, mode: 'asof', seq, loading: true, error: undefined } })),
  travelLoaded: (seq, state, events) =>
    set((s) =>
      s.timeMachine.mode !== 'asof' || s.timeMachine.seq !== seq
        ? {}
        : { timeMachine: { mode: 'asof', seq, loading: false, view: asOfView(seq, state, events), error: undefined } },
    ),
  travelFailed: (seq, message) =>
    set((s) =>
      s.timeMachine.mode !== 'asof' || s.timeMachine.seq !== seq
        ? {}
        : { timeMachine: { ...s.timeMachine, loading: false, error: message } },
    ),
  backToLive: () => set({ timeMachine: LIVE }),
});
