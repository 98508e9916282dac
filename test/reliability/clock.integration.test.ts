import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, orderFor } from './helpers/http.ts';
import { auditLog } from './helpers/log-checks.ts';
import { cleanupAll, ORDO, requireFreshBuild, ROOT, sleep, spawnNode, tempDir, until, type Proc } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

const STEP_CLOCK = join(ROOT, 'test', 'reliability', 'fixtures', 'step-clock.mjs');

/** `ordo host` with the wall clock stepped by the preloaded fake clock (env as in step-clock.mjs). */
async function hostWithClock(dataDir: string, env: Record<string, string>): Promise<{ proc: Proc; api: Api }> {
  Object.assign(process.env, env);
  let proc: Proc;
  try {
    proc = spawnNode('--import', [STEP_CLOCK, ORDO, 'host', '--data-dir', dataDir, '--port', '0', '--venue-tick-ms', '0', '--stale-ms', '1500']);
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
  }
  const m = await proc.waitFor(/^ordo ready http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)$/m);
  return { proc, api: new Api(Number(m[1]), m[2]!) };
}

describe('clock: heartbeats and timestamps do not follow wall-clock steps', () => {
  it('a 30 s wall-clock step forward raises no "silent" alert (heartbeat ages are on a monotonic clock)', async () => {
    const dataDir = tempDir();
    const { proc, api } = await hostWithClock(dataDir, { ORDO_TEST_DATE_STEP_MS: '30000', ORDO_TEST_DATE_STEP_AFTER_MS: '2500' });
    const r = await api.call('POST', '/api/orders', orderFor('clock', 1));
    expect(r.status, r.text).toBe(200);
    // Well past the step and several stale periods, with every component beating.
    await until(async () => (await api.state()).components.length >= 5, 'components beating');
    await sleep(5000);
    const state = await api.state();
    expect(state.alerts).toEqual([]);
    expect(state.components.filter((c) => c.stale)).toEqual([]);
    expect((await proc.stop()).code).toBe(0);
    const alerts = [...auditLog(dataDir).events.values()].flat().filter((e) => e.event.type === 'AlertRaised');
    expect(alerts).toEqual([]);
  }, 60_000);

  it('event times never go back within a session, across a restart with the clock an hour behind', async () => {
    const dataDir = tempDir();
    const first = await hostWithClock(dataDir, {});
    for (let i = 0; i < 10; i++) expect((await first.api.call('POST', '/api/orders', orderFor('before', i))).status).toBe(200);
    expect((await first.proc.stop()).code).toBe(0);
    const second = await hostWithClock(dataDir, { ORDO_TEST_ORIGIN_SHIFT_MS: String(-3_600_000) });
    for (let i = 0; i < 10; i++) expect((await second.api.call('POST', '/api/orders', orderFor('after', i))).status).toBe(200);
    expect((await second.proc.stop()).code).toBe(0);
    const events = auditLog(dataDir).events.get(1)!;
    expect(events.length).toBeGreaterThan(40);
    const backwards = events.filter((e, i) => i > 0 && e.ts < events[i - 1]!.ts).map((e) => e.seq);
    expect(backwards).toEqual([]);
  }, 60_000);
});
