import { useState } from 'react';
import { formatInt, formatRate, formatTime, stateLabel } from '../lib/format.ts';
import { useConfirm } from './Confirm.tsx';
import { useApi, useOrdoState, useOrdoStore } from './context.tsx';
import { isTerminal } from '../lib/order-query.ts';
import { useFlash, useNow } from './hooks.ts';
import { RollButton } from './SessionRoll.tsx';
import { TimeMachineControl } from './TimeMachine.tsx';

const TZ = new Date().getTimezoneOffset();

export function SessionBar() {
  const api = useApi();
  const confirm = useConfirm();
  const session = useOrdoState((s) => s.session);
  const [error, setError] = useFlash();
  const [busy, setBusy] = useState(false);

  const locked = useOrdoState((s) => s.connection.status !== 'open' || s.timeMachine.mode === 'asof');
  const lockedWhy = useOrdoState((s) =>
    s.timeMachine.mode === 'asof' ? 'Time machine on: the past is read-only' : s.connection.status !== 'open' ? 'Disconnected from the host' : undefined,
  );
  const store = useOrdoStore();
  const canOpen = !locked && (session.state === 'none' || session.state === 'closed');
  const canClose = !locked && session.state === 'open';

  const act = async (kind: 'open' | 'close'): Promise<void> => {
    // Counted when asked (O(orders) once), not on every store change.
    let dayOpen = 0;
    let gtcOpen = 0;
    if (store.getState().orderSource.remote) {
      // The store holds only some of a large session's orders: the host counts (decision 150).
      const [all, gtc] = await Promise.all([api.getOrderWindow({ state: 'open', limit: 1 }), api.getOrderWindow({ state: 'open', timeInForce: 'gtc', limit: 1 })]);
      if (all.ok && gtc.ok) {
        gtcOpen = gtc.value.total;
        dayOpen = all.value.total - gtcOpen;
      }
    } else {
      for (const o of store.getState().orders.byId.values()) {
        if (isTerminal(o.state)) continue;
        if (o.timeInForce === 'gtc') gtcOpen++;
        else dayOpen++;
      }
    }
    const ok = await confirm(
      kind === 'open'
        ? {
            title: 'Open a new session?',
            body: `Session ${session.id + 1} starts at seq 1: static data, then the GTC orders carried in the last snapshot, with their original entry time. DAY and IOC orders of the last session expired at its close and do not come back.`,
            okLabel: 'Open session',
          }
        : {
            title: `Close session ${session.id}?`,
            body: `New orders stop and in-flight work settles. ${dayOpen} working DAY/IOC order${dayOpen === 1 ? '' : 's'} will EXPIRE; ${gtcOpen} GTC order${gtcOpen === 1 ? '' : 's'} carry over to the next session through the snapshot.`,
            okLabel: 'Close session',
            danger: true,
          },
    );
    if (!ok) return;
    setBusy(true);
    const r = kind === 'open' ? await api.openSession() : await api.closeSession();
    setBusy(false);
    setError(r.ok ? undefined : r.error.message);
  };

  return (
    <header className="session-bar" data-testid="session-bar">
      <div className="brand">ORDO</div>
      <div className="kv">
        <span className="k">SESSION</span>
        <span className="v num" data-testid="session-id">
          {session.id === 0 ? '—' : `#${session.id}`}
        </span>
        <span className={`badge session-${session.state}`} data-testid="session-state" data-state={session.state}>
          {stateLabel(session.state)}
        </span>
      </div>
      <div className="kv">
        <span className="k">SEQ</span>
        <span className="v num" data-testid="session-seq">
          {formatInt(session.seq)}
        </span>
      </div>
      <div className="kv">
        <span className="k">RATE</span>
        <span className="v num" data-testid="session-rate">
          {formatRate(session.eventRate)}
        </span>
      </div>
      <Connection />
      <div className="bar-actions">
        <button
          type="button"
          className="btn btn-sm"
          data-testid="session-open"
          disabled={!canOpen || busy}
          title={lockedWhy}
          onClick={() => void act('open')}
        >
          Open session
        </button>
        <button
          type="button"
          className="btn btn-sm btn-danger-outline"
          data-testid="session-close"
          disabled={!canClose || busy}
          title={lockedWhy}
          onClick={() => void act('close')}
        >
          Close session
        </button>
        <RollButton session={session} busy={busy} setBusy={setBusy} setError={setError} lockedWhy={lockedWhy} />
        {error ? (
          <span className="inline-error" data-testid="session-action-error">
            {error}
          </span>
        ) : null}
      </div>
      <TimeMachineControl />
      <Alerts />
    </header>
  );
}

function Connection() {
  const c = useOrdoState((s) => s.connection);
  const now = useNow(500);
  const label =
    c.status === 'open'
      ? c.transport === 'ipc'
        ? 'IPC'
        : 'CONNECTED'
      : c.status === 'connecting'
        ? 'CONNECTING'
        : c.retryAt !== undefined && c.retryAt > now
          ? `DISCONNECTED · retry ${Math.ceil((c.retryAt - now) / 1000)}s`
          : 'DISCONNECTED · retrying';
  return (
    <div className={`conn conn-${c.status}`} data-testid="connection-state" data-state={c.status} title={c.detail ?? ''}>
      <span className="dot" />
      {label}
    </div>
  );
}

function Alerts() {
  const alerts = useOrdoState((s) => s.alerts);
  const seen = useOrdoState((s) => s.alertsSeen);
  const markSeen = useOrdoState((s) => s.markAlertsSeen);
  const [open, setOpen] = useState(false);
  const unseen = Math.max(0, alerts.length - seen);
  const latest = alerts[alerts.length - 1];
  return (
    <div className="alerts">
      <button
        type="button"
        className={`alerts-toggle ${unseen > 0 ? 'has-new' : ''}`}
        data-testid="alerts-toggle"
        data-count={alerts.length}
        title={latest ? `${alerts.length} alert${alerts.length === 1 ? '' : 's'}; latest: ${latest.instance}: ${latest.message}` : 'No alerts'}
        onClick={() => {
          setOpen(!open);
          markSeen();
        }}
      >
        <span className="alerts-icon">⚠</span>
        <span className="num">{alerts.length}</span>
        {latest ? (
          <span className="alerts-latest" title={latest.message}>
            {latest.instance}: {latest.message}
          </span>
        ) : (
          <span className="alerts-latest dim">no alerts</span>
        )}
      </button>
      {open ? (
        <div className="alerts-list" data-testid="alerts-list">
          {alerts.length === 0 ? <div className="dim pad">No alerts this session.</div> : null}
          {[...alerts].reverse().map((a, i) => (
            <div key={`${a.seq}-${a.instance}-${a.kind}`} className="alert-row" data-testid={`alert-row-${i}`}>
              <span className="num dim">{formatTime(a.ts, TZ)}</span>
              <span className="num dim">#{a.seq}</span>
              <span className="alert-kind">{a.kind}</span>
              <span className="alert-inst">{a.instance}</span>
              <span className="alert-msg">{a.message}</span>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
