/**
 * A time budget for the slices of the blotter windows' builds (decision 231).
 * A slice of a fixed number of rows is a few ms with the code optimised, but
 * the first slices of a new query run before V8 has optimised it (the first
 * 5,000 rows of a text search: 25-40 ms of CPU at 1.2 M orders), and a slow or
 * busy core stretches every one: so a slice also ends once it has taken
 * TURN_BUDGET_MS of wall time, checked every CHECK_ROWS rows.
 */
export const TURN_BUDGET_MS = 8;
const CHECK_ROWS = 512;

/**
 * Calls `step(lo, hi)` over the rows [from, to) in turns of the event loop:
 * each turn at most `slice` rows and about TURN_BUDGET_MS (`budgetMs`), then
 * `pause` (after the last turn too). Returns the turns' own time in ms.
 */
export async function rowsInTurns(from: number, to: number, slice: number, pause: () => Promise<void>, step: (lo: number, hi: number) => void, budgetMs = TURN_BUDGET_MS): Promise<number> {
  let ms = 0;
  let lo = from;
  while (lo < to) {
    const t0 = performance.now();
    const end = Math.min(to, lo + slice);
    while (lo < end) {
      const hi = Math.min(end, lo + CHECK_ROWS);
      step(lo, hi);
      lo = hi;
      if (performance.now() - t0 >= budgetMs) break;
    }
    ms += performance.now() - t0;
    await pause();
  }
  return ms;
}
