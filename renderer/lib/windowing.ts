/**
 * Windowing math for virtualised lists with a fixed row height: which rows
 * to render for a scroll position. Pure, so it is tested without a DOM.
 */
export interface WindowInput {
  rowCount: number;
  rowHeight: number;
  viewportHeight: number;
  scrollTop: number;
  /** Extra rows rendered above and below the visible ones, so fast scrolling shows no gaps. */
  overscan: number;
}

export interface WindowRange {
  /** First rendered row (inclusive). */
  start: number;
  /** Last rendered row (exclusive). */
  end: number;
  /** Pixel offset of row `start` from the top of the scrolled content. */
  offsetY: number;
  /** Height of the whole scrolled content. */
  totalHeight: number;
}

export function computeWindow(input: WindowInput): WindowRange {
  const rowCount = Math.max(0, Math.floor(input.rowCount));
  const rowHeight = Math.max(1, input.rowHeight);
  const totalHeight = rowCount * rowHeight;
  if (rowCount === 0) return { start: 0, end: 0, offsetY: 0, totalHeight: 0 };
  const viewport = Math.max(0, input.viewportHeight);
  // The list may have shrunk under a stale scroll position: clamp it.
  const maxScroll = Math.max(0, totalHeight - viewport);
  const scrollTop = Math.min(Math.max(0, input.scrollTop), maxScroll);
  const overscan = Math.max(0, Math.floor(input.overscan));
  const firstVisible = Math.floor(scrollTop / rowHeight);
  const lastVisible = Math.ceil((scrollTop + viewport) / rowHeight); // exclusive
  const start = Math.max(0, firstVisible - overscan);
  const end = Math.min(rowCount, Math.max(lastVisible, firstVisible + 1) + overscan);
  return { start, end, offsetY: start * rowHeight, totalHeight };
}

/** The scrollTop that brings row `index` into view, or `undefined` when it already is. */
export function scrollToRow(index: number, rowHeight: number, viewportHeight: number, scrollTop: number): number | undefined {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return undefined;
}
