import type { Result, SessionRoll } from '../../contract/api.ts';
import type { CommandBody } from '../protocol/events.ts';
import type { Sequencer } from '../sequencer/sequencer.ts';

/**
 * How long a roll waits for the venue to confirm the end of the closing
 * session's day orders before it closes by force (SESSION_CLOSE_FORCED). Kept
 * well below the client proxy's request timeout (5 s): the orders held during
 * the roll must still be answered in time.
 */
export const ROLL_FORCE_AFTER_MS = 2000;

/** The roll's force timeout: ORDO_ROLL_FORCE_MS when set to a positive number (operators, tests), else ROLL_FORCE_AFTER_MS. */
export function rollForceAfterMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env['ORDO_ROLL_FORCE_MS']);
  return Number.isFinite(v) && v > 0 ? v : ROLL_FORCE_AFTER_MS;
}


export interface RollDeps {
  readonly sequencer: Sequencer;
  /** Sequences a host command; resolves once it is stored (or refused). */
  readonly hostCommand: (body: CommandBody) => Promise<Result<null>>;
  /** Makes sure every role has an active instance. */
  readonly ensureActive: () => Promise<void>;
  /** Resolves once the client proxy has applied the log up to the sequencer's head. */
  readonly proxyCaughtUp: () => Promise<void>;
}

/**
 * Zero-downtime session roll (decision 074): RollSession closes the open
 * session (day orders expired at the venue and confirmed, as in a close) and
 * the sequencer opens the next one in the same transaction as SessionClosed,
 * sequencing into it what it held meanwhile. Answers once the next session
 * is open; refused with SESSION_NOT_OPEN when no session is open.
 */
export async function rollSession(d: RollDeps, forceAfterMs = rollForceAfterMs()): Promise<Result<SessionRoll>> {
  const started = performance.now();
  const closedSessionId = d.sequencer.position.session;
  const heldBefore = d.sequencer.stats.held;
  const r = await d.hostCommand({ type: 'RollSession' });
  if (!r.ok) return r;
  const rolled = () => d.sequencer.position.session > closedSessionId;
  const end = Date.now() + forceAfterMs;
  while (!rolled() && Date.now() < end) await new Promise((res) => setTimeout(res, 1));
  let forced = false;
  if (!rolled()) {
    forced = true;
    const f = await d.hostCommand({ type: 'CloseSession', force: true });
    if (!f.ok && !rolled()) return f;
  }
  await d.ensureActive();
  await d.proxyCaughtUp();
  const sessionId = d.sequencer.position.session;
  return { ok: true, value: { closedSessionId, sessionId, rollMs: performance.now() - started, forced, held: d.sequencer.stats.held - heldBefore } };
}

/**
 * A host that starts on a log whose session is closing with a roll (the
 * process died mid-roll, decision 077) finishes that roll before it serves
 * the API: the gateway asks the venue again for what the close waits on, and
 * after `forceAfterMs` without it the close is forced, so the next session
 * opens and what clients resend is taken there. Nothing the roll held was
 * acknowledged (held requests are answered only once sequenced), so nothing
 * acknowledged is lost; clients retry the rest under the same clientOrderId,
 * which idempotent entry answers with the original orderId (decision 076).
 * Returns whether there was a roll to finish.
 */
export async function finishInterruptedRoll(d: RollDeps, forceAfterMs = ROLL_FORCE_AFTER_MS): Promise<boolean> {
  if (!d.sequencer.roll.rolling) return false;
  const closing = d.sequencer.position.session;
  const rolled = () => d.sequencer.position.session > closing;
  const end = Date.now() + forceAfterMs;
  while (!rolled() && Date.now() < end) await new Promise((res) => setTimeout(res, 5));
  if (!rolled()) await d.hostCommand({ type: 'CloseSession', force: true });
  await d.ensureActive();
  await d.proxyCaughtUp();
  return true;
}
