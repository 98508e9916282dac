import { useState } from 'react';
import { useApi } from '../context.tsx';
import { inBody } from '../portal.ts';
import { PositionsPanel } from './PositionsPanel.tsx';
import { RiskControls } from './RiskControls.tsx';
import { CONTROL_EVENTS } from './risk-events.ts';
import { usePushedReload } from './usePushedReload.ts';

/**
 * Risk on the trading screen: a button (red while trading is halted
 * firm-wide) that opens positions with P&L and the risk controls. The button
 * sits in the head of the lower-right panel, beside its tabs (decision 234): floating in the
 * screen's corner it covered the panel's last line at 1366×768 (the event
 * log's detail). The drawer opens over the screen, on the body.
 */
export function RiskDrawer() {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const { value } = usePushedReload(() => api.getRisk(), CONTROL_EVENTS);
  const halted = value?.firmHalt != null;
  const haltedClients = value?.clients.filter((c) => c.halt !== null).length ?? 0;
  return (
    <>
      <button
        type="button"
        className={`btn btn-xs risk-toggle ${halted ? 'btn-danger' : ''}`}
        data-testid="risk-toggle"
        data-halted={halted}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {halted ? 'HALTED · Risk' : haltedClients > 0 ? `Risk · ${haltedClients} halted` : 'Positions & risk'}
      </button>
      {open ? inBody(
        <section
          className="panel"
          data-testid="risk-drawer"
          style={{ position: 'fixed', right: 12, bottom: 12, width: 'min(960px, 94vw)', height: 'min(620px, 78vh)', zIndex: 40, display: 'flex', flexDirection: 'column', boxShadow: '0 8px 30px #000a' }}
        >
          <div className="panel-head">
            <h2 className="panel-title">Positions &amp; risk</h2>
            <div className="panel-tools">
              <button type="button" className="btn btn-xs" data-testid="risk-close" onClick={() => setOpen(false)}>Close</button>
            </div>
          </div>
          <div className="panel-body" style={{ display: 'flex', flexDirection: 'column', minHeight: 0, overflow: 'auto' }}>
            <div style={{ flex: '1 1 50%', minHeight: 160, display: 'flex' }}>
              <PositionsPanel />
            </div>
            <RiskControls />
          </div>
        </section>,
      ) : null}
    </>
  );
}
