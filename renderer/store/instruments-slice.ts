import type { ClientView, InstrumentView, StateUpdate } from '../../contract/api.ts';
import type { SliceCreator } from './types.ts';

export type Quote = NonNullable<StateUpdate['instruments']>[number];

/** Static data plus the latest quote per symbol; a handful of rows, rebuilt freely. */
export interface InstrumentsTable {
  readonly bySymbol: ReadonlyMap<string, InstrumentView>;
  /** Sorted by symbol. */
  readonly list: readonly InstrumentView[];
}

export function instrumentsFrom(list: readonly InstrumentView[]): InstrumentsTable {
  const sorted = [...list].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  return { bySymbol: new Map(sorted.map((i) => [i.symbol, i])), list: sorted };
}

/** Applies quotes to known instruments; a quote for an unknown symbol is ignored until static data names it. */
export function mergeQuotes(table: InstrumentsTable, quotes: readonly Quote[]): InstrumentsTable {
  if (quotes.length === 0) return table;
  const bySymbol = new Map(table.bySymbol);
  let changed = false;
  for (const q of quotes) {
    const cur = bySymbol.get(q.symbol);
    if (!cur) continue;
    const next: InstrumentView = { ...cur };
    if ('last' in q) next.last = q.last;
    if ('bid' in q) next.bid = q.bid;
    if ('ask' in q) next.ask = q.ask;
    bySymbol.set(q.symbol, next);
    changed = true;
  }
  if (!changed) return table;
  return { bySymbol, list: table.list.map((i) => bySymbol.get(i.symbol) ?? i) };
}

export interface InstrumentsSlice {
  instruments: InstrumentsTable;
  clients: readonly ClientView[];
}

export const createInstrumentsSlice: SliceCreator<InstrumentsSlice> = () => ({
  instruments: instrumentsFrom([]),
  clients: [],
});
