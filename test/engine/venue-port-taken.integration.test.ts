import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runOrdo } from './helpers/cli.ts';
import { freePort } from './fix/helpers/quickfix.ts';

let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = undefined;
  dir = undefined;
});

/**
 * Round 17, outside: with another program on the simulated venue's port (the bus port + 5), `ordo host` said only
 * "the simulated venue cannot start: Address already in use", naming no port; the bus's own ports are named.
 */
describe('a venue port already taken', () => {
  it('is one line naming the venue ports, exit 1', async () => {
    const busPort = await freePort();
    server = createServer();
    await new Promise<void>((r) => server!.listen(busPort + 5, '127.0.0.1', () => r()));
    dir = mkdtempSync(join(tmpdir(), 'ordo-venue-port-'));
    const r = await runOrdo(['host', '--data-dir', dir, '--port', '0', '--bus-port', String(busPort)], 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `ordo: the simulated venue cannot start: Address already in use (it listens on tcp://127.0.0.1:${busPort + 5} and tcp://127.0.0.1:${busPort + 6}: one is taken)\n`,
    );
  });
});
