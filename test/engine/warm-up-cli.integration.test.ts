import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ORDO_BIN, startHostProcess } from './helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'ordo-warm-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The event types of the data dir's newest session, in order (`ordo events`). */
function eventTypes(dataDir: string): string[] {
  const out = execFileSync(process.execPath, [ORDO_BIN, 'events', '--data-dir', dataDir], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { type: string }).type);
}

describe('`ordo host --warm-up N` warms its order path up before its ready line (decision 291)', () => {
  it('says how many orders went through the scratch session, and its own log holds only its own start: no order event', async () => {
    const dataDir = join(root, 'warm');
    const host = await startHostProcess(['--data-dir', dataDir, '--warm-up', '200'], 60_000, { ORDO_LOG_LEVEL: 'info' });
    // Stopped before any assertion: a failed one must not leave a host (and its venue) running.
    const warmStderr = host.stderr();
    expect(await host.stop()).toBe(0);
    // All 200, or as many as its time bound let through on a busy machine: each one taken by the scratch session.
    const warmed = /INFO order path warmed: (\d+) of (\d+) orders through a scratch session in \d+ ms/.exec(warmStderr);
    expect(warmed).not.toBeNull();
    expect(Number(warmed![1])).toBeGreaterThan(0);
    expect(warmed![1]).toBe(warmed![2]);
    const types = eventTypes(dataDir);
    expect(types[0]).toBe('SessionOpened');
    expect(types.filter((t) => t.startsWith('Order') || t === 'Execution' || t.startsWith('Cancel'))).toEqual([]);
    // The same start as a host that did not warm up: the same events, in the same order (the venue's reference price
    // moves come with the time a host runs, not with its start).
    const cold = join(root, 'cold');
    // Without the option (and with ORDO_WARM_UP empty) there is none: the default is a cold start.
    const coldHost = await startHostProcess(['--data-dir', cold], 60_000, { ORDO_LOG_LEVEL: 'info', ORDO_WARM_UP: '' });
    const coldStderr = coldHost.stderr();
    expect(await coldHost.stop()).toBe(0);
    expect(coldStderr).not.toMatch(/order path warmed/);
    const started = (t: string[]) => t.filter((x) => x !== 'ReferencePriceMoved');
    expect(started(types)).toEqual(started(eventTypes(cold)));
  }, 90_000);

  it('refuses a bad ORDO_WARM_UP in one line, exit 2, before anything starts', () => {
    const r = spawnSync(process.execPath, [ORDO_BIN, 'host', '--data-dir', join(root, 'bad'), '--port', '0'], { env: { ...process.env, ORDO_WARM_UP: 'lots' }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ORDO_WARM_UP must be a whole number from 0 to 100000, got 'lots'/);
  });
});
