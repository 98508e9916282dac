import { memo, useRef, useState } from 'react';
import { moveColumn, resizeColumn, type ColumnDef, type ColumnPrefs, type ResolvedColumn } from '../lib/columns.ts';

interface Props<K extends string> {
  columns: readonly ResolvedColumn[];
  /** Column key → sort key, for sortable columns. */
  sortKeyOf: (col: string) => K | undefined;
  sort: { key: K; dir: 'asc' | 'desc' };
  onSort(key: K): void;
  /** All of the blotter's columns, and the trader's arrangement of them that dragging a width or a header changes. */
  defs: readonly ColumnDef[];
  prefs: ColumnPrefs;
  onPrefs(prefs: ColumnPrefs): void;
  onHeaderMenu(x: number, y: number): void;
  testidPrefix: string;
}

/**
 * A blotter header a trader can arrange: click sorts, the right edge of a
 * header drags its width, dragging a header moves the column, right-click
 * opens the column chooser. Memoised: a stream's flush re-renders the blotter, not its
 * header, when the blotter passes stable callbacks (decision 189).
 */
export const GridHeader = memo(GridHeaderImpl) as typeof GridHeaderImpl;

function GridHeaderImpl<K extends string>({ columns, sortKeyOf, sort, onSort, defs, prefs, onPrefs, onHeaderMenu, testidPrefix }: Props<K>) {
  const [dropAt, setDropAt] = useState<string | undefined>(undefined);
  const resizing = useRef(false);
  return (
    <div
      className="tr thead"
      role="row"
      onContextMenu={(e) => {
        e.preventDefault();
        onHeaderMenu(e.clientX, e.clientY);
      }}
    >
      {columns.map((c) => {
        const sk = sortKeyOf(c.key);
        const active = sk !== undefined && sort.key === sk;
        const align = c.align === 'right' ? 'right' : '';
        return (
          <div
            key={c.key}
            role="columnheader"
            className={`th th-cell ${align} ${active ? 'active' : ''} ${dropAt === c.key ? 'drop-before' : ''}`}
            data-testid={`${testidPrefix}-col-${c.key}`}
            data-col={c.key}
            draggable={!c.fixed}
            aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
            title={c.title ? `${c.title}${sk ? ' — click to sort' : ''}${c.fixed ? '' : ', drag to move, drag the edge to resize'}` : undefined}
            onDragStart={(e) => {
              if (resizing.current) {
                e.preventDefault();
                return;
              }
              e.dataTransfer.setData('text/x-ordo-col', c.key);
              e.dataTransfer.effectAllowed = 'move';
            }}
            onDragOver={(e) => {
              if (!e.dataTransfer.types.includes('text/x-ordo-col')) return;
              e.preventDefault();
              setDropAt(c.key);
            }}
            onDragLeave={() => setDropAt((d) => (d === c.key ? undefined : d))}
            onDrop={(e) => {
              e.preventDefault();
              setDropAt(undefined);
              const from = e.dataTransfer.getData('text/x-ordo-col');
              if (from && from !== c.key) onPrefs(moveColumn(defs, prefs, from, c.fixed ? undefined : c.key));
            }}
          >
            {sk !== undefined ? (
              <button type="button" className={`th-sort ${align} ${active ? 'active' : ''}`} data-testid={`${testidPrefix}-${sk}`} data-sort-dir={active ? sort.dir : undefined} onClick={() => onSort(sk)}>
                {c.title}
                <span className="sort-mark">{active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
              </button>
            ) : (
              <span className="th-label">{c.title}</span>
            )}
            {c.fixed ? null : (
              <span
                className="col-resize"
                data-testid={`${testidPrefix}-resize-${c.key}`}
                onPointerDown={(e) => {
                  e.preventDefault();
                  e.stopPropagation();
                  resizing.current = true;
                  const startX = e.clientX;
                  const startW = c.width;
                  const el = e.currentTarget;
                  el.setPointerCapture(e.pointerId);
                  const move = (ev: PointerEvent): void => onPrefs(resizeColumn(prefs, c.key, startW + ev.clientX - startX));
                  const up = (): void => {
                    resizing.current = false;
                    el.removeEventListener('pointermove', move);
                    el.removeEventListener('pointerup', up);
                  };
                  el.addEventListener('pointermove', move);
                  el.addEventListener('pointerup', up);
                }}
              />
            )}
          </div>
        );
      })}
    </div>
  );
}
