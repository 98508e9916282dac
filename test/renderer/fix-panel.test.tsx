import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { FixView } from '../../contract/fix.ts';
import { fixHeading, FixSessionsTable, owedLabel } from '../../renderer/ui/fix/FixPanel.tsx';

const view: FixView = {
  enabled: true,
  port: 9878,
  host: '127.0.0.1',
  sessions: [
    { clientId: 'ALPHA', connected: true, inSeq: 12, outSeq: 31, owed: 0, rebuildFrom: null, lastReason: null },
    { clientId: 'BRAVO', connected: false, inSeq: 0, outSeq: 0, owed: 3, rebuildFrom: null, lastReason: 'wrong password for \'BRAVO\'' },
    { clientId: 'DELTA', connected: false, inSeq: 0, outSeq: 0, owed: 0, rebuildFrom: 4512, lastReason: null },
  ],
};

describe('FIX panel', () => {
  it('shows where the acceptor listens and each session: connected, sequence numbers, owed reports, last reason', () => {
    const html = renderToString(<FixSessionsTable view={view} error={undefined} />);
    expect(html).toContain('FIX 4.4 acceptor on 127.0.0.1:9878 · 1 of 3 connected');
    const alpha = html.slice(html.indexOf('fix-session-ALPHA'), html.indexOf('fix-session-BRAVO'));
    expect(alpha).toContain('connected');
    expect(alpha).toMatch(/fix-in-seq">12</);
    expect(alpha).toMatch(/fix-out-seq">31</);
    const bravo = html.slice(html.indexOf('fix-session-BRAVO'), html.indexOf('fix-session-DELTA'));
    expect(bravo).toContain('not connected');
    expect(bravo).toMatch(/fix-owed">3</);
    expect(bravo).toContain('wrong password for &#x27;BRAVO&#x27;');
    expect(owedLabel(view.sessions[2]!)).toBe('from log @4512');
  });

  it('says how to turn FIX on when the host has no acceptor, and shows errors', () => {
    const off: FixView = { enabled: false, port: null, host: null, sessions: [] };
    const html = renderToString(<FixSessionsTable view={off} error={undefined} />);
    expect(html).toContain('FIX acceptor off: start the host with --fix-port N');
    expect(html).not.toContain('data-testid="fix-sessions"');
    expect(fixHeading(undefined, 'host unreachable')).toBe('host unreachable');
    expect(fixHeading({ ...view, port: null }, undefined)).toMatch(/not listening/);
  });
});
