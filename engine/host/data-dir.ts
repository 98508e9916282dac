import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { headPath, isBehind, readHead, type LogHead } from '../store/head.ts';
import { openReadableLog } from '../store/log.ts';
import { dataDirAccessProblem, logAccessProblem, onReadOnlyFileSystem, owners } from '../store/open-errors.ts';
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
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES') throw new UserError(`cannot use data dir ${dir}: this user may not create or enter it (permission denied)`);
    if (code === 'EROFS' || onReadOnlyFileSystem(nearestExisting(dir))) throw new UserError(`cannot use data dir ${dir}: it is on a read-only file system; a host writes its log there (give it a writable --data-dir)`);
    if (code === 'EPERM') throw new UserError(`cannot use data dir ${dir}: this user cannot make it private (mode 0700) as it is not its owner (${owners(dir)}); run Ordo as its owner`);
    throw new UserError(`cannot use data dir ${dir}: ${code ?? (err as Error).message}`);
  }
  const paths = dataDirPaths(dir);
  // Before any file in it is read or made: a log this user cannot open is one line naming it, not a stack.
  const problem = logAccessProblem(paths.db, false);
  if (problem !== undefined) throw new UserError(problem);
  return paths;
}

/** `dir` or its nearest ancestor that exists (a recursive mkdir on a read-only mount fails ENOENT, not EROFS). */
function nearestExisting(dir: string): string {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

/** An existing data dir with a log in it (for read-only commands). */
export function existingDataDir(dir: string): DataDir {
  const paths = dataDirPaths(dir);
  if (!existsSync(dir)) throw new UserError(`data dir ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new UserError(`data dir ${dir} is not a directory`);
  const problem = dataDirAccessProblem(dir);
  if (problem !== undefined) throw new UserError(problem);
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

/** What shows that a data dir was used before: files an Ordo host leaves in it. */
function signsOfUse(paths: DataDir): string[] {
  return [paths.token, paths.keys, headPath(paths.db)].filter((p) => existsSync(p)).map((p) => basename(p));
}

/**
 * Refuses to start on a data dir that was used but lost its log, or whose
 * log ends before what was acknowledged (decision 081). Without this, a
 * missing ordo.db would be created empty and a trader would see session 1
 * and order ids from 1 again, every acknowledged order gone. `newLog` is
 * the operator saying "start over on purpose": the old head is removed.
 */
export function checkLogPresent(paths: DataDir, newLog: boolean): void {
  if (!existsSync(paths.db)) {
    const signs = signsOfUse(paths);
    if (signs.length > 0 && !newLog) {
      throw new UserError(
        `data dir ${paths.dir} was used before (${signs.join(', ')} present) but its event log ${paths.db} is missing; restore it from a backup (docs/reliability.md) or start a new, empty log with --new-log`,
      );
    }
    rmSync(headPath(paths.db), { force: true });
    return;
  }
  // With the log present, --new-log changes nothing: it never removes a log.
  const head = readHead(paths.db);
  if (!head) return;
  const log = openReadableLog(paths.db);
  let end;
  try {
    end = log.end() ?? { session: 0, seq: 0 };
  } finally {
    log.close();
  }
  if (isBehind(end, head)) throw new UserError(behindMessage(paths, end, head));
}

/** One line: where the log ends, what was acknowledged, what to do. */
export function behindMessage(paths: DataDir, end: LogHead, head: LogHead): string {
  const acked = end.session === head.session ? `seq ${head.seq}` : `session ${head.session} seq ${head.seq}`;
  return `the event log ends at session ${end.session} seq ${end.seq} but ${acked} was acknowledged (${basename(headPath(paths.db))}): committed events were lost (a damaged or deleted WAL, or an older copy of ${basename(paths.db)}); restore a backup (docs/reliability.md), or accept the loss with 'ordo repair --data-dir ${paths.dir} --accept-lost-events'`;
}
