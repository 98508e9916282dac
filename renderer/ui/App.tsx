import { ConnectionBanner } from './ConnectionBanner.tsx';
import { useOrdoState } from './context.tsx';
import { HelpOverlay } from './HelpOverlay.tsx';
import { Toasts } from './Toasts.tsx';
import { SessionBar } from './SessionBar.tsx';
import { TimeMachineBanner } from './TimeMachine.tsx';
import { Workspace } from './Workspace.tsx';

export function App() {
  const ready = useOrdoState((s) => s.resets > 0);
  const asOf = useOrdoState((s) => s.timeMachine.mode === 'asof');
  return (
    <div className={`app ${asOf ? 'asof' : ''}`} data-testid="app" data-ready={ready}>
      <SessionBar />
      <div className="banners">
        <ConnectionBanner />
        <TimeMachineBanner />
      </div>
      <Workspace />
      <Toasts />
      <HelpOverlay />
    </div>
  );
}
