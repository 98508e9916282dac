import type { EventLine } from '../../contract/api.ts';
import { decimalsOf as decimalsOfTick } from '../lib/format.ts';
import type { FillsTable } from './fills-slice.ts';
import type { InstrumentsTable } from './instruments-slice.ts';
import type { OrdersTable } from './orders-slice.ts';
import type { OrdoState } from './types.ts';

/**
 * What the blotters show: the live tables, or the time machine's as of a
 * seq. Components select through these and never care which it is.
 */
export const selectOrders = (s: OrdoState): OrdersTable =>
  s.timeMachine.mode === 'asof' && s.timeMachine.view ? s.timeMachine.view.orders : s.orders;

export const selectFills = (s: OrdoState): FillsTable =>
  s.timeMachine.mode === 'asof' && s.timeMachine.view ? s.timeMachine.view.fills : s.fills;

export const selectInstruments = (s: OrdoState): InstrumentsTable =>
  s.timeMachine.mode === 'asof' && s.timeMachine.view ? s.timeMachine.view.instruments : s.instruments;

export const selectEventList = (s: OrdoState): readonly EventLine[] =>
  s.timeMachine.mode === 'asof' && s.timeMachine.view ? s.timeMachine.view.events : s.events.list;

/** True while the time machine is on: order entry and order actions are off. */
export const selectReadOnly = (s: OrdoState): boolean => s.timeMachine.mode === 'asof';

export const selectOrderCount = (s: OrdoState): number => selectOrders(s).byId.size;

/** Newest-first, type-filtered event lines; memoised on the list and the filter. */
export function createFilteredEventsMemo(): (list: readonly EventLine[], filter: string) => readonly EventLine[] {
  let lastList: readonly EventLine[] | undefined;
  let lastFilter = '';
  let last: readonly EventLine[] = [];
  return (list, filter) => {
    if (list === lastList && filter === lastFilter) return last;
    const f = filter.trim().toLowerCase();
    const out: EventLine[] = [];
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i] as EventLine;
      if (f === '' || e.type.toLowerCase().includes(f)) out.push(e);
    }
    lastList = list;
    lastFilter = filter;
    last = out;
    return out;
  };
}

/**
 * Each shown instrument's symbol and price decimals, as one string
 * (`SYM:dec`, one line each, sorted by symbol). Equal across quote flushes: a grid
 * that needs only these selects this and does not re-render with every quote
 * (decision 189). `tickTable` turns it back into a map.
 */
export const selectTickKey = (s: OrdoState): string => {
  const list = selectInstruments(s).list;
  let key = '';
  // One line each: option symbols hold spaces ("AAPL 281215C230").
  for (const i of list) key += `${key === '' ? '' : '\n'}${i.symbol}:${decimalsOfTick(i.tickSize)}`;
  return key;
};

/** The map `selectTickKey` describes: symbol → price decimals. */
export function tickTable(key: string): Map<string, number> {
  const m = new Map<string, number>();
  if (key === '') return m;
  for (const part of key.split('\n')) {
    const at = part.lastIndexOf(':');
    m.set(part.slice(0, at), Number(part.slice(at + 1)));
  }
  return m;
}
