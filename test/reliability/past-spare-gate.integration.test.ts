import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import type { SpareGate } from '../../engine/host/spare-gate.ts';
import { Api } from './helpers/http.ts';
import { childrenOf, cleanupAll, requireFreshBuild, startHostProc, tempDir, until } from './helpers/procs.ts';

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
  await cleanupAll();
});

const isPastProcess = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.endsWith('past-process.js'));
  } catch {
    return false;
  }
};

/** A gate the test opens by hand, counting how often the spare asked it. */
function handGate(): SpareGate & { asked: number; open: boolean } {
  const g = { everyMs: 10, asked: 0, open: false, quiet: () => (g.asked++, g.open) };
  return g;
}

const order = (i: number) => ({ clientId: 'ALPHA', clientOrderId: `sg-${i}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 1 + i, price: 221.6, timeInForce: 'day' });

/**
 * Decision 300: the time machine's spare process (decision 295) starts once the host is quiet, not at its ready
 * line, where its start landed on a fresh host's first orders. A call that comes first starts the process itself.
 */
describe.runIf(process.platform === 'linux')("the time machine's spare waits for a quiet host", () => {
  it('starts no spare while the gate says busy, and one as soon as it says quiet', async () => {
    requireFreshBuild();
    host = await startHost({ dataDir: join(tempDir(), 'data'), port: 0, venueTickMs: 0 });
    const h = host;
    const gate = handGate();
    h.api.keepPastSpare(gate);
    expect(h.api.pastSpareWaiting).toBe(true);
    await until(() => gate.asked >= 5, 'the spare to ask its gate five times');
    expect(h.api.pastPid).toBeUndefined();
    gate.open = true;
    await until(() => h.api.pastPid !== undefined, 'the spare to start once the gate opened');
    expect(isPastProcess(h.api.pastPid!)).toBe(true);
    expect(h.api.pastSpareWaiting).toBe(false);
    // A spare holds no past projection.
    expect(h.api.keepsPastProjection).toBe(false);
  }, 60_000);

  it('starts the process for a call that comes while the spare waits, and answers it', async () => {
    requireFreshBuild();
    host = await startHost({ dataDir: join(tempDir(), 'data'), port: 0, venueTickMs: 0 });
    const h = host;
    const api = new Api(h.port, h.token);
    for (let i = 0; i < 3; i++) expect((await api.call('POST', '/api/orders', order(i))).status).toBe(200);
    const seq = h.sequencer.position.seq;
    const gate = handGate();
    h.api.keepPastSpare(gate);
    expect(h.api.pastPid).toBeUndefined();
    const r = await api.call('GET', `/api/state?at=${seq}`);
    expect(r.status, r.text).toBe(200);
    const pid = h.api.pastPid!;
    expect(isPastProcess(pid)).toBe(true);
    // The wait is over: the gate is not asked again and no second process starts.
    await until(() => !h.api.pastSpareWaiting, 'the spare to stop waiting');
    const asked = gate.asked;
    gate.open = true;
    await new Promise((r) => setTimeout(r, 100));
    expect(gate.asked).toBe(asked);
    expect(h.api.pastPid).toBe(pid);
  }, 60_000);

  it('ends the wait at the host\'s stop: no process starts after it', async () => {
    requireFreshBuild();
    host = await startHost({ dataDir: join(tempDir(), 'data'), port: 0, venueTickMs: 0 });
    const gate = handGate();
    host.api.keepPastSpare(gate);
    const api = host.api;
    await host.close();
    host = undefined;
    expect(api.pastSpareWaiting).toBe(false);
    const asked = gate.asked;
    gate.open = true;
    await new Promise((r) => setTimeout(r, 100));
    expect(gate.asked).toBe(asked);
    expect(api.pastPid).toBeUndefined();
  }, 60_000);

  it('`ordo host` left idle after its ready line starts its spare', async () => {
    requireFreshBuild();
    const hp = await startHostProc({ dataDir: join(tempDir(), 'data') });
    await until(() => childrenOf(hp.pid).some(isPastProcess), 'the idle host to start its spare', 30_000);
    const end = await hp.stop();
    expect(end.code).toBe(0);
  }, 60_000);
});
