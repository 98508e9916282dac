import type { ComponentAction } from '../../contract/domain.ts';
import { formatAge, formatInt, stateLabel } from '../lib/format.ts';
import type { ComponentRow } from '../store/components-slice.ts';
import { useConfirm } from './Confirm.tsx';
import { useApi, useOrdoState } from './context.tsx';
import { useFlash, useNow } from './hooks.ts';
import { gridStyle, SortHeader } from './SortHeader.tsx';
import type { Column } from './SortHeader.tsx';

const COLUMNS: readonly Column[] = [
  { key: 'id', title: 'Component', width: 'minmax(84px, 1.3fr)' },
  { key: 'role', title: 'Role', width: 'minmax(48px, 1fr)' },
  { key: 'state', title: 'State', width: '80px' },
  { key: 'active', title: 'Act', width: '28px' },
  { key: 'seq', title: 'Last seq', width: '64px', align: 'right' },
  { key: 'lag', title: 'Lag', width: '34px', align: 'right' },
  { key: 'hb', title: 'HB age', width: '50px', align: 'right' },
  { key: 'actions', title: '', width: '196px' },
];
const GRID = gridStyle(COLUMNS);

/** A heartbeat older than this shows amber even before the monitor calls the component stale. */
const LATE_MS = 2000;

/**
 * Every component of the system with its lifecycle, whether the log names
 * it active for its role, how far behind it is and when it last beat.
 */
export function ComponentsPanel({ onStatus }: { onStatus?: (msg: string | undefined) => void }) {
  const api = useApi();
  const confirm = useConfirm();
  const components = useOrdoState((s) => s.components);
  const now = useNow(1000);
  const [status, setStatus] = useFlash(8000);

  const act = async (c: ComponentRow, action: ComponentAction): Promise<void> => {
    if (action === 'shutdown') {
      const ok = await confirm({
        title: `Shut down ${c.id}?`,
        body: `${c.id} (${c.role}${c.active ? ', active for its role' : ''}) stops. A standby can be activated to take over.`,
        okLabel: 'Shut down',
        danger: true,
      });
      if (!ok) return;
    }
    const r = await api.componentAction(c.id, action);
    const msg = r.ok ? `${action} ${c.id}: sent` : `${action} ${c.id} failed: ${r.error.message}`;
    setStatus(msg);
    onStatus?.(msg);
  };

  const staleCount = components.list.filter((c) => c.stale).length;

  return (
    <div className="components" data-testid="components-panel">
      <div className="table" style={GRID}>
        <div className="plain-list" data-testid="components-list">
          <SortHeader columns={COLUMNS} testidPrefix="components-sort" />
          {components.list.length === 0 ? <div className="vlist-empty">No components reporting</div> : null}
          {components.list.map((c, n) => {
            const age = c.heartbeatAgeMs + Math.max(0, now - c.receivedAt);
            return (
              <div
                key={c.id}
                className={`tr ${n % 2 === 1 ? 'odd' : ''} ${c.stale ? 'stale' : ''}`}
                data-testid={`component-row-${c.id}`}
                data-state={c.state}
                data-active={c.active}
                data-stale={c.stale}
              >
                <span className="td sym" title={c.id}>
                  {c.stale ? <span className="stale-mark" title="Stale: no heartbeat">▲ </span> : null}
                  {c.id}
                </span>
                <span className="td dim">{c.role}</span>
                <span className="td">
                  <span className={`badge life-${c.state}`} data-testid={`component-state-${c.id}`} data-state={c.state}>
                    {stateLabel(c.state)}
                  </span>
                </span>
                <span className="td center" data-testid={`component-active-${c.id}`} data-active={c.active}>
                  {c.active ? <span className="active-dot" title="Active for its role">●</span> : <span className="dim">·</span>}
                </span>
                <span className="td num">{formatInt(c.lastSeq)}</span>
                <span className={`td num ${c.lag > 0 ? 'warn' : 'dim'}`}>{formatInt(c.lag)}</span>
                <span className={`td num ${c.stale ? 'bad' : age > LATE_MS ? 'warn' : 'dim'}`}>{formatAge(age)}</span>
                <span className="td actions">
                  <button
                    type="button"
                    className="btn btn-xs"
                    data-testid={`component-activate-${c.id}`}
                    disabled={c.active || c.state === 'stopped'}
                    onClick={() => void act(c, 'activate')}
                  >
                    Activate
                  </button>
                  <button
                    type="button"
                    className="btn btn-xs"
                    data-testid={`component-deactivate-${c.id}`}
                    disabled={!c.active}
                    onClick={() => void act(c, 'deactivate')}
                  >
                    Deactivate
                  </button>
                  <button
                    type="button"
                    className="btn btn-xs btn-danger-outline"
                    data-testid={`component-shutdown-${c.id}`}
                    disabled={c.state === 'stopped'}
                    onClick={() => void act(c, 'shutdown')}
                  >
                    Shut down
                  </button>
                </span>
              </div>
            );
          })}
        </div>
      </div>
      <div className={`panel-status ${staleCount > 0 ? 'error' : ''}`} data-testid="component-action-status">
        {status ?? (staleCount > 0 ? `${staleCount} stale component${staleCount > 1 ? 's' : ''}` : `${components.list.length} components, all beating`)}
      </div>
    </div>
  );
}
