import { useRef } from 'react';

/**
 * A draggable bar between two grid tracks. It reports the pointer's travel
 * since the drag began; the layout turns that into track sizes.
 */
export function Splitter({
  direction,
  onDragStart,
  onDrag,
  testid,
}: {
  /** `col`: a vertical bar resizing columns; `row`: a horizontal bar resizing rows. */
  direction: 'col' | 'row';
  onDragStart(): void;
  onDrag(deltaPx: number): void;
  testid?: string;
}) {
  const origin = useRef<number | null>(null);
  return (
    <div
      className={`splitter splitter-${direction}`}
      data-testid={testid}
      role="separator"
      aria-orientation={direction === 'col' ? 'vertical' : 'horizontal'}
      onPointerDown={(e) => {
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        origin.current = direction === 'col' ? e.clientX : e.clientY;
        onDragStart();
      }}
      onPointerMove={(e) => {
        if (origin.current === null) return;
        onDrag((direction === 'col' ? e.clientX : e.clientY) - origin.current);
      }}
      onPointerUp={() => {
        origin.current = null;
      }}
      onPointerCancel={() => {
        origin.current = null;
      }}
    />
  );
}
