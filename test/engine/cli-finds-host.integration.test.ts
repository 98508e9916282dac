import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runOrdo, startHostProcess } from './helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'ordo-cli-finds-host-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Round 19, outside (an operator's day): `ordo session close --data-dir D` finds the running host from its data dir,
 * but the kill switch (`ordo halt`, `ordo resume`) required `--port N` and `ordo admin` `--url URL`: in an emergency
 * the operator had to look the port up first. Now `--data-dir` alone is enough (decision 304).
 */
describe('operator commands find the running host from --data-dir', () => {
  it('halt, resume and admin with --data-dir alone; one line and exit 1 once the host is gone', async () => {
    const dir = join(root, 'd');
    const host = await startHostProcess(['--data-dir', dir], 60_000);
    try {
      const halt = await runOrdo(['halt', '--data-dir', dir, '--reason', 'fire drill'], 30_000);
      expect([halt.code, halt.stdout, halt.stderr]).toEqual([0, 'firm-wide: halted\n', '']);
      const resume = await runOrdo(['resume', '--data-dir', dir], 30_000);
      expect([resume.code, resume.stdout, resume.stderr]).toEqual([0, 'firm-wide: resumed\n', '']);
      const admin = await runOrdo(['admin', 'restart', 'router-1', '--data-dir', dir], 60_000);
      expect([admin.code, admin.stdout, admin.stderr]).toEqual([0, 'restart router-1: ok\n', '']);
    } finally {
      expect(await host.stop()).toBe(0);
    }

    const gone = await runOrdo(['halt', '--data-dir', dir]);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim().split('\n')).toEqual([`ordo: no host is running for ${dir} (start one with 'ordo host --data-dir ${dir}', or give --port)`]);
    const adminGone = await runOrdo(['admin', 'restart', 'router-1', '--data-dir', dir]);
    expect(adminGone.code).toBe(1);
    expect(adminGone.stderr.trim().split('\n')).toEqual([`ordo: admin: no host is running for ${dir} (or give --url)`]);
  }, 180_000);

  it('admin with neither --url nor --data-dir: a usage line, exit 2', async () => {
    const r = await runOrdo(['admin', 'restart', 'router-1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`ordo: admin: give --url, or --data-dir of the running host (see 'ordo help')`]);
  });
});
