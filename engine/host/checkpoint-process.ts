/**
 * One checkpoint round in a process of its own (decisions 085, 170): forked
 * by ProjectionCheckpointer with the log's path and `every` as arguments, it
 * opens its own connection to the log database, runs `checkpointRound`, sends
 * the outcome over the IPC channel and ends. The projection it rebuilds, the
 * encoded checkpoint and every malloc arena they touched leave the system
 * with the process: as a thread of the host they stayed in the host's RSS
 * (glibc keeps a thread's arena after the thread ends).
 *
 * A stop kills it (SIGTERM, no handler: the round is synchronous and could not
 * run one): SQLite rolls back a checkpoint transaction cut short, the
 * process's connection and locks go with it, so the writer's close is still
 * the last one (no WAL left), and a checkpoint whose parts were not all
 * written is incomplete, skipped on read and rewritten by the next round.
 *
 * The process runs at background CPU priority (decision 172).
 */
import { checkpointRound, openForCheckpoints } from './checkpoint-maker.ts';
import { lowerThreadPriority } from './thread-priority.ts';

// A round on a long session folds all of it (seconds of a core); on a 2-core machine it competed with the
// event loop that answers orders (issue 11: acks of a host just started on a 1 M-event session). It runs at
// background priority: all the CPU the live path leaves, little of what it needs. Lowered before any other
// thread starts, so the threads this process starts later take the same value.
lowerThreadPriority();

const [path, every] = process.argv.slice(2);
let outcome: { ok: boolean; round?: unknown; error?: string };
try {
  const db = openForCheckpoints(path!);
  try {
    outcome = { ok: true, round: checkpointRound(db, { every: Number(every) }) };
  } finally {
    db.close();
  }
} catch (err) {
  outcome = { ok: false, error: (err as Error).message };
}
// Disconnecting once the outcome is sent lets the process end (an open IPC channel keeps it alive).
if (process.send) process.send(outcome, () => process.disconnect());
