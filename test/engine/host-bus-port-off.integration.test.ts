import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runOrdo, startHostProcess } from './helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'ordo-bus-off-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Round 18, outside: the README says `ORDO_BUS_PORT=off` keeps everything in-process, but `ordo host --bus-port off`
 * was a usage error ("--bus-port must be a whole number"). `off` is the option's word too (decision 302).
 */
describe('`ordo host --bus-port off`', () => {
  it('starts with no bus port, serves, and stops cleanly', async () => {
    const host = await startHostProcess(['--data-dir', join(root, 'off'), '--bus-port', 'off'], 60_000);
    const stderr = host.stderr();
    const answer = await fetch(`${host.url}api/sessions`, { headers: { authorization: `Bearer ${host.token}` } });
    expect(await host.stop()).toBe(0);
    expect(answer.status).toBe(200);
    expect(stderr).not.toMatch(/bus/i);
  }, 90_000);

  it.each(['of', '-1', '70000', '65530'])("refuses --bus-port %s in one line naming the range and 'off', exit 2", async (word) => {
    const r = await runOrdo(['host', '--data-dir', join(root, 'bad'), '--port', '0', `--bus-port=${word}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`host: --bus-port must be a port number (1024-65529) or off, got '${word}'`);
  });
});
