import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

async function submit(h: HostProcess, clientOrderId: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${h.port}/api/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: 'ALPHA', clientOrderId, symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 10, price: 228, timeInForce: 'day' }),
  });
}

/**
 * Round 17, outside: a second `ordo host` on a data dir whose host runs started and served, a second sequencer
 * over the same log: it handed out order ids the first had already given to other orders and failed its commits
 * with "UNIQUE constraint failed". One host a data dir now (decision 292).
 */
describe('one host a data dir', () => {
  it('a second host and a repair on a running host\'s data dir are refused in one line, the log untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ordo-lock-'));
    dirs.push(dir);
    const first = await startHostProcess(['--data-dir', dir, '--venue-tick-ms', '0']);
    hosts.push(first);
    expect((await submit(first, 'a-1')).status).toBe(200);
    const before = await runOrdo(['events', '--data-dir', dir]);

    const second = await runOrdo(['host', '--data-dir', dir, '--port', '0', '--venue-tick-ms', '0']);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toBe(
      `ordo: host: data dir ${dir} is in use by another Ordo process (the host at http://127.0.0.1:${first.port}); one host a data dir: stop it first, or give this host another --data-dir\n`,
    );
    const repair = await runOrdo(['repair', '--data-dir', dir, '--truncate-after-corruption']);
    expect(repair.code).toBe(1);
    expect(repair.stderr).toMatch(/^ordo: repair: data dir .* is in use by another Ordo process \(the host at http:\/\/127\.0\.0\.1:\d+\); one host a data dir: stop it first\n$/);

    // The first host still answers with its own numbering, and its api-port file still names it.
    const next = await submit(first, 'a-2');
    expect(next.status).toBe(200);
    expect(((await next.json()) as { orderId: number }).orderId).toBe(2);
    expect(readFileSync(join(dir, 'api-port'), 'utf8').trim()).toBe(String(first.port));
    const after = await runOrdo(['events', '--data-dir', dir]);
    expect(after.stdout.startsWith(before.stdout)).toBe(true);
    expect((await runOrdo(['verify', '--data-dir', dir])).code).toBe(0);
  }, 120_000); // six ordo processes in a row: seconds each on a loaded machine

  it('a host killed with SIGKILL leaves no lock behind: the next host starts at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ordo-lock-'));
    dirs.push(dir);
    const first = await startHostProcess(['--data-dir', dir, '--venue-tick-ms', '0']);
    expect((await submit(first, 'k-1')).status).toBe(200);
    await first.stop('SIGKILL');
    const again = await startHostProcess(['--data-dir', dir, '--venue-tick-ms', '0']);
    hosts.push(again);
    const r = await submit(again, 'k-2');
    expect(r.status).toBe(200);
    expect(((await r.json()) as { orderId: number }).orderId).toBe(2);
  }, 60_000);
});
