import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWritableLog } from '../../engine/store/log.ts';
import { ORDO_BIN } from './helpers/cli.ts';

/**
 * A data dir this user may not use (round 16, outside): a read-only folder, an unreadable log, another user's
 * folder. SQLite said "attempt to write a readonly database" or "unable to open database file", and the host an
 * "unexpected error: EACCES … ordo.db.head". Now one line names the folder or file and what is wrong, exit 1.
 * Run as uid 65534 (nobody) when the tests run as root, whom the kernel lets past every permission.
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
  if (asRoot) for (const p of [dir, join(dir, 'ordo.db')]) chownSync(p, NOBODY, NOBODY);
  return dir;
}

function ordoAs(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [ORDO_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}) });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`ordo ${args.join(' ')} did not finish; stderr: ${stderr}`));
    }, 30_000);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
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
    // Root's own folder when the tests run as root (the commands run as nobody); else a system folder root owns.
    const dir = asRoot ? join(root, 'roots') : '/usr';
    if (asRoot) mkdirSync(dir, { mode: 0o755 });
    const line = oneLine(await ordoAs(['host', '--port', '0', '--data-dir', dir]));
    expect(line).toBe(`ordo: cannot use data dir ${dir}: this user cannot make it private (mode 0700) as it is not its owner (owner uid 0, mode 0755, this user uid ${asRoot ? NOBODY : process.getuid?.()}); run Ordo as its owner`);
  });
});
