/**
 * What a pooled grid's row and cells show, as plain strings (decisions 203,
 * 215): the pool compares these with what its elements show already and
 * writes only what changed; server rendering draws the same with React.
 * Shared by the orders and the fills grids.
 */

/** What one cell shows. */
export interface CellModel {
  /** Classes after `td`. */
  cls: string;
  text: string;
  /** The whole value, for values a narrow column cuts. */
  title?: string;
  /** The tooltip says more than the cell (full time and date, a symbol, a reason): shown even when the value fits. */
  titleAlways?: boolean;
  /** A badge inside the cell (the orders' state column); `text` is then unused. */
  badge?: BadgeModel;
  /** A cell that carries a test id (the waiting hint). */
  testid?: string;
}

export interface BadgeModel {
  cls: string;
  testid: string;
  state: string;
  parked: boolean;
  title: string;
  text: string;
}

/**
 * One row of a pooled grid: its element's attributes (`class` included; a name left out is removed) and,
 * for a row that shows a record, its cells. A placeholder (a row the host has not delivered, a row drawn
 * elsewhere) has no `cells`: its cells are blank.
 */
export interface PoolItem {
  attrs: Readonly<Record<string, string | null>>;
  /** The cells change only when one of these differs (by identity) from what the row shows: a row whose record is the same is skipped. */
  deps?: readonly unknown[];
  cells?: (col: string) => CellModel;
}

/** The mouse event fields a row action reads (a React event and a DOM event both have them). */
export interface RowMouse {
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  clientX: number;
  clientY: number;
  preventDefault(): void;
}

/** Whether two dependency lists are the same, element by element. */
export function sameDeps(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
