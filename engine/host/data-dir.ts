import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

/** Files of one Ordo install, all inside its data dir (readable by the user only). */
export interface DataDir {
  readonly dir: string;
  readonly db: string;
  readonly token: string;
  readonly keys: string;
}

export function dataDirPaths(dir: string): DataDir {
  return { dir, db: join(dir, 'ordo.db'), token: join(dir, 'api-token'), keys: join(dir, 'keys') };
}

/** Creates the data dir (mode 0700) if needed and returns its paths. */
export function ensureDataDir(dir: string): DataDir {
  try {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    else if (!statSync(dir).isDirectory()) throw new UserError(`data dir ${dir} is not a directory`);
    chmodSync(dir, 0o700);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot use data dir ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return dataDirPaths(dir);
}

/** An existing data dir with a log in it (for read-only commands). */
export function existingDataDir(dir: string): DataDir {
  const paths = dataDirPaths(dir);
  if (!existsSync(dir)) throw new UserError(`data dir ${dir} does not exist`);
  if (!existsSync(paths.db)) throw new UserError(`no event log in ${dir} (expected ${paths.db})`);
  return paths;
}

/** The per-install API token: made once, kept in the data dir (mode 0600). */
export function loadOrCreateToken(paths: DataDir): string {
  if (existsSync(paths.token)) {
    const t = readFileSync(paths.token, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(t)) {
      chmodSync(paths.token, 0o600);
      return t;
    }
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(paths.token, token + '\n', { mode: 0o600 });
  chmodSync(paths.token, 0o600);
  return token;
}

/**
 * Creates `path` empty with mode 0600 if it does not exist, else sets 0600.
 * For the event log: SQLite gives its -wal and -shm files the database
 * file's mode, so the whole log stays readable by the user only.
 */
export function makePrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  } catch (err) {
    throw new UserError(`cannot use ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
