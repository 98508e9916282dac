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
  /**
   * The list holds only the newest fills of a larger session (or the first
   * page of a past state's): the blotter asks the host for windows (decision
   * 166). Set by the reset, kept by merges.
   */
  readonly remote?: boolean;
}

function bySeq(a: FillView, b: FillView): number {
  return a.seq - b.seq || a.execId - b.execId;
}

/** A table of `list`; `remote` when the session holds more fills than the list (decision 166). */
export function fillsFrom(list: readonly FillView[], remote = false): FillsTable {
  const sorted = [...list].sort(bySeq);
  const indexByExecId = new Map<number, number>();
  sorted.forEach((f, i) => indexByExecId.set(f.execId, i));
  return remote ? { list: sorted, indexByExecId, version: 0, remote } : { list: sorted, indexByExecId, version: 0 };
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
  return table.remote ? { list, indexByExecId, version: table.version + 1, remote: true } : { list, indexByExecId, version: table.version + 1 };
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
