import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../../engine/cli/errors.ts';
import { REFERENCE_ASSETS } from '../../engine/oms/reference.ts';
import { VenueProcess } from '../../engine/venue/venue-process.ts';
import { order } from '../engine/helpers/host.ts';
import { Api } from './helpers/http.ts';
import { childrenOf, cleanupAll, requireFreshBuild, ROOT, runOrdo, spawnNode, startHostProc, tempDir, until } from './helpers/procs.ts';

/**
 * Starting the simulated venue's process (decision 279) where it cannot be had: an install whose
 * venue-child.js is missing runs the venue on the host's thread with one warning (not a host that does not
 * start); a venue process that never says ready is named in one line when its start limit is reached.
 */

beforeAll(() => requireFreshBuild());
afterAll(() => cleanupAll());

/**
 * A copy of this built install (dist/, bin/, package.json, the reference data; node_modules and the native addon linked) without
 * dist/engine/venue/venue-child.js, as after a partial build or a file moved away.
 */
function installWithoutVenueChild(): string {
  const dir = tempDir('ordo-install-');
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'ordo.mjs'), join(dir, 'bin', 'ordo.mjs'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  for (const asset of REFERENCE_ASSETS) {
    mkdirSync(dirname(join(dir, asset)), { recursive: true });
    copyFileSync(join(ROOT, asset), join(dir, asset));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'native'), join(dir, 'native'));
  rmSync(join(dir, 'dist', 'engine', 'venue', 'venue-child.js'));
  return dir;
}

describe('the venue process cannot be had', () => {
  it('an install without venue-child.js: the host starts, warns once, runs the venue on its thread and orders fill', async () => {
    const install = installWithoutVenueChild();
    // The child inherits VITEST, which silences the engine's log: ask for the level an operator sees.
    const level = process.env.ORDO_LOG_LEVEL;
    process.env.ORDO_LOG_LEVEL = 'info';
    const h = spawnNode(join(install, 'bin', 'ordo.mjs'), ['host', '--data-dir', tempDir(), '--port', '0', '--venue-tick-ms', '50']);
    if (level === undefined) delete process.env.ORDO_LOG_LEVEL;
    else process.env.ORDO_LOG_LEVEL = level;
    const m = await h.waitFor(/^ordo ready http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)$/m, 30_000);
    const warnings = h.stderr().split('\n').filter((l) => l.includes('venue-child.js'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("the simulated venue runs on the host's thread");
    expect(warnings[0]).toContain(join(install, 'dist', 'engine', 'venue', 'venue-child.js'));
    expect(warnings[0]).toContain('missing');
    // No venue process: the venue is on the host's thread.
    expect(childrenOf(h.pid).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('venue-child'))).toEqual([]);

    const api = new Api(Number(m[1]), m[2]!);
    const r = await api.call('POST', '/api/orders', order('AAPL', 'buy', 7, undefined));
    expect(r.status).toBe(200);
    const orderId = (r.json as { orderId: number }).orderId;
    await until(async () => (await api.state()).orders.some((o) => o.orderId === orderId && o.state === 'filled'), 'the order filled by the venue on the host thread');
    expect(await h.stop()).toEqual({ code: 0, signal: null });
    expect(h.stderr()).not.toMatch(/unexpected error|Error:|\n\s+at /);
  });

  it('a venue process that never says ready: its start limit is named in one line and the process is ended', async () => {
    const dir = tempDir('ordo-venue-mute-');
    const entry = join(dir, 'mute.mjs');
    // Takes the start message and never answers: a venue starved of a core, as far as the host can tell.
    writeFileSync(entry, "process.on('message', () => {}); setInterval(() => {}, 1000);\n");
    const err = await VenueProcess.start({ entry, instruments: [], seed: 1, tickMs: 0, readyMs: 500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const { line, code } = describeError(err);
    expect(line).toBe("ordo: the simulated venue's process did not say it was ready within its start limit of 0.5 s (the machine may be too busy)");
    expect(line).not.toContain('\n');
    expect(code).toBe(1);
    // The mute process was ended.
    const mute = () => childrenOf(process.pid).filter((p) => existsSync(`/proc/${p}`) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(entry));
    await until(() => mute().length === 0, 'the mute venue process to end');
  });
});

describe('ordo host --venue-in (decision 284)', () => {
  it('host: the venue runs on the host\'s thread (no venue process, no warning) and orders fill', async () => {
    const h = await startHostProc({ dataDir: tempDir(), venueTickMs: 50, extra: ['--venue-in', 'host'] });
    expect(childrenOf(h.pid).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('venue-child'))).toEqual([]);
    const api = new Api(h.port, h.token);
    const r = await api.call('POST', '/api/orders', order('AAPL', 'buy', 5, undefined));
    expect(r.status).toBe(200);
    const orderId = (r.json as { orderId: number }).orderId;
    await until(async () => (await api.state()).orders.some((o) => o.orderId === orderId && o.state === 'filled'), 'the order filled by the venue on the host thread');
    expect(await h.stop()).toEqual({ code: 0, signal: null });
    expect(h.stderr()).not.toContain('venue-child.js');
  });

  it('a value that is neither process nor host: one usage line, exit 2, nothing started', async () => {
    const dir = tempDir();
    const r = await runOrdo(['host', '--data-dir', dir, '--port', '0', '--venue-in', 'thread']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("ordo: host: --venue-in must be process or host, got 'thread' (see 'ordo help')");
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });
});
