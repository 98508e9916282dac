import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { computeWindow } from '../lib/windowing.ts';

export const ROW_HEIGHT = 22;

/**
 * Rows one render may add to the most this list has had mounted (decision 189).
 * A grid that fills from empty under a stream (the first orders of a session,
 * a filter that starts matching) would otherwise create every row in view,
 * their cells and buttons, in one frame: the longest task of a stream's start.
 * The rest follow on the next frames; rows already created are only patched.
 */
export const GROW_PER_FRAME = 10;

interface Props {
  rowCount: number;
  rowHeight?: number;
  /** Extra rows above and below the viewport. */
  overscan?: number;
  /** Sticky header row(s), `headerHeight` tall. */
  header?: ReactNode;
  headerHeight?: number;
  renderRow?: (index: number) => ReactNode;
  /** Instead of \`renderRow\`: draws rows \`start\`…\`start + count\` itself (a pooled grid, decision 203), each ROW_HEIGHT tall, row k at k × ROW_HEIGHT. */
  renderWindow?: (start: number, count: number) => ReactNode;
  empty?: ReactNode;
  testid?: string;
  className?: string;
  /** Viewport height assumed before the first layout (and in server rendering). */
  initialViewportHeight?: number;
  /** Keeps this row in view when it changes (keyboard navigation). */
  scrollToIndex?: number;
  /** Makes the list focusable and takes its keys (a blotter's keyboard actions). */
  onKeyDown?: (e: KeyboardEvent<HTMLDivElement>) => void;
  /** Told the rows rendered (start inclusive, end exclusive) whenever they change: a remote grid loads them. */
  onRange?: (start: number, end: number) => void;
}

/**
 * A windowed list with fixed row height: only the rows in view (plus
 * overscan) exist in the DOM, inside a spacer as tall as all the rows, so
 * the scrollbar is true and 100,000 rows cost what 50 do.
 */
export function VirtualList({
  rowCount,
  rowHeight = ROW_HEIGHT,
  overscan = 3,
  header,
  headerHeight = header ? ROW_HEIGHT : 0,
  renderRow,
  renderWindow,
  empty,
  testid,
  className,
  initialViewportHeight = 600,
  scrollToIndex,
  onKeyDown,
  onRange,
}: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(initialViewportHeight);
  // The most rows this list has had mounted, and a re-render for the next frame's share (GROW_PER_FRAME).
  const mounted = useRef<number | undefined>(undefined);
  const [, grow] = useState(0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = (): void => setViewport(el.clientHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || scrollToIndex === undefined || scrollToIndex < 0) return;
    const top = scrollToIndex * rowHeight;
    const view = el.clientHeight - headerHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + view) el.scrollTop = top + rowHeight - view;
  }, [scrollToIndex, rowHeight, headerHeight]);

  const w = computeWindow({
    rowCount,
    rowHeight,
    viewportHeight: Math.max(0, viewport - headerHeight),
    scrollTop,
    overscan,
  });
  useEffect(() => {
    onRange?.(w.start, w.end);
  }, [onRange, w.start, w.end]);
  // The first render (a page opening on a full session) shows every row at once; later growth is paced.
  const want = w.end - w.start;
  const high = mounted.current;
  const count = high === undefined || want <= high ? want : Math.min(want, high + GROW_PER_FRAME);
  useEffect(() => {
    mounted.current = Math.max(mounted.current ?? 0, count);
    if (count >= want) return;
    const frame = requestAnimationFrame(() => grow((n) => n + 1));
    return () => cancelAnimationFrame(frame);
  }, [count, want]);
  const rows: ReactNode[] = [];
  if (!renderWindow && renderRow) for (let i = w.start; i < w.start + count; i++) rows.push(renderRow(i));

  return (
    <div
      ref={ref}
      className={`vlist ${className ?? ''}`}
      data-testid={testid}
      data-row-count={rowCount}
      tabIndex={onKeyDown ? 0 : undefined}
      onKeyDown={onKeyDown}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      {header}
      <div className="vlist-spacer" style={{ height: w.totalHeight }}>
        <div className={renderWindow ? 'vlist-window pool' : 'vlist-window'} style={{ transform: `translateY(${w.offsetY}px)` }}>
          {renderWindow ? renderWindow(w.start, count) : rows}
        </div>
      </div>
      {rowCount === 0 && empty ? <div className="vlist-empty">{empty}</div> : null}
    </div>
  );
}
