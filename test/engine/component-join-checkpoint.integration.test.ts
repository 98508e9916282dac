import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { orderSession, storeSession } from '../../bench/session.ts';
import { ComponentRuntime } from '../../engine/component/runtime.ts';
import type { ComponentLogic } from '../../engine/component/logic.ts';
import { checkpointRound } from '../../engine/host/checkpoint-maker.ts';
import type { Host } from '../../engine/host/host.ts';
import { log as logger } from '../../engine/log.ts';
import { GatewayComponent } from '../../engine/oms/components/gateway.ts';
import { MonitorComponent } from '../../engine/oms/components/monitor.ts';
import { RiskComponent } from '../../engine/oms/components/risk.ts';
import { RouterComponent } from '../../engine/oms/components/router.ts';
import { checkpointFileOf } from '../../engine/store/checkpoint-file.ts';
import { openWritableLog } from '../../engine/store/log.ts';
import { startTestHost, tempDir, waitFor } from './helpers/host.ts';

/**
 * A component joining a running host with a stream of its own (decision
 * 140) fetches the latest session's newest checkpoint from the replay
 * service a part at a time (real ZeroMQ, real SQLite), adopts it and replays
 * only the tail; its state hash and position equal the host's component of
 * the same role, which folded the whole session. A damaged checkpoint makes
 * it take the next older one, and with none usable it rewinds from seq 1;
 * one log line each, the same state.
 */

const hosts: (Host & { dispose(): Promise<void> })[] = [];
const runtimes: ComponentRuntime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.stop();
  for (const h of hosts.splice(0)) await h.dispose();
  vi.restoreAllMocks();
});

/** A data dir holding a 40 k-event session with checkpoints every 5,000 events (8 of them). */
function dataDir(): string {
  const dir = tempDir('ordo-join-');
  const w = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
  storeSession(w, orderSession(40_000), undefined, [1, 3, 8, 2, 9, 5]);
  // Small parts would need a build knob; the round's own 4 MiB parts are what the service pages by.
  expect(checkpointRound(w.db, { every: 5_000 })?.written.length).toBe(8);
  w.close();
  return dir;
}

async function joined(host: Host, logic: ComponentLogic, id: string): Promise<ComponentRuntime> {
  const rt = new ComponentRuntime({ id, logic, endpoints: host.endpoints, heartbeatMs: 100 });
  runtimes.push(rt);
  await rt.start();
  return rt;
}

function hostHash(host: Host, role: string): string {
  const rt = host.runtimes.find((r) => r.role === role)!;
  return rt.logic.stateHash();
}

/**
 * Waits until the joined component, the host's component of its role and the sequencer stand at one seq. The
 * host's component folds the bus asynchronously too: an event the monitor sequences meanwhile (an alert while a
 * loaded machine starves heartbeats) would otherwise be compared one side before it is applied.
 */
async function level(host: Host, rt: ComponentRuntime, role: string): Promise<void> {
  const own = host.runtimes.find((r) => r.role === role)!;
  await waitFor(() => rt.position.seq === host.sequencer.position.seq && own.position.seq === rt.position.seq, `${rt.id} and the host's ${role} at the head`, 30_000);
}

async function joinAll(host: Host): Promise<Record<string, { hash: string; seq: number; lifecycle: string }>> {
  const make: Record<string, () => ComponentLogic> = {
    risk: () => new RiskComponent(),
    router: () => new RouterComponent(),
    gateway: () => new GatewayComponent({ venueEndpoint: host.venue.routerEndpoint }),
    monitor: () => new MonitorComponent({ source: { components: new Map() }, staleMs: 60_000 }),
  };
  const out: Record<string, { hash: string; seq: number; lifecycle: string }> = {};
  for (const [role, m] of Object.entries(make)) {
    const rt = await joined(host, m(), `${role}-9`);
    await level(host, rt, role);
    out[role] = { hash: rt.logic.stateHash(), seq: rt.position.seq, lifecycle: rt.lifecycle };
    expect(out[role]!.hash, role).toBe(hostHash(host, role));
  }
  return out;
}

describe('a component joins from an in-session checkpoint', () => {
  it('adopts the newest checkpoint and the tail: the same state as the host components that folded the whole session', async () => {
    const host = await startTestHost({ dataDir: dataDir(), venueTickMs: 0, checkpointEvery: 0 });
    hosts.push(host);
    const info = vi.spyOn(logger, 'info');
    const warn = vi.spyOn(logger, 'warn');
    const got = await joinAll(host);
    for (const role of Object.keys(got)) {
      expect(info.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(new RegExp(`^${role}-9: joins session 1 from its checkpoint at seq 40000 \\(\\d+ MiB in \\d+ parts, fetched in \\d+ ms, decoded in \\d+ ms\\)$`)));
      // Not named active by the log: a standby, silent.
      expect(got[role]!.lifecycle).toBe('standby');
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it('takes the next older checkpoint when the newest is damaged, and rewinds from seq 1 when none is usable; one line each, same state', async () => {
    const dir = dataDir();
    const w = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
    const row = checkpointFileOf(w.db, true)!.prepare('SELECT body FROM checkpoints WHERE seq = 40000 AND part = 0').get() as { body: Buffer };
    const bad = Buffer.from(row.body);
    bad[bad.length >> 1]! ^= 0x01;
    checkpointFileOf(w.db, true)!.prepare('UPDATE checkpoints SET body = ? WHERE seq = 40000 AND part = 0').run(bad);
    expect(crc32(bad)).not.toBe(crc32(row.body));
    w.close();
    const warn = vi.spyOn(logger, 'warn');
    const info = vi.spyOn(logger, 'info');
    // The host itself skips it for the older one (one line), and starts.
    const host = await startTestHost({ dataDir: dir, venueTickMs: 0, checkpointEvery: 0 });
    hosts.push(host);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/^start-up: checkpoint session 1 seq 40000 skipped: checksum mismatch in part 0/)]);
    warn.mockClear();
    const rt = await joined(host, new RiskComponent(), 'risk-9');
    await level(host, rt, 'risk');
    expect(rt.logic.stateHash()).toBe(hostHash(host, 'risk'));
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      'risk-9: checkpoint not fetched (checkpoint session 1 seq 40000: checksum mismatch in part 0); trying an older one',
    ]);
    expect(info.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(/^risk-9: joins session 1 from its checkpoint at seq 35000 \(/));

    // Every checkpoint damaged (under the running host): three tried, then seq 1.
    const w2 = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
    checkpointFileOf(w2.db, true)!.prepare('UPDATE checkpoints SET crc = crc + 1').run();
    w2.close();
    warn.mockClear();
    info.mockClear();
    const rt2 = await joined(host, new RiskComponent(), 'risk-8');
    await level(host, rt2, 'risk');
    expect(rt2.logic.stateHash()).toBe(hostHash(host, 'risk'));
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      'risk-8: checkpoint not fetched (checkpoint session 1 seq 40000: checksum mismatch in part 0); trying an older one',
      'risk-8: checkpoint not fetched (checkpoint session 1 seq 35000: checksum mismatch in part 0); trying an older one',
      'risk-8: checkpoint not fetched (checkpoint session 1 seq 30000: checksum mismatch in part 0); trying an older one',
      'risk-8: no usable checkpoint; rewinding from seq 1',
    ]);
    expect(info.mock.calls.some((c) => String(c[0]).startsWith('risk-8: joins'))).toBe(false);
  });
});
