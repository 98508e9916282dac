/**
 * Columns are stored in chunks of CHUNK rows: they grow by adding a chunk,
 * never by copying, and a row's chunk never moves. Row r is in chunk
 * r >>> SHIFT at index r & MASK. Only the files of this folder do that
 * arithmetic; everyone else names a row by its number.
 */
export const SHIFT = 12;
export const CHUNK = 1 << SHIFT;
export const MASK = CHUNK - 1;

/** End of a chain (seq chains, fills of an order). */
export const NIL = -1;
