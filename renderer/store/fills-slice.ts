import type { FillView } from '../../contract/api.ts';
import type { SliceCreator } from './types.ts';

/**
 * Every execution in sequence order (oldest first, so a new fill is an
 * O(1) append); the blotter reads it back to front for newest first.
 */
export interface FillsTable {
  readonly list: FillView[];
  readonly indexByExecId: Map<number, number>;
  readonly version: number;
}

function bySeq(a: FillView, b: FillView): number {
  return a.seq - b.seq || a.execId - b.execId;
}

export function fillsFrom(list: readonly FillView[]): FillsTable {
  const sorted = [...list].sort(bySeq);
  const indexByExecId = new Map<number, number>();
  sorted.forEach((f, i) => indexByExecId.set(f.execId, i));
  return { list: sorted, indexByExecId, version: 0 };
}

/** Merges fills by execId (in place): known ones are replaced, new ones appended in seq order. */
export function mergeFills(table: FillsTable, incoming: readonly FillView[]): FillsTable {
  if (incoming.length === 0) return table;
  const { list, indexByExecId } = table;
  let outOfOrder = false;
  for (const f of incoming) {
    const at = indexByExecId.get(f.execId);
    if (at !== undefined) {
      list[at] = f;
      continue;
    }
    const last = list[list.length - 1];
    if (last && bySeq(last, f) > 0) outOfOrder = true;
    indexByExecId.set(f.execId, list.length);
    list.push(f);
  }
  if (outOfOrder) {
    list.sort(bySeq);
    indexByExecId.clear();
    list.forEach((f, i) => indexByExecId.set(f.execId, i));
  }
  return { list, indexByExecId, version: table.version + 1 };
}

/** The `index`-th fill counting from the newest. */
export function fillNewestFirst(table: FillsTable, index: number): FillView | undefined {
  return table.list[table.list.length - 1 - index];
}

export interface FillsSlice {
  fills: FillsTable;
}

export const createFillsSlice: SliceCreator<FillsSlice> = () => ({
  fills: fillsFrom([]),
});
