import { useOrdoState } from './context.tsx';

/**
 * While the link to the host is down, every figure on screen is frozen:
 * say so across the screen, not only in the session bar.
 */
export function ConnectionBanner() {
  const c = useOrdoState((s) => s.connection);
  const hadState = useOrdoState((s) => s.resets > 0);
  if (c.status === 'open' || (c.status === 'connecting' && !hadState)) return null;
  return (
    <div className="conn-banner" data-testid="connection-banner" data-state={c.status}>
      <strong>{c.status === 'connecting' ? 'CONNECTING' : 'DISCONNECTED FROM THE HOST'}</strong>
      <span>
        {hadState ? 'Orders, fills and components below are frozen at the last update; ' : ''}
        reconnecting{c.attempt > 1 ? ` (attempt ${c.attempt})` : ''}… Actions fail until the link is back.
      </span>
      {c.detail ? <span className="dim">{c.detail}</span> : null}
    </div>
  );
}
