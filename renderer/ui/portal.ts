import type { ReactNode } from 'react';
import { createPortal } from 'react-dom';

/**
 * Renders an overlay (menu, drawer) on document.body: inside a panel, whose
 * `contain: strict` makes it the containing block and a stacking context,
 * a fixed overlay would be clipped to the panel and drawn under the toasts.
 * Without a document (server rendering in tests) it renders in place.
 */
export function inBody(node: ReactNode): ReactNode {
  return typeof document === 'undefined' ? node : createPortal(node, document.body);
}
