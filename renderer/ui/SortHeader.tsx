import type { CSSProperties } from 'react';

export interface Column<K extends string = string> {
  key: string;
  title: string;
  /** A CSS grid track: `72px`, `minmax(100px, 1fr)`. */
  width: string;
  sort?: K;
  align?: 'left' | 'right';
}

/**
 * The shared grid of a table: every row uses the same tracks and the same
 * minimum width (the sum of the tracks' minimums), so header and rows line
 * up even when the panel is narrower than the table and scrolls sideways.
 */
export function gridStyle(columns: readonly Column[]): CSSProperties {
  let min = 0;
  for (const c of columns) {
    const m = /^(?:minmax\()?(\d+(?:\.\d+)?)px/.exec(c.width);
    if (m && m[1] !== undefined) min += Number(m[1]);
  }
  return { ['--cols' as string]: columns.map((c) => c.width).join(' '), ['--min-w' as string]: `${min}px` };
}

interface Props<K extends string> {
  columns: readonly Column<K>[];
  sort?: { key: K; dir: 'asc' | 'desc' };
  onSort?: (key: K) => void;
  testidPrefix: string;
}

/** The sticky header row of a blotter; sortable columns are buttons showing ▲/▼. */
export function SortHeader<K extends string>({ columns, sort, onSort, testidPrefix }: Props<K>) {
  return (
    <div className="tr thead" role="row">
      {columns.map((c) => {
        const align = c.align === 'right' ? 'right' : '';
        if (!c.sort || !onSort) {
          return (
            <span key={c.key} className={`th ${align}`} role="columnheader">
              {c.title}
            </span>
          );
        }
        const key = c.sort;
        const active = sort?.key === key;
        return (
          <button
            key={c.key}
            type="button"
            role="columnheader"
            className={`th th-sort ${align} ${active ? 'active' : ''}`}
            data-testid={`${testidPrefix}-${key}`}
            data-sort-dir={active ? sort?.dir : undefined}
            aria-sort={active ? (sort?.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
            onClick={() => onSort(key)}
          >
            {c.title}
            <span className="sort-mark">{active ? (sort?.dir === 'asc' ? '▲' : '▼') : ''}</span>
          </button>
        );
      })}
    </div>
  );
}
