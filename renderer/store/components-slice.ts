import type { ComponentView } from '../../contract/api.ts';
import type { SliceCreator } from './types.ts';

/** A component as last pushed, with when it arrived, so its heartbeat age can keep ticking locally. */
export interface ComponentRow extends ComponentView {
  receivedAt: number;
}

export interface ComponentsTable {
  readonly byId: ReadonlyMap<string, ComponentRow>;
  /** Sorted by role, then id. */
  readonly list: readonly ComponentRow[];
}

function sortRows(rows: ComponentRow[]): ComponentRow[] {
  return rows.sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function componentsFrom(list: readonly ComponentView[], receivedAt: number): ComponentsTable {
  const rows = sortRows(list.map((c) => ({ ...c, receivedAt })));
  return { byId: new Map(rows.map((r) => [r.id, r])), list: rows };
}

export function mergeComponents(table: ComponentsTable, list: readonly ComponentView[], receivedAt: number): ComponentsTable {
  if (list.length === 0) return table;
  const byId = new Map(table.byId);
  for (const c of list) byId.set(c.id, { ...c, receivedAt });
  return { byId, list: sortRows([...byId.values()]) };
}

export interface ComponentsSlice {
  components: ComponentsTable;
}

export const createComponentsSlice: SliceCreator<ComponentsSlice> = () => ({
  components: componentsFrom([], 0),
});
