import type { SessionView } from '../../contract/api.ts';
import { useConfirm } from './Confirm.tsx';
import { useApi } from './context.tsx';

interface Props {
  readonly session: SessionView;
  /** Shared with the open and close buttons: one session action at a time. */
  readonly busy: boolean;
  readonly setBusy: (busy: boolean) => void;
  readonly setError: (message: string | undefined) => void;
  /** Why session actions are off (the time machine's read-only past, or no connection), if they are. */
  readonly lockedWhy?: string;
}

/**
 * The session bar's roll button: after a confirm, closes the open session and
 * opens the next with no pause in order entry (decision 074).
 */
export function RollButton({ session, busy, setBusy, setError, lockedWhy }: Props) {
  const api = useApi();
  const confirm = useConfirm();
  const roll = async (): Promise<void> => {
    const ok = await confirm({
      title: `Roll session ${session.id} to ${session.id + 1}?`,
      body: 'Day orders expire at the venue, GTC orders carry over live, and the next session opens at once: orders, cancels and replaces keep being taken throughout.',
      okLabel: 'Roll session',
    });
    if (!ok) return;
    setBusy(true);
    const r = await api.rollSession();
    setBusy(false);
    setError(r.ok ? undefined : r.error.message);
  };
  return (
    <button type="button" className="btn btn-sm" data-testid="session-roll" disabled={lockedWhy !== undefined || session.state !== 'open' || busy} title={lockedWhy} onClick={() => void roll()}>
      Roll session
    </button>
  );
}
