import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runOrdo, startHostProcess, type HostProcess } from './helpers/cli.ts';

const dirs: string[] = [];
const hosts: HostProcess[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Round 18, outside (round 17's leftover): `ordo checkpoint` ran on a running host's data dir. It opens the log as
 * a writer (migrations included) and writes and prunes the checkpoints the host's own rounds write, a second
 * writer of the log beside the sequencer. It takes the data dir's lock now, as `ordo repair` does (decision 296).
 */
describe('ordo checkpoint and the data dir lock', () => {
  it("is refused in one line on a running host's data dir, and runs once the host has stopped", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ordo-ckpt-lock-'));
    dirs.push(dir);
    const host = await startHostProcess(['--data-dir', dir, '--venue-tick-ms', '0']);
    hosts.push(host);

    const refused = await runOrdo(['checkpoint', '--data-dir', dir]);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `ordo: checkpoint: data dir ${dir} is in use by another Ordo process (the host at http://127.0.0.1:${host.port}); one host a data dir: stop it first (a running host writes its own checkpoints; decision 296)\n`,
    );
    expect(refused.code).toBe(1);
    // The host goes on serving.
    const res = await fetch(`http://127.0.0.1:${host.port}/api/sessions`, { headers: { authorization: `Bearer ${host.token}` } });
    expect(res.status).toBe(200);

    expect(await hosts.pop()!.stop()).toBe(0);
    const ran = await runOrdo(['checkpoint', '--data-dir', dir]);
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toMatch(/^session 1: wrote 0 checkpoint\(s\), pruned 0; checkpoints at seq \(none: the session has fewer than \d+ events\)\n$/);
    expect(ran.code).toBe(0);
  }, 90_000);
});
