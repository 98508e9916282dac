import type { CommandBody, OrdoEvent, Sequenced } from '../protocol/events.ts';
import type { SequencerRefusalCode } from '../../contract/api-errors.ts';

/**
 * What the sequencer needs from the domain, kept behind an interface so the
 * sequencer stays domain-agnostic: a projection of its own events, who may
 * ask for what, and what a session's opening and closing consist of.
 */
export interface SequencerPolicy {
  /** Forget all state (before recovery from the log). */
  reset(): void;
  /** Applies an emitted event; deterministic. */
  apply(session: number, e: Sequenced): void;
  /**
   * Refuses a command from `src` (active for `role`, or a trusted source when
   * `role` is 'host') by returning `{code, message}`; undefined lets it through.
   */
  authorize(src: string, role: string, body: CommandBody): { code: SequencerRefusalCode; message: string } | undefined;
  /** First order id of a new session, from the previous session's snapshot. */
  orderIdBase(previousSnapshot: unknown): number;
  /**
   * Static data and restored orders for a new session (after SessionOpened),
   * then what the requests taken while no session was open do (`deferred`, in
   * the order taken; see deferWhileClosed).
   */
  openingEvents(previousSnapshot: unknown, deferred?: readonly CommandBody[]): OrdoEvent[];
  /**
   * While no session is open (after SessionClosed): whether a command may be
   * kept for the next open instead of refused (decision 130). Returns
   * `{key}` to keep it (two commands with one key are one request), a
   * refusal, or undefined to refuse it SESSION_NOT_OPEN. Absent: nothing is
   * kept.
   */
  deferWhileClosed?(src: string, role: string, body: CommandBody): { key: string } | { code: SequencerRefusalCode; message: string } | undefined;
  /** Events that settle a closing session at once, right after SessionClosing (e.g. day orders that never left). */
  closingEvents(): OrdoEvent[];
  /**
   * While the session is closing: refuses a command that may not be taken
   * any more (e.g. new orders); undefined lets it through. Absent: everything
   * is taken.
   */
  closingRefusal?(body: CommandBody): { code: SequencerRefusalCode; message: string } | undefined;
  /** True once nothing more must happen before SessionClosed (e.g. the venue confirmed every day order's expiry). Absent: at once. */
  readyToClose?(): boolean;
  /** Events that end a closing session now, whatever is still unconfirmed (CloseSession{force}). */
  forcedClosingEvents?(): OrdoEvent[];
  /** The snapshot written when the session closes (after closing events), and how many orders it carries. */
  snapshot(): { body: unknown; carriedOrders: number };
}

/** A policy for a log with no domain: tests of the backbone. */
export const emptyPolicy: SequencerPolicy = {
  reset() {},
  apply() {},
  authorize() {
    return undefined;
  },
  orderIdBase() {
    return 1;
  },
  openingEvents() {
    return [];
  },
  closingEvents() {
    return [];
  },
  snapshot() {
    return { body: {}, carriedOrders: 0 };
  },
};
