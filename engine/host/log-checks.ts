import { UserError } from '../errors.ts';
import { OmsProjection } from '../oms/projection.ts';
import { parseSnapshot, takeSnapshot, type Snapshot } from '../oms/snapshot.ts';
import { RiskState } from '../oms/exposure/risk-state.ts';
import { takeRiskSnapshot } from '../oms/exposure/snapshot.ts';
import type { ReadableLog } from '../store/log.ts';

/** How to fix a damaged snapshot (it is derived data: the session's log rebuilds it). */
export function rebuildHint(dataDir: string): string {
  return `run 'ordo repair --data-dir ${dataDir} --rebuild-snapshots' (it is rebuilt from the session's own events)`;
}

/** Every closed session's snapshot: stored whole (checksum, JSON) and in the OMS's shape. One entry per bad one. */
export function snapshotProblems(log: ReadableLog): { session: number; detail: string }[] {
  const problems = log.verifySnapshots();
  const bad = new Set(problems.map((p) => p.session));
  for (const s of log.sessions()) {
    if (s.state !== 'closed' || bad.has(s.id)) continue;
    try {
      parseSnapshot(log.snapshot(s.id)?.body, `snapshot of session ${s.id}`);
    } catch (err) {
      problems.push({ session: s.id, detail: (err as Error).message });
    }
  }
  return problems.sort((a, b) => a.session - b.session);
}

/** Refuses (UserError) when the snapshot the next session opens from is damaged. */
export function requireSnapshot(log: ReadableLog, session: number, dataDir: string): void {
  let detail: string | undefined;
  try {
    const stored = log.snapshot(session);
    if (!stored) detail = 'missing';
    else parseSnapshot(stored.body, `snapshot of session ${session}`);
  } catch (err) {
    detail = (err as Error).message;
  }
  if (detail !== undefined) throw new UserError(`snapshot of session ${session} is damaged (${detail}); refusing to start: ${rebuildHint(dataDir)}`);
}

/**
 * The snapshot a closed session should have, rebuilt from its events the
 * way the sequencer took it: the OMS projection after every event before
 * SessionClosed, with risk's part (positions, limits, halts: RiskState after
 * the same events) as OmsSequencerPolicy.snapshot() takes it. Checked against SessionClosed's own count of carried orders.
 */
export function rebuildSnapshot(log: ReadableLog, session: number): { seq: number; body: Snapshot; events: number } {
  const p = new OmsProjection();
  const risk = new RiskState();
  let closedSeq = 0;
  let carried = -1;
  let events = 0;
  log.replay(session, (e) => {
    events++;
    if (closedSeq !== 0) return;
    if (e.event.type === 'SessionClosed') {
      closedSeq = e.seq;
      carried = e.event.carriedOrders;
      return;
    }
    p.apply(e);
    risk.apply(e);
  });
  if (closedSeq === 0) throw new UserError(`session ${session} has no SessionClosed event; there is no snapshot to rebuild`);
  const body: Snapshot = { ...takeSnapshot(p), risk: takeRiskSnapshot(risk) };
  if (body.orders.length !== carried) {
    throw new UserError(`session ${session}: the rebuilt snapshot carries ${body.orders.length} orders but SessionClosed says ${carried}; not written`);
  }
  return { seq: closedSeq, body, events };
}
