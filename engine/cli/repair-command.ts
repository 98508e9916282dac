import { resolve } from 'node:path';
import { existingDataDir } from '../host/data-dir.ts';
import { lockDataDir } from '../host/data-dir-lock.ts';
import { rebuildSnapshot, snapshotProblems } from '../host/log-checks.ts';
import { isBehind, readHead } from '../store/head.ts';
import { openWritableLog } from '../store/log.ts';
import { parse, requireOption } from './args.ts';
import { UsageError } from './errors.ts';
import { salvageLog } from './salvage.ts';
import { CheckpointWriter } from '../store/checkpoints.ts';

/**
 * `ordo repair --truncate-after-corruption`: cuts the log back to the last
 * good frame before the first corrupted one, saying exactly what it removed.
 */
export async function repairCommand(argv: string[]): Promise<number> {
  const { values } = parse('repair', argv, {
    'data-dir': { type: 'string' },
    'truncate-after-corruption': { type: 'boolean' },
    'accept-lost-events': { type: 'boolean' },
    'rebuild-snapshots': { type: 'boolean' },
    'salvage-into': { type: 'string' },
    'drop-checkpoints': { type: 'boolean' },
  });
  const dir = existingDataDir(requireOption('repair', 'data-dir', values['data-dir']));
  if (values['salvage-into'] !== undefined) {
    const to = resolve(values['salvage-into']);
    const r = salvageLog(dir.db, to);
    const end = r.end ? `it ends at session ${r.end.session} seq ${r.end.seq}` : 'it is empty';
    console.log(
      `salvaged ${r.frames} of ${r.total ?? '(uncountable)'} frames into ${to}; ${end}${r.stoppedAt ? ` (stopped at ${r.stoppedAt})` : ''}` +
        `${r.deferred > 0 ? `; ${r.deferred} cancel(s) stored for the next open` : ''}. ` +
        `Check it with 'ordo verify', then stop the host and put it in place as ${dir.db} (docs/reliability.md)`,
    );
    return 0;
  }
  if (values['drop-checkpoints']) {
    // Derivable data (decision 085): the host writes them again from the log.
    const log = openWritableLog(dir.db, { backgroundCheckpoint: false });
    try {
      const n = new CheckpointWriter(log.db).clear();
      console.log(`removed ${n} projection checkpoint(s); the running host (or 'ordo checkpoint') writes them again from the log`);
    } finally {
      log.close();
    }
    if (!values['truncate-after-corruption'] && !values['accept-lost-events'] && !values['rebuild-snapshots']) return 0;
  }
  if (!values['truncate-after-corruption'] && !values['accept-lost-events'] && !values['rebuild-snapshots']) {
    throw new UsageError(
      'repair: say --truncate-after-corruption (cut the log back to the last good frame), --rebuild-snapshots (rebuild damaged snapshots from their sessions), --accept-lost-events (accept that the log ends before what was acknowledged) or --salvage-into FILE (copy what is readable of a page-damaged file) or --drop-checkpoints (remove the projection checkpoints; they are rebuilt from the log)',
    );
  }
  // Cutting or rewriting the log under a running host's sequencer would tear it (decision 292).
  const dirLock = lockDataDir(dir.dir, 'repair');
  const log = openWritableLog(dir.db, { backgroundCheckpoint: false });
  try {
    if (values['rebuild-snapshots']) {
      const bad = snapshotProblems(log);
      for (const p of bad) {
        const r = rebuildSnapshot(log, p.session);
        log.transaction(() => log.putSnapshot(p.session, r.seq, 0, r.body));
        console.log(`rebuilt the snapshot of session ${p.session} from its ${r.events} events (${r.body.orders.length} orders carried; it was: ${p.detail})`);
      }
      if (bad.length === 0) console.log('ok: every closed session has a sound snapshot; nothing rebuilt');
      if (!values['truncate-after-corruption'] && !values['accept-lost-events']) return 0;
    }
    if (values['accept-lost-events']) {
      const head = readHead(dir.db);
      const end = log.acceptEnd();
      console.log(
        head && isBehind(end, head)
          ? `accepted: the log ends at session ${end.session} seq ${end.seq}; session ${head.session} seq ${end.session === head.session ? end.seq + 1 : 1}-${head.seq} are lost`
          : `ok: the log ends at session ${end.session} seq ${end.seq}, nothing acknowledged is missing`,
      );
      if (!values['truncate-after-corruption']) return 0;
    }
    const problems = log.verify();
    if (problems.length === 0) {
      console.log('ok: no corrupted frame; nothing removed');
      return 0;
    }
    const first = problems[0]!;
    const removed = log.transaction(() => log.truncateFrom(first.session, first.rowId));
    const end = log.latestSession();
    const now =
      end === undefined
        ? 'the log is now empty'
        : end.id === first.session
          ? `the log now ends at session ${end.id} seq ${end.lastSeq}, which is open again`
          : `session ${first.session} had nothing left and is gone; the log now ends at session ${end.id} seq ${end.lastSeq}, which is ${end.state}`;
    console.log(`removed ${removed} frame(s) from session ${first.session} seq ${first.firstSeq} on, and any later session (first problem: ${first.detail}); ${now}`);
    return 0;
  } finally {
    log.close();
    dirLock.release();
  }
}
