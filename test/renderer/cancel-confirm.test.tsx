import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConfirmDialog } from '../../renderer/ui/Confirm.tsx';
import { cancelOrdersConfirm } from '../../renderer/ui/OrdersBlotter.tsx';

/**
 * The cancel confirmation (round 16, outside): its buttons read "Cancel order" and "Cancel", and "Cancel" kept the
 * order. Now the button that keeps the order says so.
 */
function buttons(html: string): { testId: string; label: string }[] {
  return [...html.matchAll(/<button[^>]*data-testid="(confirm-[a-z]+)"[^>]*>([^<]*)<\/button>/g)].map((m) => ({ testId: m[1]!, label: m[2]! }));
}

describe('the cancel confirmation', () => {
  it('one order: "Keep order" keeps it, "Cancel order" cancels it', () => {
    const html = renderToString(<ConfirmDialog req={cancelOrdersConfirm([7])} onAnswer={() => undefined} />);
    expect(buttons(html)).toEqual([
      { testId: 'confirm-cancel', label: 'Keep order' },
      { testId: 'confirm-ok', label: 'Cancel order' },
    ]);
    expect(html).toContain('Cancel order #7?');
  });

  it('several orders: "Keep orders" / "Cancel 3 orders"', () => {
    const html = renderToString(<ConfirmDialog req={cancelOrdersConfirm([1, 2, 3])} onAnswer={() => undefined} />);
    expect(buttons(html)).toEqual([
      { testId: 'confirm-cancel', label: 'Keep orders' },
      { testId: 'confirm-ok', label: 'Cancel 3 orders' },
    ]);
  });

  it('a dialog that does not cancel orders keeps its plain "Cancel"', () => {
    const html = renderToString(<ConfirmDialog req={{ title: 'Close session?', body: 'x', okLabel: 'Close session' }} onAnswer={() => undefined} />);
    expect(buttons(html).map((b) => b.label)).toEqual(['Cancel', 'Close session']);
  });
});
