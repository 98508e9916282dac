import { describe, expect, it } from 'vitest';
import { runOrdo } from './helpers/cli.ts';

/**
 * `ordo COMMAND --help` (round 15, outside: a newcomer's first try). It answered
 * "Unknown option '--help'" with exit code 2 for every command; now it prints that
 * command's usage and exits 0, running nothing.
 */
describe('ordo COMMAND --help', () => {
  const commands = ['host', 'events', 'sessions', 'state', 'session', 'verify', 'repair', 'checkpoint', 'backup', 'replay', 'halt', 'resume', 'component', 'admin'];

  it.each(commands)('ordo %s --help prints its usage and exits 0', async (command) => {
    const r = await runOrdo([command, '--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage:\\n  ordo ${command} `));
    // Only this command's part: no other command's entry.
    const others = [...r.stdout.matchAll(/^ {2}ordo (\S+)/gm)].map((m) => m[1]);
    expect(new Set(others)).toEqual(new Set([command]));
  });

  it('-h and `ordo help COMMAND` say the same; wrong arguments beside --help run nothing', async () => {
    const help = await runOrdo(['state', '--help']);
    expect((await runOrdo(['state', '-h'])).stdout).toBe(help.stdout);
    expect((await runOrdo(['help', 'state'])).stdout).toBe(help.stdout);
    const r = await runOrdo(['verify', '--data-dir', '/nonexistent-ordo-dir', '--bogus', '--help']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  it('the usage names the options the README gives (host: FIX and UI rows; repair: every mode)', async () => {
    const host = (await runOrdo(['host', '--help'])).stdout;
    for (const o of ['--fix-port', '--fix-host', '--fix-tls-cert', '--fix-tls-key', '--fix-venues', '--venue-fix-port', '--ui-state-rows']) expect(host).toContain(o);
    const repair = (await runOrdo(['repair', '--help'])).stdout;
    for (const o of ['--truncate-after-corruption', '--accept-lost-events', '--drop-checkpoints', '--rebuild-snapshots', '--salvage-into']) expect(repair).toContain(o);
  });

  it('ordo help --help and -h: help\'s own usage, exit 0 (was: "unknown command \'--help\'", exit 2)', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await runOrdo(['help', flag]);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/^usage:\n {2}ordo help \[COMMAND\]/);
    }
  });

  it('ordo help of an unknown command: one line, exit 2', async () => {
    const r = await runOrdo(['help', 'bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`ordo: help: unknown command 'bogus' (see 'ordo help')`]);
  });
});

describe('a data dir that is a file', () => {
  it('every command that reads a data dir says it is not a directory (was: "no event log in FILE")', async () => {
    const { writeFileSync, rmSync } = await import('node:fs');
    const file = `/tmp/ordo-not-a-dir-${process.pid}`;
    writeFileSync(file, 'x');
    try {
      for (const args of [['sessions'], ['verify'], ['events'], ['state', '--at', '1'], ['checkpoint'], ['backup', '--to', `${file}.bak`]]) {
        const r = await runOrdo([...args, '--data-dir', file]);
        expect([r.code, r.stderr.trim()]).toEqual([1, `ordo: data dir ${file} is not a directory`]);
      }
    } finally {
      rmSync(file, { force: true });
    }
  });
});
