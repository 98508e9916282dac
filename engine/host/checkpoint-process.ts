/**
 * One checkpoint round in a process of its own (decisions 085, 170): forked
 * by ProjectionCheckpointer with the log's path and `every` as arguments, it
 * opens its own connection to the log database (it writes only the log's
 * checkpoint file, decision 252), runs `checkpointRound`, sends
 * the outcome over the IPC channel and ends. The projection it rebuilds, the
 * encoded checkpoint and every malloc arena they touched leave the system
 * with the process: as a thread of the host they stayed in the host's RSS
 * (glibc keeps a thread's arena after the thread ends).
 *
 * A stop kills it (SIGTERM, no handler: the round is synchronous and could not
 * run one; it is in a process group of its own, host-child.ts, so only its host sends it one): SQLite rolls back a checkpoint transaction cut short, the
 * process's connection and locks go with it, so the writer's close is still
 * the last one (no WAL left), and a checkpoint whose parts were not all
 * written is incomplete, skipped on read and rewritten by the next round.
 *
 * The fold runs at background CPU priority (decision 172); the writes, which
 * hold SQLite's write lock that the host's sequencer needs for every commit,
 * on a thread at the process's own priority (decision 239).
 */
import { checkpointRound, closeForCheckpoints, openForCheckpoints } from './checkpoint-maker.ts';
import { CheckpointStoreThread } from './checkpoint-store-thread.ts';
import { lowerThreadPriority } from './thread-priority.ts';

// A round on a long session folds all of it (seconds of a core); on a 2-core machine it competed with the
// event loop that answers orders (issue 11: acks of a host just started on a 1 M-event session). It runs at
// background priority: all the CPU the live path leaves, little of what it needs. Lowered before any other
// thread starts, so the threads this process starts later take the same value.
// Except the writing thread, started first so that it keeps the process's priority (no privilege is needed to
// keep it, one would be to raise it back): a write-lock holder preempted for tens of ms by the machine made the
// host's commits sleep in SQLite's busy handler (issue 11, decision 239).
const path = process.argv[2]!;
const every = process.argv[3];
const store = CheckpointStoreThread.start(path);
lowerThreadPriority();

let outcome: { ok: boolean; round?: unknown; error?: string };
try {
  const db = openForCheckpoints(path);
  try {
    outcome = { ok: true, round: checkpointRound(db, { every: Number(every), store }) };
  } finally {
    closeForCheckpoints(db);
  }
} catch (err) {
  outcome = { ok: false, error: (err as Error).message };
} finally {
  await store?.close();
}
// Disconnecting once the outcome is sent lets the process end (an open IPC channel keeps it alive).
if (process.send) process.send(outcome, () => process.disconnect());
