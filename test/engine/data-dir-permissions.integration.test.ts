import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWritableLog } from '../../engine/store/log.ts';
import { runOrdo } from './helpers/cli.ts';

/**
 * A data dir this user may not use (round 16, outside): a read-only folder, an unreadable log, another user's
 * folder. SQLite said "attempt to write a readonly database" or "unable to open database file", and the host an
 * "unexpected error: EACCES … ordo.db.head". Now one line names the folder or file and what is wrong, exit 1.
 * When the tests run as root, whom the kernel lets past every permission, the commands run as root without its
 * capabilities (`setpriv --bounding-set=-all`): permission bits hold for it as for any user, and the commands still
 * read the checkout wherever CI put it (a folder nobody else may enter; running them as nobody failed there).
 */
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const root = mkdtempSync(join(tmpdir(), 'ordo-perm-'));
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A data dir with a log in it, owned by the user the commands run as. */
function dataDir(): string {
  const dir = join(root, `d${++n}`);
  mkdirSync(dir, { mode: 0o700 });
  openWritableLog(join(dir, 'ordo.db')).close();
  return dir;
}

/** `ordo ARGS` as this user, without root's capabilities when it is root. */
function ordoAs(args: string[]): ReturnType<typeof runOrdo> {
  return runOrdo(args, 30_000, asRoot ? ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--'] : []);
}

/** Exactly one line on stderr, exit 1, nothing on stdout, no stack. */
function oneLine(r: { code: number | null; stdout: string; stderr: string }): string {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toMatch(/\bat .*\.js:\d+|unexpected error|attempt to write a readonly database|unable to open database file/);
  return lines[0]!;
}

describe('a data dir this user may not use', () => {
  it('a read-only folder: the reading commands name the folder and say it must be writable (SQLite -shm)', async () => {
    const dir = dataDir();
    chmodSync(dir, 0o500);
    for (const cmd of [['sessions'], ['events', '--from', '1'], ['verify']]) {
      const line = oneLine(await ordoAs([...cmd, '--data-dir', dir]));
      expect(line).toContain(`the data dir ${dir} is not writable by this user`);
      expect(line).toContain('ordo.db-shm');
    }
  });

  it('an unreadable log file: the reading commands and the host name the file', async () => {
    const dir = dataDir();
    chmodSync(join(dir, 'ordo.db'), 0o000);
    for (const cmd of [['sessions'], ['verify'], ['host', '--port', '0']]) {
      const line = oneLine(await ordoAs([...cmd, '--data-dir', dir]));
      expect(line).toContain(`the event log ${join(dir, 'ordo.db')} is not readable by this user (owner uid`);
    }
  });

  it('a folder this user may not enter: the reading commands say so rather than "no event log"', async () => {
    const dir = dataDir();
    chmodSync(dir, 0o000);
    for (const cmd of [['sessions'], ['state', '--at', '1']]) {
      const line = oneLine(await ordoAs([...cmd, '--data-dir', dir]));
      expect(line).toContain(`the data dir ${dir} is not accessible to this user (owner uid`);
    }
  });

  it("another user's folder: the host says it is not its owner (EPERM before)", async () => {
    // Nobody's folder when the tests run as root (the commands run as root without capabilities); else a system
    // folder root owns.
    const dir = asRoot ? join(root, 'nobodys') : '/usr';
    if (asRoot) {
      mkdirSync(dir, { mode: 0o755 });
      chownSync(dir, NOBODY, NOBODY);
    }
    const line = oneLine(await ordoAs(['host', '--port', '0', '--data-dir', dir]));
    expect(line).toBe(`ordo: cannot use data dir ${dir}: this user cannot make it private (mode 0700) as it is not its owner (owner uid ${asRoot ? NOBODY : 0}, mode 0755, this user uid ${process.getuid?.()}); run Ordo as its owner`);
  });
});
