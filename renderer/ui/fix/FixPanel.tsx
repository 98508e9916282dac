import type { FixSessionView, FixView } from '../../../contract/fix.ts';
import { useApi } from '../context.tsx';
import { usePoll } from './usePoll.ts';
import { gridStyle, SortHeader } from '../SortHeader.tsx';
import type { Column } from '../SortHeader.tsx';

const COLUMNS: readonly Column[] = [
  { key: 'client', title: 'Client', width: 'minmax(70px, 0.8fr)' },
  { key: 'status', title: 'Session', width: '136px' },
  { key: 'in', title: 'In seq', width: '64px', align: 'right' },
  { key: 'out', title: 'Out seq', width: '64px', align: 'right' },
  { key: 'owed', title: 'Owed', width: '72px', align: 'right' },
  { key: 'reason', title: 'Last reason', width: 'minmax(160px, 3fr)' },
];
const GRID = gridStyle(COLUMNS);

/** The heading line: where the acceptor listens, or how to turn it on. */
export function fixHeading(view: FixView | undefined, error: string | undefined): string {
  if (!view) return error ?? 'Loading FIX sessions…';
  if (!view.enabled) return 'FIX acceptor off: start the host with --fix-port N';
  if (view.port === null) return 'FIX 4.4 acceptor: not listening (passive or standby)';
  const up = view.sessions.filter((s) => s.connected).length;
  return `FIX 4.4 acceptor on ${view.host ?? '127.0.0.1'}:${view.port} · ${up} of ${view.sessions.length} connected`;
}

/** Owed reports: held in memory, or re-read from the log beyond the bound. */
export function owedLabel(s: FixSessionView): string {
  return s.rebuildFrom !== null ? `from log @${s.rebuildFrom}` : String(s.owed);
}

/** The sessions table, from a getFixSessions answer (presentational: rendered in tests without a host). */
export function FixSessionsTable({ view, error }: { view: FixView | undefined; error: string | undefined }) {
  const rows = view?.sessions ?? [];
  return (
    <div className="fix-sessions" data-testid="fix-panel">
      <div className="dim" data-testid="fix-heading" style={{ padding: '4px 8px' }}>
        {fixHeading(view, error)}
      </div>
      {view?.enabled ? (
        <div className="table" style={GRID}>
          <div className="plain-list" data-testid="fix-sessions">
            <SortHeader columns={COLUMNS} testidPrefix="fix-sort" />
            {rows.map((s, n) => (
              <div key={s.clientId} className={`tr ${n % 2 === 1 ? 'odd' : ''}`} data-testid={`fix-session-${s.clientId}`}>
                <span className="td">{s.clientId}</span>
                <span className={`td ${s.connected ? 'good' : 'dim'}`} data-testid="fix-connected">
                  {s.connected ? '● connected' : '○ not connected'}
                </span>
                <span className="td num" data-testid="fix-in-seq">{s.connected ? s.inSeq : '—'}</span>
                <span className="td num" data-testid="fix-out-seq">{s.connected ? s.outSeq : '—'}</span>
                <span className={`td num ${s.owed > 0 || s.rebuildFrom !== null ? 'bad' : ''}`} data-testid="fix-owed">{owedLabel(s)}</span>
                <span className="td dim" title={s.lastReason ?? undefined} data-testid="fix-reason">{s.lastReason ?? ''}</span>
              </div>
            ))}
          </div>
        </div>
      ) : null}
    </div>
  );
}

/** The FIX panel: the acceptor and each client's FIX session (connected, sequence numbers, owed reports), refreshed every second. */
export function FixPanel() {
  const api = useApi();
  const { value, error } = usePoll(() => api.getFixSessions(), 1000);
  return <FixSessionsTable view={value} error={error} />;
}
