import type { PositionView } from '../../../contract/risk.ts';
import { formatPrice, formatQty } from '../../lib/format.ts';
import { useMemo } from 'react';
import { useApi, useOrdoState } from '../context.tsx';
import { gridStyle, SortHeader } from '../SortHeader.tsx';
import type { Column } from '../SortHeader.tsx';
import { formatMoney, positionTotals } from './totals.ts';
import { remark } from './remark.ts';
import { POSITION_EVENTS } from './risk-events.ts';
import { usePushedReload } from './usePushedReload.ts';

const COLUMNS: readonly Column[] = [
  { key: 'client', title: 'Client', width: 'minmax(64px, 0.8fr)' },
  { key: 'symbol', title: 'Symbol', width: 'minmax(110px, 1.6fr)' },
  { key: 'qty', title: 'Qty', width: '70px', align: 'right' },
  { key: 'avg', title: 'Avg cost', width: '76px', align: 'right' },
  { key: 'last', title: 'Last', width: '70px', align: 'right' },
  { key: 'upnl', title: 'Unrealised', width: '96px', align: 'right' },
  { key: 'rpnl', title: 'Realised today', width: '104px', align: 'right' },
  { key: 'notional', title: 'Net notional', width: '110px', align: 'right' },
];
const GRID = gridStyle(COLUMNS);

const sign = (n: number): string => (n > 0 ? 'good' : n < 0 ? 'bad' : 'dim');

/**
 * Positions and P&L per client × instrument (money with the contract
 * multiplier applied), with a totals row per client. Push-driven: the host's
 * positions are read again when the live stream brings a fill or a position
 * event, and re-marked at every last trade the stream pushes (no polling).
 * Realised P&L is today's (the session's); unrealised is against the cost.
 */
export function PositionsPanel() {
  const api = useApi();
  const { value, error } = usePushedReload(() => api.getPositions(), POSITION_EVENTS, { fills: true });
  // The live quotes (not the time machine's): positions are a live view.
  const instruments = useOrdoState((s) => s.instruments);
  const rows: PositionView[] = useMemo(() => remark(value ?? [], (symbol) => instruments.bySymbol.get(symbol)?.last ?? undefined), [value, instruments]);
  const totals = positionTotals(rows);
  return (
    <div className="positions" data-testid="positions-panel">
      <div className="table" style={GRID}>
        <div className="plain-list" data-testid="positions-list">
          <SortHeader columns={COLUMNS} testidPrefix="positions-sort" />
          {rows.length === 0 ? <div className="vlist-empty">{error ?? 'No positions yet'}</div> : null}
          {totals.map((t) => (
            <div key={t.clientId} data-testid={`positions-client-${t.clientId}`}>
              {rows
                .filter((r) => r.clientId === t.clientId)
                .map((r, n) => (
                  <div key={r.symbol} className={`tr ${n % 2 === 1 ? 'odd' : ''}`} data-testid={`position-${r.clientId}-${r.symbol}`}>
                    <span className="td dim">{r.clientId}</span>
                    <span className="td sym" title={r.multiplier !== 1 ? `multiplier ${r.multiplier}` : undefined}>
                      {r.symbol}
                    </span>
                    <span className={`td num ${r.quantity < 0 ? 'bad' : ''}`} data-testid="position-qty">{formatQty(r.quantity)}</span>
                    <span className="td num">{formatPrice(r.avgCost)}</span>
                    <span className="td num" data-testid="position-last">{formatPrice(r.lastPrice)}</span>
                    <span className={`td num ${sign(r.unrealizedPnl)}`} data-testid="position-upnl">{formatMoney(r.unrealizedPnl)}</span>
                    <span
                      className={`td num ${sign(r.realizedPnl)}`}
                      data-testid="position-rpnl"
                      title={r.realizedPnlToDate !== undefined ? `realised to date ${formatMoney(r.realizedPnlToDate)}` : undefined}
                    >
                      {formatMoney(r.realizedPnl)}
                    </span>
                    <span className="td num" data-testid="position-notional">{formatMoney(r.notional)}</span>
                  </div>
                ))}
              <div className="tr positions-total" data-testid={`positions-total-${t.clientId}`} style={{ fontWeight: 600 }}>
                <span className="td">{t.clientId}</span>
                <span className="td dim">total · gross {formatMoney(t.grossNotional)}</span>
                <span className="td" />
                <span className="td" />
                <span className="td" />
                <span className={`td num ${sign(t.unrealizedPnl)}`} data-testid="total-upnl">{formatMoney(t.unrealizedPnl)}</span>
                <span className={`td num ${sign(t.realizedPnl)}`} data-testid="total-rpnl">{formatMoney(t.realizedPnl)}</span>
                <span className="td num" data-testid="total-notional">{formatMoney(t.netNotional)}</span>
              </div>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
