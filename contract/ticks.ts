/**
 * The one rule for "is this price on the tick / this quantity a lot
 * multiple", shared by the engine (the authority: risk checks, the venue's
 * book, reference data) and the UI (inline ticket validation), so the UI
 * never refuses what the engine would take, nor the reverse.
 */

/** How far value/step may be from a whole number and still count as a multiple: a millionth of a step (floating-point noise, never a real price). */
export const STEP_TOLERANCE = 1e-6;

/** True when `value` is a whole number of `step`s, within STEP_TOLERANCE of a step. False for a step that is not > 0. */
export function isOnStep(value: number, step: number): boolean {
  const n = value / step;
  return Math.abs(n - Math.round(n)) < STEP_TOLERANCE;
}

/**
 * How many decimals represent multiples of `tickSize` exactly (at most 12): the
 * decimals a price on that tick is written with. Shared by the OMS's money
 * arithmetic and the simulated venue's book.
 */
export function tickDecimals(tickSize: number): number {
  for (let d = 0; d <= 12; d++) {
    const x = tickSize * 10 ** d;
    if (Math.abs(x - Math.round(x)) < 1e-7) return d;
  }
  return 12;
}
