import { inBody } from './portal.ts';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';

export interface MenuItem {
  label: string;
  testid: string;
  onSelect(): void;
  disabled?: boolean;
  danger?: boolean;
  /** A line above this item. */
  separator?: boolean;
}

/**
 * A right-click menu at (x, y), kept inside the window; closes on a click
 * elsewhere, Esc, scroll or a chosen item. Arrow keys move, Enter chooses.
 */
export function ContextMenu({ x, y, items, onClose }: { x: number; y: number; items: readonly MenuItem[]; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ x, y });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const r = el.getBoundingClientRect();
    setPos({ x: Math.max(0, Math.min(x, window.innerWidth - r.width - 4)), y: Math.max(0, Math.min(y, window.innerHeight - r.height - 4)) });
    el.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [x, y]);
  useEffect(() => {
    const close = (e: Event): void => {
      if (e.target instanceof Node && ref.current?.contains(e.target)) return;
      onClose();
    };
    window.addEventListener('mousedown', close, true);
    window.addEventListener('blur', onClose);
    return () => {
      window.removeEventListener('mousedown', close, true);
      window.removeEventListener('blur', onClose);
    };
  }, [onClose]);
  // On the body, not in the panel: a panel's `contain: strict` would clip it and put it under the toasts.
  return inBody(
    <div
      ref={ref}
      className="ctx-menu"
      role="menu"
      data-testid="context-menu"
      style={{ left: pos.x, top: pos.y }}
      onKeyDown={(e) => {
        const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])];
        const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          e.stopPropagation();
          const next = buttons[(at + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length];
          next?.focus();
        }
      }}
    >
      {items.map((it) => (
        <button
          key={it.testid}
          type="button"
          role="menuitem"
          className={`ctx-item ${it.danger ? 'danger' : ''} ${it.separator ? 'sep' : ''}`}
          data-testid={it.testid}
          disabled={it.disabled}
          onClick={() => {
            onClose();
            it.onSelect();
          }}
        >
          {it.label}
        </button>
      ))}
    </div>,
  );
}
