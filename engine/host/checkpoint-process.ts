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
 */
import { checkpointRound, openForCheckpoints } from './checkpoint-maker.ts';

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
