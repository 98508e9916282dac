import type { EventLine, InstrumentView, SessionView, StateView } from '../../contract/api.ts';
import { fillsFrom } from './fills-slice.ts';
import type { FillsTable } from './fills-slice.ts';
import { instrumentsFrom } from './instruments-slice.ts';
import type { InstrumentsTable } from './instruments-slice.ts';
import { mergeOrders, ordersFrom } from './orders-slice.ts';
import type { OrderView } from '../../contract/api.ts';
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
  /** The time (sequencer µs) it is as of: chosen on the time axis or by a step of a second, else the seq's own event time. */
  ts?: number;
  /** The state has more orders than its first page: the orders blotter windows it from the host at this seq (decision 166). */
  ordersRemote?: boolean;
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
  /** The time asked for with it (a step of a second, a point on the axis), sequencer µs. */
  atTs?: number;
  loading: boolean;
  view: AsOfView | undefined;
  error: string | undefined;
}

export const LIVE: TimeMachineState = { mode: 'live', seq: 0, loading: false, view: undefined, error: undefined };

/**
 * Instruments as of then: the venue's quotes are not in the log, so bid and
 * ask are left empty (not today's), and LAST is the price of the last fill
 * at or before the seq (the log's own trades), empty when there was none yet.
 */
export function instrumentsAsOf(state: StateView): InstrumentView[] {
  const lastBySymbol = new Map<string, number>();
  // In seq order, so the last one set per symbol is the newest.
  for (const f of [...state.fills].sort((x, y) => x.seq - y.seq)) lastBySymbol.set(f.symbol, f.price);
  return state.instruments.map((i) => {
    const v: InstrumentView = { ...i };
    delete v.bid;
    delete v.ask;
    delete v.last;
    const last = lastBySymbol.get(i.symbol);
    if (last !== undefined) v.last = last;
    return v;
  });
}

export function asOfView(seq: number, state: StateView, events: readonly EventLine[], atTs?: number): AsOfView {
  const view: AsOfView = {
    seq: state.asOfSeq ?? seq,
    session: state.session,
    orders: ordersFrom(state.orders),
    // A past state with more fills than its first page: the blotter windows it at this seq (decision 166).
    fills: fillsFrom(state.fills, state.fillsAfter !== undefined),
    instruments: instrumentsFrom(instrumentsAsOf(state)),
    events,
  };
  if (state.ordersAfter !== undefined) view.ordersRemote = true;
  const at = atTs ?? events.find((e) => e.seq === view.seq)?.ts;
  if (at !== undefined) view.ts = at;
  return view;
}

export interface TimeMachineSlice {
  timeMachine: TimeMachineState;
  travelStarted(seq: number, atTs?: number): void;
  travelLoaded(seq: number, state: StateView, events: readonly EventLine[]): void;
  travelFailed(seq: number, message: string): void;
  /** Rows of a past window (decision 166) into the view of `seq`; dropped when the time machine has moved on. */
  backfillPast(seq: number, orders: readonly OrderView[]): void;
  backToLive(): void;
}

export const createTimeMachineSlice: SliceCreator<TimeMachineSlice> = (set) => ({
  timeMachine: LIVE,
  travelStarted: (seq, atTs) =>
    set((s) => ({ timeMachine: { ...s.timeMachine, mode: 'asof', seq, atTs, loading: true, error: undefined } })),
  travelLoaded: (seq, state, events) =>
    set((s) =>
      s.timeMachine.mode !== 'asof' || s.timeMachine.seq !== seq
        ? {}
        : { timeMachine: { mode: 'asof', seq, atTs: s.timeMachine.atTs, loading: false, view: asOfView(seq, state, events, s.timeMachine.atTs), error: undefined } },
    ),
  travelFailed: (seq, message) =>
    set((s) =>
      s.timeMachine.mode !== 'asof' || s.timeMachine.seq !== seq
        ? {}
        : { timeMachine: { ...s.timeMachine, loading: false, error: message } },
    ),
  backToLive: () => set({ timeMachine: LIVE }),
  backfillPast: (seq, orders) =>
    set((s) => {
      const v = s.timeMachine.view;
      if (s.timeMachine.mode !== 'asof' || !v || v.seq !== seq || orders.length === 0) return {};
      return { timeMachine: { ...s.timeMachine, view: { ...v, orders: mergeOrders(v.orders, orders) } } };
    }),
});
