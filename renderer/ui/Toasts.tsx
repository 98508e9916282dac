import { useEffect } from 'react';
import type { Toast } from '../store/notify.ts';
import { useOrdoState } from './context.tsx';

/** How long each kind stays up; alerts and rejects need an action, so they stay longer. */
const TTL_MS: Record<Toast['kind'], number> = { fill: 5000, reject: 12000, 'cancel-reject': 12000, alert: 20000 };

const BASE_TITLE = typeof document === 'undefined' ? 'Ordo' : document.title || 'Ordo';

/**
 * Toasts for what the trader must not miss while looking elsewhere (fills,
 * rejects, cancel rejects, alerts), and a count in the window title while
 * the window is in the background. Clicking a toast selects its order.
 */
export function Toasts() {
  const toasts = useOrdoState((s) => s.toasts);
  const unseen = useOrdoState((s) => s.unseen);
  const dismiss = useOrdoState((s) => s.dismissToast);
  const markSeen = useOrdoState((s) => s.markSeen);
  const select = useOrdoState((s) => s.selectOrder);

  useEffect(() => {
    document.title = unseen > 0 ? `(${unseen}) ${BASE_TITLE}` : BASE_TITLE;
  }, [unseen]);

  useEffect(() => {
    const seen = (): void => {
      if (document.visibilityState === 'visible' && document.hasFocus()) markSeen();
    };
    window.addEventListener('focus', seen);
    document.addEventListener('visibilitychange', seen);
    return () => {
      window.removeEventListener('focus', seen);
      document.removeEventListener('visibilitychange', seen);
    };
  }, [markSeen]);

  useEffect(() => {
    if (toasts.length === 0) return;
    const next = Math.min(...toasts.map((t) => t.at + TTL_MS[t.kind]));
    const timer = setTimeout(() => {
      const now = Date.now();
      for (const t of toasts) if (t.at + TTL_MS[t.kind] <= now) dismiss(t.id);
    }, Math.max(50, next - Date.now()));
    return () => clearTimeout(timer);
  }, [toasts, dismiss]);

  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast toast-${t.kind}`}
          data-testid={`toast-${t.kind}`}
          data-order-id={t.orderId}
          onClick={() => {
            if (t.orderId !== undefined) select(t.orderId);
            dismiss(t.id);
          }}
        >
          <div className="toast-title">{t.title}</div>
          <div className="toast-body" title={t.body}>
            {t.body}
          </div>
        </div>
      ))}
    </div>
  );
}
