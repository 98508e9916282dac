import Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { readApiPort } from './api-port-file.ts';

/** The file whose lock says a host (or a repair) is using a data dir's log. */
export function dataDirLockPath(dir: string): string {
  return join(dir, 'host.lock');
}

/** Held while one process writes a data dir's log; `release` is idempotent. */
export interface DataDirLock {
  release(): void;
}

/**
 * Takes the data dir's writer lock, or throws a one-line `UserError` naming
 * the host that holds it (decision 292). Two hosts on one log would both be
 * sequencers: each hands out the same order ids and seqs from its own memory,
 * and the log gets the other's frames. The lock is SQLite's exclusive lock on a
 * small file of its own, so the kernel releases it when the process ends, even
 * by kill -9: no stale lock file, no pid to compare.
 */
export function lockDataDir(dir: string, who: string): DataDirLock {
  const file = dataDirLockPath(dir);
  let db: Database.Database;
  try {
    // Made 0600 before SQLite opens it (SQLite would make it 0644): every file of a data dir is its owner's alone.
    closeSync(openSync(file, 'a', 0o600));
    db = new Database(file, { timeout: 0 });
  } catch (err) {
    throw new UserError(`cannot use data dir ${dir}: cannot open ${file} (${(err as Error).message})`);
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') {
      throw new UserError(`cannot use data dir ${dir}: cannot lock ${file} (${(err as Error).message})`);
    }
    const port = readApiPort(dir);
    const where = port !== undefined ? ` (the host at http://127.0.0.1:${port})` : '';
    const or =
      who === 'host' ? ', or give this host another --data-dir' : who === 'checkpoint' ? ' (a running host writes its own checkpoints; decision 296)' : '';
    throw new UserError(`${who}: data dir ${dir} is in use by another Ordo process${where}; one host a data dir: stop it first${or}`);
  }
  let held = true;
  return {
    release: () => {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}
