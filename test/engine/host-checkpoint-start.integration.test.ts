import { afterEach, describe, expect, it, vi } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { orderSession, storeSession } from '../../bench/session.ts';
import { checkpointRound } from '../../engine/host/checkpoint-maker.ts';
import type { Host } from '../../engine/host/host.ts';
import { log as logger } from '../../engine/log.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { startTestHost, tempDir, waitFor } from './helpers/host.ts';

/**
 * A whole in-process host started on a stored 40 k-event session with eight
 * in-session checkpoints resumes from the newest (decision 140) and reaches
 * the same state as a host on the same log without checkpoints: the view's
 * projection, every in-process component's state hash, position and
 * lifecycle, the sequencer's position, roles and command numbering. With a
 * FIX acceptor it resumes too (decision 176; test/engine/fix/acceptor-checkpoint-restart).
 */

const hosts: (Host & { dispose(): Promise<void> })[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.dispose();
  vi.restoreAllMocks();
});

const SOURCES = ['host', 'proxy-1', 'risk-1', 'router-1', 'gateway-1', 'monitor-1'];

function dataDirWithLog(): string {
  const dir = tempDir('ordo-ckpt-host-');
  const w = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
  storeSession(w, orderSession(40_000), undefined, [1, 3, 8, 2, 9, 5]);
  w.close();
  return dir;
}

/** Everything a restart must get back, once nothing more is being sequenced. */
async function settledState(h: Host) {
  let seq = -1;
  let still = 0;
  // Activation may sequence a few commands (the same ones on either host): wait until the log stands still.
  await waitFor(() => {
    const now = h.sequencer.position.seq;
    still = now === seq ? still + 1 : 0;
    seq = now;
    return still >= 10 && h.runtimes.every((rt) => rt.position.seq === now);
  }, 'the host to settle', 60_000);
  // What the UI reads beyond the live tail (decision 140: a resumed host's in-memory tail holds only the tail's
  // events): the log's last events, an order's whole history and the session's event search, from before the
  // checkpoint too.
  const ok = <T>(r: { ok: true; value: T } | { ok: false }): T => {
    if (!r.ok) throw new Error('API call failed');
    return r.value;
  };
  const early = h.view.projection.orders().next().value!.orderId;
  const history = ok(await h.api.getOrderHistory({ orderId: early }));
  expect(history.events.length).toBeGreaterThan(1);
  expect(history.events[0]!.seq).toBeLessThan(5_000);
  const tail = ok(await h.api.getEvents({ limit: 500 }));
  const oldest = ok(await h.api.getEvents({ from: 1, limit: 200 }));
  expect(oldest[0]!.seq).toBe(1);
  const search = ok(await h.api.searchEvents({ type: 'OrderAccepted', limit: 50, before: 10_000 }));
  expect(search.events.length).toBeGreaterThan(0);
  return {
    ui: { history, tail, oldest, search },
    position: h.sequencer.position,
    roles: [...h.sequencer.activeRoles].sort(),
    cseqs: SOURCES.map((s) => h.sequencer.nextCseq(s)),
    view: h.view.projection.stateHash(),
    components: h.runtimes.map((rt) => ({ id: rt.id, lifecycle: rt.lifecycle, position: rt.position, hash: rt.logic.stateHash() })),
  };
}

describe('host start-up from an in-session checkpoint', () => {
  it('reaches the same state as a full replay, from the newest of eight checkpoints', async () => {
    const full = dataDirWithLog();
    const resumed = tempDir('ordo-ckpt-host-');
    copyFileSync(join(full, 'ordo.db'), join(resumed, 'ordo.db'));
    const w = openWritableLog(join(resumed, 'ordo.db'), { backgroundCheckpoint: false });
    const written = checkpointRound(w.db, { every: 5_000 })?.written ?? [];
    w.close();
    expect(written.length).toBe(8);

    const a = await startTestHost({ dataDir: full, venueTickMs: 0, checkpointEvery: 0 });
    hosts.push(a);
    // The resumed session's clientOrderId index is whole before the host serves (decision 272): no first order finishes it.
    expect(a.view.projection.orderCount).toBeGreaterThan(5_000);
    expect(a.view.projection.clientOrderIdsIndexed).toBe(true);
    const fullState = await settledState(a);
    await a.close();

    const info = vi.spyOn(logger, 'info');
    const b = await startTestHost({ dataDir: resumed, venueTickMs: 0, checkpointEvery: 0 });
    hosts.push(b);
    expect(b.view.projection.clientOrderIdsIndexed).toBe(true);
    expect(info.mock.calls.map((c) => String(c[0]))).toContain(`start-up resumes session 1 from its checkpoint at seq ${written[written.length - 1]}`);
    expect(await settledState(b)).toEqual(fullState);
    await b.close();

    // With a FIX acceptor it resumes too (decision 176: the orders' requests by seq are in the checkpoint); its
    // view equals the fold of its log from seq 1 (it sequences the acceptor's activation, at its own time).
    info.mockClear();
    const c = await startTestHost({ dataDir: resumed, venueTickMs: 0, checkpointEvery: 0, fixPort: 0 });
    hosts.push(c);
    const lines = info.mock.calls.map((x) => String(x[0]));
    expect(lines).toContain(`start-up resumes session 1 from its checkpoint at seq ${written[written.length - 1]}`);
    const withFix = await settledState(c);
    const read = openReadableLog(join(resumed, 'ordo.db'));
    try {
      const fold = new OmsProjection();
      read.replay(1, (e) => fold.apply(e), 1, withFix.position.seq);
      expect(withFix.view).toBe(fold.stateHash());
    } finally {
      read.close();
    }
  });
});
