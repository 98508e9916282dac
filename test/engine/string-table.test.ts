import { describe, expect, it } from 'vitest';
import { StringTable } from '../../engine/protocol/string-table.ts';

/** What a table must give: each string's index in order of first use, per table (between clears). */
function reference(strings: readonly string[]): number[] {
  const seen = new Map<string, number>();
  return strings.map((s) => {
    let i = seen.get(s);
    if (i === undefined) seen.set(s, (i = seen.size));
    return i;
  });
}

describe('StringTable (frame string interning, decision 237)', () => {
  it('numbers strings in order of first use, through the scan, the hash table and its growth, table after table', () => {
    const t = new StringTable();
    // Strings the hash cannot tell apart (same length, same 16 characters at each end) next to ordinary ones.
    const alike = (k: number) => `${'p'.repeat(16)}${String(k).padStart(8, '0')}${'s'.repeat(16)}`;
    for (let frame = 0; frame < 5; frame++) {
      const strings: string[] = [];
      for (let k = 0; k < 3_000; k++) {
        strings.push(`B${(frame * 1_000 + k).toString(36).toUpperCase()}`, ['AAPL', 'MSFT', 'proxy-1', 'risk-1', ''][k % 5]!);
        if (k % 7 === 0) strings.push(alike(k % 50), 'Ünïcødé €');
        // A string made afresh (another object with the same characters) must find the same id.
        if (k % 11 === 0) strings.push(['AA', 'PL'].join(''));
      }
      t.clear();
      expect(strings.map((s) => t.id(s)), `frame ${frame}`).toEqual(reference(strings));
      expect(t.list).toEqual([...new Set(strings)]);
    }
  });

  it('starts each table empty: a string of the previous table gets the next id of the new one', () => {
    const t = new StringTable();
    const many = Array.from({ length: 40 }, (_, k) => `S${k}`);
    for (const s of many) t.id(s);
    t.clear();
    expect(t.id('S39')).toBe(0);
    expect(t.id('new')).toBe(1);
    for (const s of many) t.id(s);
    expect(t.id('S0')).toBe(2);
    t.clear();
    expect(t.list).toEqual([]);
    expect(t.id('S5')).toBe(0);
  });
});
