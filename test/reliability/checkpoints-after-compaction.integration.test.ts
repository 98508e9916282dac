import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkpointProblems } from '../../engine/host/checkpoint-checks.ts';
import { projectionAt } from '../../engine/oms/projection-at.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { compactSession } from '../../engine/store/compaction.ts';
import { openReadableLog, openWritableLog, type ReadableLog } from '../../engine/store/log.ts';
import { Api, orderFor } from './helpers/http.ts';
import { cleanupAll, requireFreshBuild, startHostProc, tempDir, until } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

/** Seqs of the complete checkpoints of session 1 in `dataDir`'s log that are bound to it. */
function boundSeqs(dataDir: string): number[] {
  const log = openReadableLog(join(dataDir, 'ordo.db'));
  try {
    return log.checkpoints.seqs(1).filter((s) => !('detail' in log.checkpoints.read(1, s)));
  } finally {
    log.close();
  }
}

function fullReplayHash(log: ReadableLog, seq: number): string {
  const p = new OmsProjection();
  log.replay(1, (e) => p.apply(e), 1, seq);
  return p.stateHash();
}

/**
 * Decision 289: a checkpoint is bound to the events it was folded from, not to the frames that held them.
 * A log written by a live host (small frames as they come, its checkpoints written by its own thread), left
 * as a kill -9 leaves it (WAL and all), then compacted: the time machine and the restarted host still start
 * from the checkpoints, and what they give equals the replay from seq 1.
 */
describe('checkpoints of a live host after compaction', () => {
  it('are used by the time machine and at start-up, and checkpoint + tail equals the full replay', async () => {
    const dataDir = join(tempDir(), 'data');
    const path = join(dataDir, 'ordo.db');
    const host = await startHostProc({ dataDir, extra: ['--checkpoint-every', '1000'] });
    const api = new Api(host.port, host.token);
    let n = 0;
    await until(async () => {
      for (let i = 0; i < 20; i++) expect((await api.call('POST', '/api/orders', orderFor('compacted', n++))).status).toBe(200);
      return boundSeqs(dataDir).includes(2000);
    }, 'checkpoints at seq 1000 and 2000', 90_000, 200);
    await host.kill9();
    // The state the host leaves: its commits still in the WAL, small frames (the compactor keeps the newest 16,384 events as written).
    expect(existsSync(`${path}-wal`)).toBe(true);

    const w = openWritableLog(path, { backgroundCheckpoint: false });
    let last: number;
    try {
      last = w.lastSeq(1);
      const frames = () => w.db.prepare('SELECT count(*) FROM frames').pluck().get() as number;
      const before = frames();
      expect(compactSession(w, 1, last, true).framesRemoved).toBeGreaterThan(0);
      expect(frames()).toBeLessThan(before / 10);
    } finally {
      w.close();
    }

    const log = openReadableLog(path);
    try {
      expect(checkpointProblems(log)).toMatchObject({ damaged: [], foreign: [] });
      // The log may end anywhere past 2,000 (the host was killed once that checkpoint was stored).
      expect(last).toBeGreaterThanOrEqual(2000);
      for (const [seq, from] of [
        [1500, 1000],
        [Math.min(2500, last), 2000],
      ] as const) {
        const at = projectionAt(log, 1, seq);
        if (!at.ok) throw new Error(at.problem);
        expect(at.fromCheckpoint, `seq ${seq}`).toBe(from);
        expect(at.projection.stateHash(), `seq ${seq}`).toBe(fullReplayHash(log, seq));
      }
      const at = projectionAt(log, 1, last);
      if (!at.ok) throw new Error(at.problem);
      expect(at.fromCheckpoint).toBeGreaterThanOrEqual(2000);
      expect(at.projection.stateHash()).toBe(fullReplayHash(log, last));
      expect(at.projection.orderCount).toBe(n);
    } finally {
      log.close();
    }

    // The restarted host resumes from its newest checkpoint, not from the session's start, and skips none.
    // Its log lines (silent by default under vitest) say where start-up began.
    process.env.ORDO_LOG_LEVEL = 'info';
    const again = await startHostProc({ dataDir, extra: ['--checkpoint-every', '1000'] }).finally(() => delete process.env.ORDO_LOG_LEVEL);
    const said = () => again.stdout() + again.stderr();
    await until(() => /start-up resumes session 1 from its checkpoint at seq (\d+)/.test(said()), 'the start-up line', 30_000, 50);
    expect(Number(/start-up resumes session 1 from its checkpoint at seq (\d+)/.exec(said())![1])).toBeGreaterThanOrEqual(2000);
    expect(said()).not.toMatch(/checkpoint session 1 seq \d+ skipped/);
    const api2 = new Api(again.port, again.token);
    expect((await api2.call('POST', '/api/orders', orderFor('compacted', n++))).status).toBe(200);
    await again.stop();
  }, 240_000);
});
