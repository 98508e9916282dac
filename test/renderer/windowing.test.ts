import { describe, expect, it } from 'vitest';
import { computeWindow, scrollToRow } from '../../renderer/lib/windowing.ts';

describe('computeWindow', () => {
  const base = { rowHeight: 20, viewportHeight: 200, overscan: 5 };

  it('renders the visible rows plus overscan at the top', () => {
    expect(computeWindow({ ...base, rowCount: 1000, scrollTop: 0 })).toEqual({ start: 0, end: 15, offsetY: 0, totalHeight: 20_000 });
  });

  it('renders overscan on both sides in the middle', () => {
    const w = computeWindow({ ...base, rowCount: 1000, scrollTop: 2000 });
    expect(w).toEqual({ start: 95, end: 115, offsetY: 1900, totalHeight: 20_000 });
  });

  it('includes a partly visible row', () => {
    const w = computeWindow({ ...base, overscan: 0, rowCount: 1000, scrollTop: 2010 });
    expect(w.start).toBe(100);
    expect(w.end).toBe(111);
  });

  it('clamps at the end and after the list shrank under the scroll position', () => {
    const w = computeWindow({ ...base, rowCount: 30, scrollTop: 50_000 });
    expect(w.end).toBe(30);
    expect(w.start).toBe(15); // max scroll 400 → first visible 20, minus overscan
    expect(w.totalHeight).toBe(600);
  });

  it('handles empty lists and a zero viewport', () => {
    expect(computeWindow({ ...base, rowCount: 0, scrollTop: 100 })).toEqual({ start: 0, end: 0, offsetY: 0, totalHeight: 0 });
    const w = computeWindow({ ...base, viewportHeight: 0, overscan: 0, rowCount: 10, scrollTop: 0 });
    expect(w.end - w.start).toBe(1);
  });

  it('keeps the rendered row count independent of the list size', () => {
    const small = computeWindow({ ...base, rowCount: 1_000, scrollTop: 4000 });
    const huge = computeWindow({ ...base, rowCount: 100_000, scrollTop: 1_000_000 });
    expect(huge.end - huge.start).toBe(small.end - small.start);
    expect(huge.offsetY).toBe(huge.start * 20);
  });
});

describe('scrollToRow', () => {
  it('scrolls only when the row is out of view', () => {
    expect(scrollToRow(5, 20, 200, 0)).toBeUndefined();
    expect(scrollToRow(50, 20, 200, 0)).toBe(820);
    expect(scrollToRow(2, 20, 200, 400)).toBe(40);
  });
});
