import { describe, expect, it } from 'vitest';
import { rowsInTurns } from '../../engine/host/turn-budget.ts';

describe('rowsInTurns: the windows builds slices, ended by rows or by a time budget (decision 231)', () => {
  it('visits every row once, in order, at most `slice` rows a turn, and pauses after each turn', async () => {
    const seen: number[] = [];
    const perTurn: number[] = [];
    let inTurn = 0;
    await rowsInTurns(3, 2003, 700, () => {
      perTurn.push(inTurn);
      inTurn = 0;
      return Promise.resolve();
    }, (lo, hi) => {
      for (let r = lo; r < hi; r++) seen.push(r);
      inTurn += hi - lo;
    }, 1e9);
    expect(seen).toEqual(Array.from({ length: 2000 }, (_, i) => i + 3));
    expect(perTurn).toEqual([700, 700, 600]);
  });

  it('ends a turn once it has taken the budget, though fewer than `slice` rows were done (slow, unoptimised code)', async () => {
    const perTurn: number[] = [];
    let inTurn = 0;
    let rows = 0;
    await rowsInTurns(0, 5000, 5000, () => {
      perTurn.push(inTurn);
      inTurn = 0;
      return Promise.resolve();
    }, (lo, hi) => {
      // Each step takes at least 2 ms: past the 1 ms budget, so every turn is one step (512 rows).
      const t0 = performance.now();
      while (performance.now() - t0 < 2) rows += 0;
      rows += hi - lo;
      inTurn += hi - lo;
    }, 1);
    expect(rows).toBe(5000);
    expect(perTurn).toEqual([512, 512, 512, 512, 512, 512, 512, 512, 512, 392]);
  });
});
