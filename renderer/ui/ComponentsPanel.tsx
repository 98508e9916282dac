import { useState } from 'react';
import type { ComponentAction } from '../../contract/domain.ts';
import { formatAge, formatInt, stateLabel } from '../lib/format.ts';
import { clipClass } from '../lib/text-fit.ts';
import type { ComponentRow } from '../store/components-slice.ts';
import { useConfirm, type ConfirmRequest } from './Confirm.tsx';
import { useApi, useOrdoState } from './context.tsx';
import { useFlash, useNow } from './hooks.ts';
import { gridStyle, SortHeader } from './SortHeader.tsx';
import type { Column } from './SortHeader.tsx';

const COLUMNS: readonly Column[] = [
  // The role is the id's prefix (router-1) and its tooltip: no column of its own at 1366 px.
  // Sized to fit the panel at 1366 px (about 530 px): the sticky actions covered the heartbeat age there.
  // "Instance" (the log's word: ComponentActivated{role, instance}): "Component" was cut to "COMPONEN" at 1280 px,
  // where the column is at its least, and a wider column would make the actions sticky at 1366 px (round 18).
  { key: 'id', title: 'Instance', width: 'minmax(72px, 1fr)' },
  { key: 'state', title: 'State', width: '74px' },
  { key: 'active', title: 'Act', width: '28px' },
  { key: 'seq', title: 'Seq', width: '58px', align: 'right' },
  { key: 'lag', title: 'Lag', width: '30px', align: 'right' },
  { key: 'hb', title: 'HB age', width: '52px', align: 'right' },
  { key: 'actions', title: '', width: '196px' },
];
const GRID = gridStyle(COLUMNS);
/** Each column's content width (its width, or its least for the growing one, less the padding): a cell clips only past it (decision 203). */
const FIT = Object.fromEntries(COLUMNS.map((c) => [c.key, Number(/(\d+)px/.exec(c.width)?.[1] ?? 0) - 10])) as Record<string, number>;

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
  const connected = useOrdoState((s) => s.connection.status === 'open');
  const readOnly = useOrdoState((s) => s.timeMachine.mode === 'asof');
  const locked = !connected || readOnly;
  const lockedWhy = !connected ? 'Disconnected from the host' : readOnly ? 'Time machine on: the past is read-only' : undefined;

  const [standbyRole, setStandbyRole] = useState('');
  const roles = [...new Set(components.list.map((c) => c.role))].sort();

  const restart = async (c: ComponentRow): Promise<void> => {
    setStatus(`restart ${c.id}: rewinding…`);
    const r = await api.restartComponent(c.id);
    const msg = r.ok ? `restart ${c.id}: rejoined` : `restart ${c.id} failed: ${r.error.message}`;
    setStatus(msg);
    onStatus?.(msg);
  };

  const addStandby = async (): Promise<void> => {
    const role = standbyRole || roles[0];
    if (!role) return;
    setStatus(`standby ${role}: starting…`);
    const r = await api.addStandby(role);
    const msg = r.ok ? `standby ${r.value.componentId} started` : `standby ${role} failed: ${r.error.message}`;
    setStatus(msg);
    onStatus?.(msg);
  };

  const act = async (c: ComponentRow, action: ComponentAction): Promise<void> => {
    const ask = componentActionConfirm(c, components.list, action);
    if (ask !== undefined && !(await confirm(ask))) return;
    const r = await api.componentAction(c.id, action);
    const msg = r.ok ? `${action} ${c.id}: sent` : `${action} ${c.id} failed: ${r.error.message}`;
    setStatus(msg);
    onStatus?.(msg);
  };

  const health = componentHealth(components.list);

  return (
    <div className="components" data-testid="components-panel">
      {readOnly ? (
        // Components' health is not in the log (heartbeats are not events): this panel always shows now (decision 288).
        <div className="dim" data-testid="components-live-note" style={{ padding: '4px 8px' }}>
          Live now: the time machine shows the past's orders and fills, not the components' past health
        </div>
      ) : null}
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
                <span className={clipClass('td sym', `${c.stale ? '▲ ' : ''}${c.id}`, FIT.id!)} title={`${c.id} · role ${c.role}`}>
                  {c.stale ? <span className="stale-mark" title="Stale: no heartbeat">▲ </span> : null}
                  {c.id}
                </span>
                <span className="td">
                  <span className={`badge life-${c.state}`} data-testid={`component-state-${c.id}`} data-state={c.state}>
                    {stateLabel(c.state)}
                  </span>
                </span>
                <span className="td center" data-testid={`component-active-${c.id}`} data-active={c.active}>
                  {c.active ? <span className="active-dot" title="Active for its role">●</span> : <span className="dim">·</span>}
                </span>
                <span className={clipClass('td num', formatInt(c.lastSeq), FIT.seq!)}>{formatInt(c.lastSeq)}</span>
                <span className={clipClass(`td num ${c.lag > 0 ? 'warn' : 'dim'}`, formatInt(c.lag), FIT.lag!)}>{formatInt(c.lag)}</span>
                <span className={clipClass(`td num ${c.stale ? 'bad' : age > LATE_MS ? 'warn' : 'dim'}`, formatAge(age), FIT.hb!)}>{formatAge(age)}</span>
                <span className="td actions">
                  {c.state === 'stopped' || c.stale ? (
                    <button
                      type="button"
                      className="btn btn-xs btn-primary"
                      data-testid={`component-restart-${c.id}`}
                      disabled={locked}
                      title={lockedWhy ?? 'Start it again: it rewinds the session and rejoins (in-process components)'}
                      onClick={() => void restart(c)}
                    >
                      Restart
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-xs"
                      data-testid={`component-activate-${c.id}`}
                      disabled={locked || c.active}
                      title={lockedWhy}
                      onClick={() => void act(c, 'activate')}
                    >
                      Activate
                    </button>
                  )}
                  <button
                    type="button"
                    className="btn btn-xs"
                    data-testid={`component-deactivate-${c.id}`}
                    disabled={locked || !c.active}
                    title={lockedWhy}
                    onClick={() => void act(c, 'deactivate')}
                  >
                    Deactivate
                  </button>
                  <button
                    type="button"
                    className="btn btn-xs btn-danger-outline"
                    data-testid={`component-shutdown-${c.id}`}
                    disabled={locked || c.state === 'stopped'}
                    title={lockedWhy}
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
      <div className="components-foot">
        <div className={`panel-status ${health.bad ? 'error' : ''}`} data-testid="component-action-status" data-healthy={health.healthy} data-total={components.list.length}>
          {status ?? health.text}
        </div>
        <span className="standby-add">
          <select className="input input-sm" data-testid="standby-role" value={standbyRole || roles[0] || ''} disabled={locked || roles.length === 0} onChange={(e) => setStandbyRole(e.currentTarget.value)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <button type="button" className="btn btn-xs" data-testid="standby-add" disabled={locked || roles.length === 0} title={lockedWhy ?? 'Start a standby instance of this role in the host'} onClick={() => void addStandby()}>
            + Standby
          </button>
        </span>
      </div>
    </div>
  );
}

/**
 * The footer's count, honest: healthy means running (active or standby) and
 * beating; stopped and stale are counted apart, and a role with nobody active
 * is named, since its work waits.
 */
export function componentHealth(list: readonly ComponentRow[]): { healthy: number; bad: boolean; text: string } {
  let healthy = 0;
  let stopped = 0;
  let stale = 0;
  const roles = new Set<string>();
  const activeRoles = new Set<string>();
  for (const c of list) {
    roles.add(c.role);
    if (c.state === 'stopped') stopped++;
    else if (c.stale) stale++;
    else if (c.state === 'active' || c.state === 'standby') healthy++;
    if (c.active && c.state === 'active' && !c.stale) activeRoles.add(c.role);
  }
  const missing = [...roles].filter((r) => !activeRoles.has(r)).sort();
  if (list.length === 0) return { healthy: 0, bad: false, text: 'No components reporting' };
  const parts = [`${healthy} of ${list.length} healthy`];
  if (stopped > 0) parts.push(`${stopped} stopped`);
  if (stale > 0) parts.push(`${stale} stale`);
  if (missing.length > 0) parts.push(`no active ${missing.join(', ')}`);
  return { healthy, bad: healthy < list.length || missing.length > 0, text: parts.join(' · ') };
}

/**
 * The confirmation an action on a component needs, or undefined. Shutting down always asks. Deactivating asks when
 * the instance is the active one of its role and no other instance runs (round 19, outside): one click on
 * "Deactivate" of the only risk left every new order pending with no question asked, while "Shut down", which does
 * the same to the role, asked first.
 */
export function componentActionConfirm(c: ComponentRow, list: readonly ComponentRow[], action: ComponentAction): ConfirmRequest | undefined {
  const other = list.some((o) => o.role === c.role && o.id !== c.id && o.state !== 'stopped');
  if (action === 'shutdown') {
    return {
      title: `Shut down ${c.id}?`,
      body: `${c.id} (${c.role}${c.active ? ', active for its role' : ''}) stops. ${
        other ? 'Another instance of the role can be activated to take over.' : `No other ${c.role} instance is running: work for ${c.role} waits until one is restarted or added.`
      }`,
      okLabel: 'Shut down',
      danger: true,
    };
  }
  if (action === 'deactivate' && c.active && !other) {
    return {
      title: `Deactivate ${c.id}?`,
      body: `${c.id} is the only ${c.role} instance running: work for ${c.role} waits (new orders stay pending) until it or another instance is activated.`,
      okLabel: 'Deactivate',
      danger: true,
    };
  }
  return undefined;
}
