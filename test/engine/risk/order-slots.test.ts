import { describe, expect, it } from 'vitest';
import { OrderSlots } from '../../../engine/oms/exposure/order-slots.ts';

/** A small seeded generator (the same run every time). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sorted = <T>(xs: Iterable<[number, T]>): [number, T][] => [...xs].sort((a, b) => (Object.is(a[0], b[0]) ? 0 : a[0] < b[0] || Number.isNaN(b[0]) ? -1 : 1));

describe('OrderSlots (risk state live orders by id, decision 258)', () => {
  it('answers as a Map would over random books, deletes and re-adds, across pages and odd ids', () => {
    const rnd = lcg(258);
    const slots = new OrderSlots<{ id: number; v: number }>();
    const ref = new Map<number, { id: number; v: number }>();
    const odd = [-1, -256, 0.5, 2 ** 32, 2 ** 40 + 3, Number.NaN, 2 ** 32 - 1, 0];
    let next = 1;
    for (let step = 0; step < 60_000; step++) {
      const r = rnd();
      let id: number;
      if (r < 0.45) id = next++; // a new order, as the proxy numbers them
      else if (r < 0.9) id = Math.floor(rnd() * next); // an order of the book, live or ended
      else if (r < 0.95) id = odd[Math.floor(rnd() * odd.length)]!;
      else id = 10_000_000 + Math.floor(rnd() * 5_000); // a carried order far from the rest
      const op = rnd();
      if (op < 0.55) {
        const v = { id, v: step };
        slots.set(id, v);
        ref.set(id, v);
      } else {
        expect(slots.delete(id)).toBe(ref.delete(id));
      }
      expect(slots.get(id)).toBe(ref.get(id));
      expect(slots.has(id)).toBe(ref.has(id));
      expect(slots.size).toBe(ref.size);
      if (step % 5_000 === 0) expect(sorted(slots.entries())).toEqual(sorted(ref.entries()));
    }
    expect(sorted(slots)).toEqual(sorted(ref));
    expect([...slots.keys()].sort((a, b) => a - b)).toEqual([...ref.keys()].sort((a, b) => a - b));
    expect(new Set(slots.values())).toEqual(new Set(ref.values()));
  });

  it('drops a page with its last order and makes it again for a later one', () => {
    const slots = new OrderSlots<string>();
    for (let id = 512; id < 768; id++) slots.set(id, `o${id}`);
    slots.set(1000, 'x');
    for (let id = 512; id < 768; id++) expect(slots.delete(id)).toBe(true);
    expect(slots.size).toBe(1);
    expect(slots.get(600)).toBeUndefined();
    expect(slots.has(700)).toBe(false);
    expect(slots.delete(700)).toBe(false);
    slots.set(700, 'again');
    expect(slots.get(700)).toBe('again');
    expect([...slots.entries()].sort()).toEqual([
      [1000, 'x'],
      [700, 'again'],
    ]);
  });
});
