import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Whether this process may use `path` as `mode` says (root passes, as the kernel lets it). */
function may(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` is on a file system mounted read-only (no permission or owner changes that). */
export function onReadOnlyFileSystem(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EROFS';
  }
}

/** Who owns `path`, its mode and who asks: the three facts an operator needs to fix a permission. */
export function owners(path: string): string {
  const me = typeof process.getuid === 'function' ? process.getuid() : undefined;
  try {
    const s = statSync(path);
    return `owner uid ${s.uid}, mode ${(s.mode & 0o777).toString(8).padStart(4, '0')}${me === undefined ? '' : `, this user uid ${me}`}`;
  } catch {
    return me === undefined ? 'not readable' : `this user uid ${me}`;
  }
}

/**
 * Why this user cannot open the event log at `path` (`readonly`: to read it), as one line naming the folder or
 * file and what is wrong, or undefined when its permissions are not the problem. Called only once an open failed
 * (SQLite says no more than "unable to open database file" or "attempt to write a readonly database").
 * Even a read needs the log's folder writable: a WAL database's reader creates `ordo.db-shm` beside it.
 */
export function logAccessProblem(path: string, readonly: boolean): string | undefined {
  if (path === '' || path === ':memory:') return undefined;
  const dir = dirname(path);
  if (!may(dir, constants.X_OK)) return `the data dir ${dir} is not accessible to this user (${owners(dir)}): run Ordo as its owner or give this user access`;
  if (existsSync(path)) {
    if (!may(path, constants.R_OK)) return `the event log ${path} is not readable by this user (${owners(path)}): run Ordo as its owner`;
    if (!readonly && !may(path, constants.W_OK)) return `the event log ${path} is not writable by this user (${owners(path)}): run Ordo as its owner`;
  }
  // A read-only mount (a backup disk, a snapshot): "not writable by this user … run Ordo as its owner" sent the
  // operator after permissions the owner already had (round 18).
  if (onReadOnlyFileSystem(dir)) {
    return `the data dir ${dir} is on a read-only file system: SQLite creates ${basename(path)}-shm beside the log even to read it; copy the data dir to a writable place (or mount it read-write) and use the copy`;
  }
  if (!may(dir, constants.W_OK)) {
    return `the data dir ${dir} is not writable by this user (${owners(dir)}): SQLite creates ${basename(path)}-shm beside the log even to read it; run Ordo as the folder's owner or make it writable`;
  }
  return undefined;
}

/** Why this user cannot list the data dir `dir`, or undefined (a missing log is then really missing). */
export function dataDirAccessProblem(dir: string): string | undefined {
  if (!existsSync(dir) || may(dir, constants.R_OK | constants.X_OK)) return undefined;
  return `the data dir ${dir} is not accessible to this user (${owners(dir)}): run Ordo as its owner or give this user access`;
}
