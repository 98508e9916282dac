import { useEffect, useRef, useState } from 'react';
import type { CSSProperties, ReactNode } from 'react';
import { loadPref, savePref } from '../lib/settings.ts';
import { ComponentsPanel } from './ComponentsPanel.tsx';
import { useOrdoState } from './context.tsx';
import { EventLog } from './EventLog.tsx';
import { FillsBlotter } from './FillsBlotter.tsx';
import { InstrumentsPanel } from './InstrumentsPanel.tsx';
import { OrderTicket } from './OrderTicket.tsx';
import { OrdersBlotter } from './OrdersBlotter.tsx';
import { Panel } from './Panel.tsx';
import { Splitter } from './Splitter.tsx';
import { WORKSPACE_TABS } from './workspace-tabs.ts';
import { RiskDrawer } from './risk/RiskDrawer.tsx';

/** Track sizes as fractions of their container, so the layout follows the window. */
interface Layout {
  ticket: number;
  top: number;
  instruments: number;
  fills: number;
}

const DEFAULT_LAYOUT: Layout = { ticket: 0.19, top: 0.6, instruments: 0.3, fills: 0.3 };
const STORAGE_KEY = 'ordo.layout.v4';

function loadLayout(): Layout {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (!raw) return DEFAULT_LAYOUT;
    const l = JSON.parse(raw) as Partial<Layout>;
    return { ...DEFAULT_LAYOUT, ...l };
  } catch {
    return DEFAULT_LAYOUT;
  }
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * The trading screen: ticket and orders on top; instruments, fills and the
 * components / event log tabs below. Every boundary is a splitter.
 */
export function Workspace() {
  const [layout, setLayout] = useState<Layout>(loadLayout);
  const ref = useRef<HTMLDivElement>(null);
  const start = useRef<{ layout: Layout; w: number; h: number }>({ layout, w: 1, h: 1 });

  useEffect(() => {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(layout));
    } catch {
      // Storage may be off; the layout just does not persist.
    }
  }, [layout]);

  const begin = (): void => {
    const r = ref.current?.getBoundingClientRect();
    start.current = { layout, w: r?.width || 1, h: r?.height || 1 };
  };
  const drag = (key: keyof Layout, axis: 'w' | 'h', lo: number, hi: number) => (delta: number) => {
    const s = start.current;
    setLayout({ ...s.layout, [key]: clamp(s.layout[key] + delta / s[axis], lo, hi) });
  };

  const style = {
    '--ticket-w': `${(layout.ticket * 100).toFixed(2)}%`,
    '--top-h': `${(layout.top * 100).toFixed(2)}%`,
    '--instr-w': `${(layout.instruments * 100).toFixed(2)}%`,
    '--fills-w': `${(layout.fills * 100).toFixed(2)}%`,
  } as CSSProperties;

  return (
    <div className="workspace" ref={ref} style={style}>
      <div className="row-top">
        <Panel title="Order ticket" testid="ticket-panel" className="ticket-panel">
          <OrderTicket />
        </Panel>
        <Splitter direction="col" testid="split-ticket" onDragStart={begin} onDrag={drag('ticket', 'w', 0.14, 0.4)} />
        <OrdersBlotter />
      </div>
      <Splitter direction="row" testid="split-top" onDragStart={begin} onDrag={drag('top', 'h', 0.2, 0.8)} />
      <div className="row-bottom">
        <InstrumentsPanel />
        <Splitter direction="col" testid="split-instruments" onDragStart={begin} onDrag={drag('instruments', 'w', 0.15, 0.6)} />
        <FillsBlotter />
        <Splitter direction="col" testid="split-fills" onDragStart={begin} onDrag={drag('fills', 'w', 0.12, 0.5)} />
        <OpsTabs />
      </div>
    </div>
  );
}

const TAB_KEY = 'ordo.ops.tab.v1';

function OpsTabs() {
  const [tab, setTabState] = useState<string>(() => loadPref<{ tab?: string }>(TAB_KEY, {}).tab ?? 'components');
  const setTab = (t: string): void => {
    setTabState(t);
    savePref(TAB_KEY, { tab: t });
  };
  const unhealthy = useOrdoState((s) => s.components.list.reduce((n, c) => n + (c.stale || c.state === 'stopped' ? 1 : 0), 0));
  const count = useOrdoState((s) => s.components.list.length);
  const tabs: { id: string; title: ReactNode; render: () => ReactNode }[] = [
    {
      id: 'components',
      title: (
        <>
          Components <span className="num dim">{count}</span>
          {unhealthy > 0 ? <span className="tab-alert" data-testid="components-unhealthy">{unhealthy} down</span> : null}
        </>
      ),
      render: () => <ComponentsPanel />,
    },
    { id: 'events', title: 'Event log', render: () => <EventLog /> },
    ...WORKSPACE_TABS.map((t) => ({ id: t.id, title: t.title, render: () => <t.Panel /> })),
  ];
  const current = tabs.find((t) => t.id === tab) ?? (tabs[0] as (typeof tabs)[number]);
  return (
    <Panel
      testid="ops-panel"
      title={
        <span className="tabs" role="tablist">
          {tabs.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              aria-selected={current.id === t.id}
              className={`tab ${current.id === t.id ? 'on' : ''}`}
              data-testid={`tab-${t.id}`}
              onClick={() => setTab(t.id)}
            >
              {t.title}
            </button>
          ))}
        </span>
      }
      tools={<RiskDrawer />}
    >
      {current.render()}
    </Panel>
  );
}
