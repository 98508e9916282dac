import type { CommandBody, Sequenced } from '../protocol/events.ts';
import type { CommandReply } from '../bus/command-client.ts';

/** Where a component's commands go; returns the command's cseq. */
export interface CommandSink {
  send(body: CommandBody): number;
}

/**
 * A component's domain logic. `apply` is deterministic (no clock, no random,
 * no I/O); `react` and `onActivate` decide commands from the state `apply`
 * built, and the runtime calls them only while the component is active and
 * live, never while it rewinds or stands by.
 */
export interface ComponentLogic {
  readonly role: string;
  apply(session: number, e: Sequenced): void;
  /** After `apply` of a live event, when active. */
  react?(session: number, e: Sequenced, out: CommandSink): void;
  /** On becoming active, after catching up: act on whatever is owed. */
  onActivate?(out: CommandSink): void | Promise<void>;
  /** On leaving the active state: stop talking to external systems. */
  onDeactivate?(): void | Promise<void>;
  /**
   * The sequencer refused a command. Return 'retry' to keep resending it
   * (e.g. storage was unavailable), 'drop' to give it up.
   */
  onRefused?(cseq: number, body: CommandBody, reply: CommandReply): 'retry' | 'drop';
  /**
   * Its projection (and risk state) were set from an in-session checkpoint
   * instead of folded from seq 1 (decision 140): rebuild whatever else
   * `apply` would have derived from the events before it. Absent: nothing
   * else is derived.
   */
  resumed?(): void;
  /** A stable hash of the state `apply` built. */
  stateHash(): string;
  close?(): void | Promise<void>;
}
