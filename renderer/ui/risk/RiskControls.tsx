import { useState } from 'react';
import type { ClientLimits, ClientRiskView } from '../../../contract/risk.ts';
import { parseLimit } from '../../lib/validation.ts';
import { useConfirm } from '../Confirm.tsx';
import { useApi } from '../context.tsx';
import { useFlash } from '../hooks.ts';
import { formatMoney } from './totals.ts';
import { CONTROL_EVENTS } from './risk-events.ts';
import { usePushedReload } from './usePushedReload.ts';

const NUMERIC_LIMITS = ['maxOrderQuantity', 'maxOrderNotional', 'maxOpenNotional', 'maxGrossPosition', 'maxNetPosition', 'duplicateWindowMs'] as const;
type NumericLimit = (typeof NUMERIC_LIMITS)[number];
const LABEL: Record<NumericLimit, string> = {
  maxOrderQuantity: 'Max order qty',
  maxOrderNotional: 'Max order notional',
  maxOpenNotional: 'Credit (open + executed)',
  maxGrossPosition: 'Gross position / instrument',
  maxNetPosition: 'Net position / instrument',
  duplicateWindowMs: 'Duplicate window (ms)',
};

const limitText = (l: ClientLimits, k: NumericLimit): string => (l[k] === undefined ? '—' : k === 'duplicateWindowMs' || k === 'maxOrderQuantity' ? String(l[k]) : formatMoney(l[k]!));

/**
 * The kill switch (per client and firm-wide), limits and the restricted list:
 * every action is a sequenced event by "ui". Usage (open, executed) next to
 * the credit limit.
 */
export function RiskControls() {
  const api = useApi();
  const confirm = useConfirm();
  const [tick, setTick] = useState(0);
  const { value: risk, error } = usePushedReload(() => api.getRisk(), CONTROL_EVENTS, { tick });
  const [status, setStatus] = useFlash(8000);
  const [editing, setEditing] = useState<{ clientId: string; field: NumericLimit; value: string } | undefined>(undefined);
  const [symbol, setSymbol] = useState('');

  const done = (what: string, r: { ok: true } | { ok: false; error: { message: string } }): void => {
    setStatus(r.ok ? `${what}: done` : `${what} failed: ${r.error.message}`);
    setTick((t) => t + 1);
  };

  const halt = async (clientId: string | undefined): Promise<void> => {
    const who = clientId ?? 'every client';
    const ok = await confirm({
      title: `Halt ${who}?`,
      body: `Every live order of ${who} is cancelled at the venue and new orders are refused until resumed.`,
      okLabel: 'Halt',
      danger: true,
    });
    if (!ok) return;
    done(`halt ${who}`, clientId ? await api.haltClient(clientId, { by: 'ui' }) : await api.haltFirm({ by: 'ui' }));
  };
  const resume = async (clientId: string | undefined): Promise<void> => {
    done(`resume ${clientId ?? 'firm'}`, clientId ? await api.resumeClient(clientId, { by: 'ui' }) : await api.resumeFirm({ by: 'ui' }));
  };
  const apply = async (): Promise<void> => {
    if (!editing) return;
    const v = parseLimit(editing.value);
    if (Number.isNaN(v)) {
      setStatus(`${LABEL[editing.field]}: enter a number >= 0 (1,000,000 or 1m)`);
      return;
    }
    done(`${editing.clientId} ${LABEL[editing.field]}`, await api.setLimits(editing.clientId, { [editing.field]: v, by: 'ui' }));
    setEditing(undefined);
  };
  const restrict = async (s: string, restricted: boolean): Promise<void> => {
    if (s.trim() === '') return;
    done(`${restricted ? 'restrict' : 'unrestrict'} ${s}`, await api.setRestricted(s.trim(), { restricted, by: 'ui' }));
    if (restricted) setSymbol('');
  };

  const firm = risk?.firmHalt ?? null;
  return (
    <div className="risk-controls" data-testid="risk-controls" style={{ padding: 8, display: 'flex', flexDirection: 'column', gap: 8 }}>
      <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
        <strong>Firm</strong>
        {firm ? (
          <span className="bad" data-testid="firm-halted">HALTED by {firm.by}{firm.text ? `: ${firm.text}` : ''}</span>
        ) : (
          <span className="dim" data-testid="firm-trading">trading</span>
        )}
        {firm ? (
          <button type="button" className="btn btn-xs" data-testid="firm-resume" onClick={() => void resume(undefined)}>Resume all</button>
        ) : (
          <button type="button" className="btn btn-xs btn-danger" data-testid="firm-halt" onClick={() => void halt(undefined)}>Halt all</button>
        )}
      </div>
      <table style={{ borderCollapse: 'collapse', width: '100%' }} data-testid="risk-clients">
        <thead>
          <tr className="dim" style={{ textAlign: 'left' }}>
            <th>Client</th><th>Open</th><th>Executed</th><th>Limits</th><th />
          </tr>
        </thead>
        <tbody>
          {(risk?.clients ?? []).map((c: ClientRiskView) => (
            <tr key={c.clientId} data-testid={`risk-client-${c.clientId}`} data-halted={c.halt !== null}>
              <td>
                {c.clientId} {c.halt ? <span className="bad" data-testid={`client-halted-${c.clientId}`}>HALTED</span> : null}
              </td>
              <td className="num">{formatMoney(c.openNotional)}</td>
              <td className="num">{formatMoney(c.executedNotional)}</td>
              <td>
                {NUMERIC_LIMITS.map((k) => (
                  <button
                    key={k}
                    type="button"
                    className="btn btn-xs"
                    title={`${LABEL[k]} — click to change`}
                    data-testid={`limit-${c.clientId}-${k}`}
                    onClick={() => setEditing({ clientId: c.clientId, field: k, value: c.limits[k] === undefined ? '' : String(c.limits[k]) })}
                  >
                    {LABEL[k]}: {limitText(c.limits, k)}
                  </button>
                ))}
                {c.limits.requireLocate === false ? <span className="dim"> · no locate check</span> : null}
              </td>
              <td>
                {c.halt ? (
                  <button type="button" className="btn btn-xs" data-testid={`resume-${c.clientId}`} onClick={() => void resume(c.clientId)}>Resume</button>
                ) : (
                  <button type="button" className="btn btn-xs btn-danger-outline" data-testid={`halt-${c.clientId}`} onClick={() => void halt(c.clientId)}>Halt</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing ? (
        <div style={{ display: 'flex', gap: 6, alignItems: 'center' }} data-testid="limit-editor">
          <span>{editing.clientId} · {LABEL[editing.field]}</span>
          <input
            data-testid="limit-value"
            value={editing.value}
            inputMode="decimal"
            onChange={(e) => setEditing({ ...editing, value: e.target.value })}
            onKeyDown={(e) => (e.key === 'Enter' ? void apply() : undefined)}
          />
          <button type="button" className="btn btn-xs btn-primary" data-testid="limit-apply" onClick={() => void apply()}>Apply</button>
          <button type="button" className="btn btn-xs" onClick={() => setEditing(undefined)}>Cancel</button>
        </div>
      ) : null}
      <div style={{ display: 'flex', gap: 6, alignItems: 'center', flexWrap: 'wrap' }} data-testid="restricted-list">
        <strong>Restricted</strong>
        {(risk?.restricted ?? []).map((r) => (
          <span key={r.symbol} className="badge" data-testid={`restricted-${r.symbol}`} title={`by ${r.by}${r.text ? `: ${r.text}` : ''}`}>
            {r.symbol}{' '}
            <button type="button" className="btn btn-xs" onClick={() => void restrict(r.symbol, false)}>×</button>
          </span>
        ))}
        <input data-testid="restrict-symbol" placeholder="symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)} />
        <button type="button" className="btn btn-xs" data-testid="restrict-add" onClick={() => void restrict(symbol, true)}>Restrict</button>
      </div>
      <div className={`panel-status ${error ? 'error' : ''}`} data-testid="risk-status">{status ?? error ?? ''}</div>
    </div>
  );
}
