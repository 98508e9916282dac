import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost } from '../../engine/host/host.ts';
import { cleanupAll, tempDir } from '../reliability/helpers/procs.ts';
import { ORDO_BIN } from './helpers/cli.ts';
import { order } from './helpers/host.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = join(tempDir(), 'data');
  // 1,000 orders' events: far more JSON Lines (over 1 MB) than a pipe holds (64 KiB) once its reader has gone.
  const host = await startHost({ dataDir, port: 0, venueTickMs: 0 });
  for (let i = 0; i < 10; i++) {
    const answers = await Promise.all(Array.from({ length: 100 }, (_, k) => host.api.submitOrder(order('AAPL', k % 2 ? 'buy' : 'sell', 1, 228.4, { intentional: true }))));
    expect(answers.every((a) => a.ok)).toBe(true);
  }
  await host.close();
}, 60_000);
afterAll(async () => {
  await cleanupAll();
});

/** `ordo ARGS` with its standard output `stdout` (a pipe read until `readBytes`, then closed, or a file descriptor). */
function ordo(args: string[], stdout: number | { readBytes: number }): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [ORDO_BIN, ...args], { stdio: ['ignore', typeof stdout === 'number' ? stdout : 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr!.on('data', (d: Buffer) => (stderr += d));
    if (typeof stdout !== 'number') {
      let read = 0;
      p.stdout!.on('data', (d: Buffer) => {
        read += d.length;
        if (read >= stdout.readBytes) p.stdout!.destroy();
      });
    }
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

/**
 * Round 19, outside: `ordo events | head -1` ended in a stack trace ("Error: write EPIPE … Node.js v20"), and
 * `ordo events > /dev/full` in another (ENOSPC). Now a reader that stops is a quiet end (141, as SIGPIPE's), any other
 * write error one line and exit 1 (decision 302).
 */
describe('`ordo` when its standard output cannot be written', () => {
  it.each([['events'], ['state']])('ordo %s into a pipe closed after the first bytes: no output on stderr, exit 141', async (command) => {
    const args = command === 'state' ? ['state', '--data-dir', dataDir, '--at', '1500', '--all'] : ['events', '--data-dir', dataDir];
    const r = await ordo(args, { readBytes: 1 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(141);
  });

  it('ordo events into /dev/full: one line naming ENOSPC, exit 1', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = await ordo(['events', '--data-dir', dataDir], fd);
      expect(r.stderr).toMatch(/^ordo: cannot write the output: ENOSPC \(.*\)\n$/);
      expect(r.code).toBe(1);
    } finally {
      closeSync(fd);
    }
  });
});
