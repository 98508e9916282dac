import type { InstrumentView } from '../../contract/api.ts';

/**
 * Type-ahead over instruments: symbols starting with the text first, then
 * symbols containing it, then names containing it; each group in symbol
 * order. Case-insensitive.
 */
export function searchInstruments(list: readonly InstrumentView[], text: string, limit = 12): InstrumentView[] {
  const q = text.trim().toLowerCase();
  if (q === '') return list.slice(0, limit);
  const starts: InstrumentView[] = [];
  const contains: InstrumentView[] = [];
  const named: InstrumentView[] = [];
  for (const i of list) {
    const sym = i.symbol.toLowerCase();
    if (sym.startsWith(q)) starts.push(i);
    else if (sym.includes(q)) contains.push(i);
    else if (i.name.toLowerCase().includes(q) || (i.underlying ?? '').toLowerCase().startsWith(q)) named.push(i);
  }
  return starts.concat(contains, named).slice(0, limit);
}
