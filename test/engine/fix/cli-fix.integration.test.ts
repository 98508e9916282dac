import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../helpers/backbone.ts';
import { runOrdo } from '../helpers/cli.ts';

/** `ordo host` FIX options: bad values and ports in use are one line and a non-zero exit, never a stack trace. */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const oneLine = (s: string) => s.trim().split('\n').length === 1 && !/\bat .*\.[jt]s:\d+/.test(s);

describe('ordo host: FIX options', () => {
  it('--fix-port in use, a bad --fix-port, a bad venues file: one line, exit code non-zero', async () => {
    const dir = tempDir('ordo-fix-cli-');
    dirs.push(dir);
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const inUse = await runOrdo(['host', '--data-dir', join(dir, 'a'), '--port', '0', '--fix-port', String(port)], 30_000);
      expect(inUse.code).not.toBe(0);
      expect(oneLine(inUse.stderr.split('\n').filter((l) => !l.startsWith('fix: ')).join('\n'))).toBe(true);
      expect(inUse.stderr).toMatch(new RegExp(`FIX port ${port} on 127.0.0.1 is already in use`));

      const bad = await runOrdo(['host', '--data-dir', join(dir, 'b'), '--fix-port', 'abc']);
      expect(bad.code).not.toBe(0);
      expect(oneLine(bad.stderr)).toBe(true);
      expect(bad.stderr).toMatch(/fix-port/);

      const venues = join(dir, 'venues.json');
      writeFileSync(venues, JSON.stringify({ venues: [{ venueId: 'XNAS', host: '127.0.0.1', port: 1, beginString: 'FIX.5.0', senderCompId: 'ORDO', targetCompId: 'V' }] }));
      const badFile = await runOrdo(['host', '--data-dir', join(dir, 'c'), '--fix-venues', venues]);
      expect(badFile.code).not.toBe(0);
      expect(oneLine(badFile.stderr)).toBe(true);
      expect(badFile.stderr).toMatch(/venues\.0\.beginString: must be FIX\.4\.2 or FIX\.4\.4/);
    } finally {
      busy.close();
    }
  }, 90_000);
});
