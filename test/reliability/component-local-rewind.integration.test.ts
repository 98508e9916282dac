import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLICE_US } from '../../engine/host/sched-slice.ts';
import { openWritableLog } from '../../engine/store/log.ts';
import { kernelTakesSlice, threadSlices } from '../engine/helpers/thread-slices.ts';
import { orderSession, storeSession } from '../../bench/session.ts';
import { auditLog } from './helpers/log-checks.ts';
import { Api, streamOrders } from './helpers/http.ts';
import { cleanupAll, freePortRun, requireFreshBuild, spawnOrdo, startHostProc, tempDir } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

/**
 * Decision 259: `ordo component` given the host's data dir reads its rewind
 * from the log file itself (a read-only connection of its own process), not
 * through the host's replay service; given a data dir whose log is not the
 * host's, it says so and rewinds through the replay service as before. Either
 * way it catches up to the host's head; and once caught up it no longer holds
 * the host's log open, so the host's clean stop still checkpoints the log
 * into its database file and removes the WAL. Real processes, real ZeroMQ
 * (CURVE over tcp), real SQLite files.
 */
describe('component rewind from the log file on the host\'s machine', () => {
  it('reads the host\'s own log itself, another log through the replay service, and lets the host remove its WAL at stop', async () => {
    const dataDir = join(tempDir(), 'data');
    const port = await freePortRun();
    const host = await startHostProc({ dataDir, busPort: port, staleMs: 60_000 });
    const api = new Api(host.port, host.token);
    let stop = false;
    const s = streamOrders(api, 'lr', 4, () => stop);
    while (s.sent() < 300) await new Promise((r) => setTimeout(r, 50));
    const before = (await api.state()).session.seq;

    // The host's own data dir: its log, read in the component's process.
    const own = spawnOrdo(['component', 'risk', '--connect', `127.0.0.1:${port}`, '--id', 'risk-2', '--data-dir', dataDir]);
    const m1 = await own.waitFor(/caught up at seq (\d+), standby, rewound from (.+)$/m);
    expect(m1[2]).toBe('the log file');
    // Caught up, back under SCHED_OTHER: every thread of the component runs with the live path's short slice
    // (decision 283), as the host's do.
    if (kernelTakesSlice()) {
      for (const t of threadSlices(own.pid)) expect(t.slice, `component thread ${t.tid} (policy ${t.policy})`).toBe(DEFAULT_SLICE_US * 1000);
    }
    expect(Number(m1[1])).toBeGreaterThanOrEqual(before);

    // A data dir with the host's keys but another log (the bench's order mix): the replay service, as before.
    const otherDir = join(tempDir(), 'other');
    mkdirSync(otherDir, { recursive: true });
    cpSync(join(dataDir, 'keys'), join(otherDir, 'keys'), { recursive: true });
    const w = openWritableLog(join(otherDir, 'ordo.db'), { backgroundCheckpoint: false });
    storeSession(w, orderSession(2_000));
    w.close();
    const atOther = (await api.state()).session.seq;
    const other = spawnOrdo(['component', 'risk', '--connect', `127.0.0.1:${port}`, '--id', 'risk-3', '--data-dir', otherDir]);
    const m2 = await other.waitFor(/caught up at seq (\d+), standby, rewound from (.+)$/m);
    expect(m2[2]).toBe('the replay service');
    expect(Number(m2[1])).toBeGreaterThanOrEqual(atOther);

    stop = true;
    await s.done;
    // The component that read the log itself still runs: the host's clean stop must still take the WAL in.
    const exit = await host.stop();
    expect(exit.code).toBe(0);
    expect(existsSync(join(dataDir, 'ordo.db-wal')), 'the host\'s WAL after its clean stop, a local reader still running').toBe(false);
    await own.stop();
    await other.stop();
    // The log the component read is whole: every order it saw acknowledged is in it, no seq gaps.
    const audit = auditLog(dataDir);
    expect(audit.seqGaps).toEqual([]);
  });
});
