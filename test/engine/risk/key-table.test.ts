import { describe, expect, it } from 'vitest';
import { KeyTable } from '../../../engine/oms/exposure/key-table.ts';
import { Prng } from '../../../engine/venue/prng.ts';

/** Keys the way a checkpoint stores them: one text (Latin-1, or UTF-16LE when wide) and each key's span. */
function asText(keys: readonly string[]): { text: Buffer; wide: boolean; at: Int32Array; len: Int32Array } {
  const wide = keys.some((k) => /[^\u0000-\u00ff]/.test(k));
  const at = new Int32Array(keys.length);
  const len = new Int32Array(keys.length);
  let units = 0;
  keys.forEach((k, i) => {
    at[i] = units;
    len[i] = k.length;
    units += k.length;
  });
  return { text: Buffer.from(keys.join(''), wide ? 'utf16le' : 'latin1'), wide, at, len };
}

describe("risk's key table (decision 255)", () => {
  it('agrees with a Map over seeded adds and deletes, numbers reused, through growth and rebuilds', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const rng = new Prng(seed);
      const table = new KeyTable();
      const map = new Map<string, number>();
      const numbers = new Set<number>();
      for (let step = 0; step < 8_000; step++) {
        const key = `C${rng.int(0, 3)}\u0000S${rng.int(0, 40)}\u0000${rng.int(1, 60)}`;
        const k = table.get(key);
        expect(k).toBe(map.get(key) ?? -1);
        if (k < 0) {
          const n = table.add(key);
          expect(numbers.has(n)).toBe(false);
          numbers.add(n);
          map.set(key, n);
        } else if (rng.int(0, 2) === 0) {
          table.delete(k);
          numbers.delete(k);
          map.delete(key);
        }
        expect(table.size).toBe(map.size);
      }
      for (const [key, n] of map) {
        expect(table.get(key)).toBe(n);
        expect(table.key(n)).toBe(key);
      }
    }
  });

  it('finds keys restored from a text where they lie, Latin-1 and wide, and goes on adding and deleting', () => {
    for (const sample of [['ALPHA\u0000AMD\u0000buy\u0000217\u0000138.55', 'ALPHA\u0000AMD\u0000buy\u0000217\u0000138.5', 'B\u00e9ta\u0000X'], ['ALPHA\u0000AMD', '\u65e5\u672c\u0000buy', 'A']]) {
      const keys = [...sample, ...Array.from({ length: 3_000 }, (_, i) => `K${i}\u0000${i % 7}`)];
      const { text, wide, at, len } = asText(keys);
      expect(wide).toBe(sample[1]!.includes('\u65e5'));
      const table = KeyTable.fromText(text, wide, at, len);
      expect(table.size).toBe(keys.length);
      keys.forEach((k, i) => expect(table.get(k)).toBe(i));
      // A prefix, a longer key and a near miss are not held.
      expect(table.get('ALPHA')).toBe(-1);
      expect(table.get(`${keys[0]!}0`)).toBe(-1);
      expect(table.get('K1\u00002')).toBe(-1);
      // Deleted restored keys free their numbers for new keys; the rest still read from the text.
      for (let i = 0; i < keys.length; i += 2) table.delete(i);
      const added = Array.from({ length: 2_000 }, (_, i) => `N${i}`).map((k) => [k, table.add(k)] as const);
      for (let i = 1; i < keys.length; i += 2) {
        expect(table.get(keys[i]!)).toBe(i);
        expect(table.key(i)).toBe(keys[i]);
      }
      for (let i = 0; i < keys.length; i += 2) expect(table.get(keys[i]!)).toBe(-1);
      for (const [k, n] of added) expect(table.get(k)).toBe(n);
      expect(new Set(added.map(([, n]) => n)).size).toBe(added.length);
    }
  });
});
