import { useEffect, useState } from 'react';
import { DEFAULT_TICKET_SETTINGS, loadPref, savePref, TICKET_SETTINGS_KEY } from '../lib/settings.ts';
import { formatQty } from '../lib/format.ts';
import { parseQuantity } from '../lib/validation.ts';

/** Every keyboard shortcut of the screen, in one place (the overlay reads this list). */
export const SHORTCUTS: readonly (readonly [string, string])[] = [
  ['F1', 'Ticket: buy, cursor to quantity'],
  ['F2', 'Ticket: sell, cursor to quantity'],
  ['Enter', 'Ticket: send the order'],
  ['Esc', 'Ticket: clear (instrument included); dialogs: cancel'],
  ['↑ / ↓ in price', 'One tick up / down (Shift: ten ticks)'],
  ['↑ / ↓ in instrument', 'Move in the instrument list'],
  ['↑ / ↓ in orders', 'Move the selection (Shift extends it)'],
  ['Ctrl+A in orders', 'Select every visible order'],
  ['Delete in orders', 'Cancel the selected working orders (asks first)'],
  ['Enter in orders', 'Open the selected order\u2019s history'],
  ['?', 'This help'],
];

function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

/** The help overlay: '?' (outside a text field) opens it, Esc closes it. Also holds the fat-finger threshold. */
export function HelpOverlay() {
  const [open, setOpen] = useState(false);
  const [threshold, setThreshold] = useState(() => String(loadPref(TICKET_SETTINGS_KEY, DEFAULT_TICKET_SETTINGS).fatFingerNotional));
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === '?' && !isTyping(e.target)) {
        e.preventDefault();
        setOpen((o) => !o);
      } else if (e.key === 'Escape' && open) {
        setOpen(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (!open) {
    return (
      <button type="button" className="help-fab" data-testid="help-open" title="Keyboard shortcuts and settings (?)" onClick={() => setOpen(true)}>
        ?
      </button>
    );
  }
  const parsed = parseQuantity(threshold);
  const valid = Number.isFinite(parsed) && parsed >= 0;
  return (
    <div className="modal-backdrop" onMouseDown={() => setOpen(false)}>
      <div className="modal help" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" data-testid="help-overlay" onMouseDown={(e) => e.stopPropagation()}>
        <div className="modal-title">Keyboard shortcuts</div>
        <table className="help-keys">
          <tbody>
            {SHORTCUTS.map(([k, what]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <label className="field help-setting">
          <span className="label">Confirm orders above this notional (0 = never)</span>
          <input
            className={`input num ${valid ? '' : 'invalid'}`}
            data-testid="fat-finger-threshold"
            value={threshold}
            onChange={(e) => {
              const t = e.currentTarget.value;
              setThreshold(t);
              const v = parseQuantity(t);
              if (Number.isFinite(v) && v >= 0) savePref(TICKET_SETTINGS_KEY, { ...DEFAULT_TICKET_SETTINGS, fatFingerNotional: v });
            }}
          />
          <span className="hint dim">{valid ? `now ${formatQty(parsed)}` : 'a number such as 1m or 250k'}</span>
        </label>
        <div className="modal-actions">
          <button type="button" className="btn btn-primary" data-testid="help-close" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
