import { describe, expect, it } from 'vitest';
import { IntMap } from '../../engine/venue/int-map.ts';
import { Prng } from '../../engine/venue/prng.ts';

/** Runs `steps` random sets and deletes on an IntMap and a Map side by side; every answer must agree. */
function against(seed: number, steps: number, keyOf: (rng: Prng) => number): void {
  const rng = new Prng(seed);
  const mine = new IntMap<number>();
  const model = new Map<number, number>();
  for (let s = 0; s < steps; s++) {
    const key = keyOf(rng);
    const op = rng.float();
    if (op < 0.5) {
      mine.set(key, s);
      model.set(key, s);
    } else {
      expect(mine.delete(key)).toBe(model.delete(key));
    }
    expect(mine.size).toBe(model.size);
    const probe = keyOf(rng);
    expect(mine.get(probe)).toBe(model.get(probe));
    expect(mine.has(probe)).toBe(model.has(probe));
  }
  for (const [k, v] of model) expect(mine.get(k)).toBe(v);
}

describe('IntMap', () => {
  it('answers as a Map does over few keys (long probe runs, deletes in the middle of them)', () => {
    against(1, 20_000, (rng) => rng.int(0, 40));
  });

  it('answers as a Map does while growing and shrinking', () => {
    // A phase of mostly sets, then mostly deletes: the table doubles, then halves.
    const mine = new IntMap<number>();
    const model = new Map<number, number>();
    for (let k = 0; k < 5000; k++) {
      mine.set(k * 7919, k);
      model.set(k * 7919, k);
    }
    for (let k = 0; k < 4990; k++) expect(mine.delete(k * 7919)).toBe(model.delete(k * 7919));
    expect(mine.size).toBe(10);
    for (const [k, v] of model) expect(mine.get(k)).toBe(v);
    expect(mine.get(0)).toBeUndefined();
  });

  it('takes negative and large safe integers as keys', () => {
    against(2, 10_000, (rng) => (rng.float() < 0.5 ? -1 : 1) * rng.int(0, 30) * 2 ** 40 + rng.int(0, 3));
  });

  it('holds ids that keep increasing at a steady size (a quoting book)', () => {
    const mine = new IntMap<number>();
    for (let id = 1; id <= 100_000; id++) {
      mine.set(id, id);
      if (id > 10) expect(mine.delete(id - 10)).toBe(true);
    }
    expect(mine.size).toBe(10);
    for (let id = 99_991; id <= 100_000; id++) expect(mine.get(id)).toBe(id);
    expect(mine.has(99_990)).toBe(false);
  });
});
