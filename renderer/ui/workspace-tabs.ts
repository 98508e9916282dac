import type { ComponentType } from 'react';
import { FixPanel } from './fix/FixPanel.tsx';

/**
 * Panels that join the workspace as tabs beside Components and Event log
 * (bottom right). The slot for panels other features bring, such as
 * Positions and P&L: add one line here, e.g.
 * `{ id: 'positions', title: 'Positions', Panel: PositionsPanel }`.
 * The active tab persists across reloads like the rest of the layout.
 */
export interface WorkspaceTab {
  id: string;
  title: string;
  Panel: ComponentType;
}

export const WORKSPACE_TABS: readonly WorkspaceTab[] = [{ id: 'fix', title: 'FIX', Panel: FixPanel }];
