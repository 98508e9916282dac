import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { existingDataDir } from '../host/data-dir.ts';
import { openReadableLog } from '../store/log.ts';
import { writeOut } from './log-commands.ts';
import { parse, requireOption } from './args.ts';

/**
 * `ordo backup --data-dir D --to FILE`: a consistent copy of the log while
 * the host keeps running, through SQLite's online backup (page by page, in
 * steps, restarting if the writer changes a page already copied, so the copy
 * is one point in time). The copy is then verified frame by frame. Restore:
 * docs/reliability.md.
 */
export async function backupCommand(argv: string[]): Promise<number> {
  const { values } = parse('backup', argv, { 'data-dir': { type: 'string' }, to: { type: 'string' } });
  const dir = existingDataDir(requireOption('backup', 'data-dir', values['data-dir']));
  const to = resolve(requireOption('backup', 'to', values.to));
  if (existsSync(to)) throw new UserError(`backup: ${to} already exists; give a new file name`);
  const log = openReadableLog(dir.db);
  try {
    await log.db.backup(to);
  } catch (err) {
    rmSync(to, { force: true });
    throw new UserError(`backup to ${to} failed: ${(err as Error).message}`);
  } finally {
    log.close();
  }
  const copy = openReadableLog(to);
  try {
    const problems = copy.verify();
    if (problems.length > 0) {
      const p = problems[0]!;
      throw new UserError(`backup ${to} does not verify: session ${p.session}, seq ${p.firstSeq}-${p.lastSeq}: ${p.detail} (the source log is damaged: run 'ordo verify --data-dir ${dir.dir}')`);
    }
    const end = copy.end();
    await writeOut(end ? `ok: backed up session ${end.session} up to seq ${end.seq} to ${to}\n` : `ok: backed up an empty log to ${to}\n`);
    return 0;
  } finally {
    copy.close();
  }
}
