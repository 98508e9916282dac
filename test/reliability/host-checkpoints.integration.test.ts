import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { orderSession, storeSession } from '../../bench/session.ts';
import { openWritableLog } from '../../engine/store/log.ts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectionAt } from '../../engine/oms/projection-at.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { Api, orderFor } from './helpers/http.ts';
import { cleanupAll, requireFreshBuild, runOrdo, startHostProc, tempDir, until } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

/** Seqs of the complete checkpoints of session 1 in `dataDir`'s log (read on a connection of the test's own). */
function checkpointSeqs(dataDir: string): number[] {
  const log = openReadableLog(join(dataDir, 'ordo.db'));
  try {
    return log.checkpoints.seqs(1).filter((s) => !('detail' in log.checkpoints.read(1, s)));
  } finally {
    log.close();
  }
}

/**
 * A running host writes in-session projection checkpoints on a thread of
 * its own (decision 085), from the log, while orders stream in; after a
 * kill -9 the log's checkpoints are sound, the time machine from the newest
 * one plus its tail equals the replay from seq 1, and a restarted host goes
 * on writing them.
 */
describe('host: in-session projection checkpoints', () => {
  it('are written while orders stream, survive kill -9, and checkpoint + tail equals the full replay', async () => {
    const dataDir = join(tempDir(), 'data');
    const host = await startHostProc({ dataDir, extra: ['--checkpoint-every', '1000'] });
    const api = new Api(host.port, host.token);
    let n = 0;
    // Orders until the log holds two multiples of 1,000 and the thread has stored the second
    // (it looks every 2 s; a loaded machine may take several looks).
    await until(async () => {
      for (let i = 0; i < 20; i++) expect((await api.call('POST', '/api/orders', orderFor('ckpt', n++))).status).toBe(200);
      return checkpointSeqs(dataDir).includes(2000);
    }, 'checkpoints at seq 1000 and 2000', 90_000, 200);
    await host.kill9();

    expect(checkpointSeqs(dataDir).slice(0, 2)).toEqual([1000, 2000]);
    const verify = await runOrdo(['verify', '--data-dir', dataDir]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/[1-9]\d* projection checkpoints read back/);

    const log = openReadableLog(join(dataDir, 'ordo.db'));
    try {
      const last = log.lastSeq(1);
      const full = new OmsProjection();
      log.replay(1, (e) => full.apply(e));
      const at = projectionAt(log, 1, last);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBeGreaterThanOrEqual(2000);
      expect(at.projection.stateHash()).toBe(full.stateHash());
      expect(at.projection.orderCount).toBe(n);
    } finally {
      log.close();
    }

    // The restarted host takes orders and writes the next checkpoint on the same log.
    const again = await startHostProc({ dataDir, extra: ['--checkpoint-every', '1000'] });
    const api2 = new Api(again.port, again.token);
    const before = Math.max(...checkpointSeqs(dataDir));
    await until(async () => {
      for (let i = 0; i < 20; i++) expect((await api2.call('POST', '/api/orders', orderFor('ckpt2', n++))).status).toBe(200);
      return Math.max(...checkpointSeqs(dataDir)) > before;
    }, 'a checkpoint past the restart', 90_000, 200);
    await again.stop();
  }, 240_000);

  it('a stop during a long checkpoint round ends the round at once; the log is whole, no WAL left, verify ok', async () => {
    const dataDir = join(tempDir(), 'data');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dataDir, { recursive: true });
    const w = openWritableLog(join(dataDir, 'ordo.db'), { backgroundCheckpoint: false });
    const last = storeSession(w, orderSession(200_000), undefined, [8]);
    w.close();
    // A checkpoint every 1,000 events over 200 k events: the first round writes 200 of them (growing to the
    // whole session's projection), so it is still running when the stop comes right after its first one.
    const host = await startHostProc({ dataDir, extra: ['--checkpoint-every', '1000'] });
    await until(() => checkpointSeqs(dataDir).length > 0, 'the first checkpoint of the round', 60_000, 20);
    const exit = await host.stop();
    expect(exit.code).toBe(0);
    // Looked at before this test opens the log again (a read-only connection leaves a -wal of its own).
    expect(existsSync(join(dataDir, 'ordo.db-wal'))).toBe(false);
    // Nor of the checkpoint file (decision 252), which is the user's only, like the log.
    expect(existsSync(join(dataDir, 'ordo.db.checkpoints-wal'))).toBe(false);
    expect(statSync(join(dataDir, 'ordo.db.checkpoints')).mode & 0o777).toBe(0o600);
    // The round was cut, not waited for: its last checkpoint (at the last multiple of 1,000) is not there.
    // (Waiting for the whole round made a stop of a host on a long session take minutes.)
    expect(Math.max(...checkpointSeqs(dataDir))).toBeLessThan(Math.floor(last / 1000) * 1000);
    const verify = await runOrdo(['verify', '--data-dir', dataDir]);
    expect(verify.code, verify.stderr).toBe(0);
    const log = openReadableLog(join(dataDir, 'ordo.db'));
    try {
      expect(log.lastSeq(1)).toBe(last);
      const at = projectionAt(log, 1, last);
      if (!at.ok) throw new Error(at.problem);
      const full = new OmsProjection();
      log.replay(1, (e) => full.apply(e));
      expect(at.projection.stateHash()).toBe(full.stateHash());
    } finally {
      log.close();
    }
  }, 240_000);
});
