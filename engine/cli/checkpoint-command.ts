import { existingDataDir } from '../host/data-dir.ts';
import { lockDataDir } from '../host/data-dir-lock.ts';
import { CHECKPOINT_EVERY, checkpointRound } from '../host/checkpoint-maker.ts';
import { openWritableLog, type WritableLog } from '../store/log.ts';
import { intOption, parse, requireOption } from './args.ts';

/**
 * `ordo checkpoint --data-dir DIR [--every N]`: brings the newest session's
 * projection checkpoints up to date (decision 085), as a running host does on
 * its own; for a log whose host is stopped (after an upgrade, a restore, or
 * `ordo repair --drop-checkpoints`), so the next start replays only the tail.
 * It takes the data dir's lock (decision 296): it opens the log as a writer
 * (its migrations included) and writes and prunes the same checkpoints a
 * running host's own rounds do, so under a running host it is refused.
 */
export async function checkpointCommand(argv: string[]): Promise<number> {
  const { values } = parse('checkpoint', argv, { 'data-dir': { type: 'string' }, every: { type: 'string' } });
  const dir = existingDataDir(requireOption('checkpoint', 'data-dir', values['data-dir']));
  const every = intOption('checkpoint', 'every', values.every, 1000) ?? CHECKPOINT_EVERY;
  const dirLock = lockDataDir(dir.dir, 'checkpoint');
  let log: WritableLog;
  try {
    log = openWritableLog(dir.db, { backgroundCheckpoint: false });
  } catch (err) {
    dirLock.release();
    throw err;
  }
  try {
    const r = checkpointRound(log.db, { every });
    if (!r) console.log('ok: the log is empty; nothing to checkpoint');
    else {
      const seqs = log.checkpoints.seqs(r.session);
      console.log(
        `session ${r.session}: wrote ${r.written.length} checkpoint(s)${r.written.length ? ` (seq ${r.written.join(', ')})` : ''}, pruned ${r.pruned}; ` +
          `checkpoints at seq ${seqs.length ? seqs.join(', ') : '(none: the session has fewer than ' + every + ' events)'}`,
      );
    }
    return 0;
  } finally {
    log.close();
    dirLock.release();
  }
}
