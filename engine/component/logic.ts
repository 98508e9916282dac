import type { CommandBody, Sequenced } from '../protocol/events.ts';
import type { CommandReply } from '../bus/command-client.ts';

/** What the runtime reads of the log's state at a checkpoint: its command numbering and whether it is active. */
export interface ResumedLog {
  /** Highest cseq of `instance` in the session (0 if none). */
  lastCseq(instance: string): number;
  /** The instance the log names active for `role`. */
  activeInstance(role: string): string | undefined;
}

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
   * Codec format of the in-session checkpoints `restoreCheckpoint` reads
   * (decision 140); absent: the component always rewinds from seq 1.
   */
  readonly checkpointFormat?: number;
  /**
   * A component joining with a stream of its own (its own process, a
   * restart, a standby): adopts the state of the checkpoint of `session` at
   * `seq` (`bytes`: the parts fetched from the replay service, each the
   * component's own, read where they lie) instead of folding the
   * events before it. Returns what the runtime folds itself from the log at
   * that seq, or undefined when this instance cannot start from a checkpoint
   * (it shares its state, or folds state no checkpoint holds). Throws for
   * bytes it cannot trust, having changed nothing: the runtime then rewinds
   * from seq 1.
   */
  restoreCheckpoint?(session: number, seq: number, bytes: Uint8Array | readonly Uint8Array[]): ResumedLog | undefined;
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
