import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventStream, type EventListener } from '../../engine/bus/event-stream.ts';
import { ReplayServer } from '../../engine/bus/replay.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { systemClock } from '../../engine/sequencer/clock.ts';
import { emptyPolicy } from '../../engine/sequencer/policy.ts';
import { Sequencer } from '../../engine/sequencer/sequencer.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { record } from './helpers/figures.ts';
import { cleanupAll, freePortRun, requireFreshBuild, ROOT, spawnNode, tempDir } from './helpers/procs.ts';

const closers: (() => unknown)[] = [];
beforeAll(() => requireFreshBuild());
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await cleanupAll();
});

/** Digest of a stream of events, computed the same way in the slow subscriber's process. */
class Digest implements EventListener {
  private readonly hash = createHash('sha256');
  count = 0;
  onEvents(_session: number, events: readonly Sequenced[]): void {
    for (const e of events) {
      this.count++;
      this.hash.update(`${e.seq}|${e.src}|${e.cseq}|${JSON.stringify(e.event)}\n`);
    }
  }
  digest(): string {
    return this.hash.copy().digest('hex');
  }
}

describe('slow or lossy subscriber', () => {
  it('a subscriber with a receive high-water mark of 1 that stalls loses frames, recovers by gap fill and ends identical to a good one', async () => {
    const dir = tempDir();
    const db = join(dir, 'ordo.db');
    const log = openWritableLog(db);
    closers.push(() => log.close());
    const port = await freePortRun(3);
    const tcp = { commands: `tcp://127.0.0.1:${port}`, events: `tcp://127.0.0.1:${port + 1}`, replay: `tcp://127.0.0.1:${port + 2}` };
    const inproc = { commands: `inproc://slow-${port}-c`, events: `inproc://slow-${port}-e`, replay: `inproc://slow-${port}-r` };
    // Four frames queued per subscriber, then the PUB socket drops (the default is 100,000).
    const sequencer = new Sequencer({ log, policy: emptyPolicy, clock: systemClock(), publishHighWaterMark: 4 });
    await sequencer.bind([inproc.commands, tcp.commands], [inproc.events, tcp.events]);
    closers.push(() => sequencer.close());
    const replayLog = openReadableLog(db);
    const replay = new ReplayServer(replayLog);
    await replay.bind(inproc.replay, tcp.replay);
    closers.push(() => {
      replay.close();
      replayLog.close();
    });
    let cseq = 1;
    sequencer.submit([{ src: 'host', cseq: cseq++, body: { type: 'OpenSession' } }]);

    // The good subscriber: in process, no receive limit.
    const good = new Digest();
    const goodStream = new EventStream({ events: inproc.events, replay: inproc.replay, receiveHighWaterMark: 0 });
    goodStream.addListener(good);
    closers.push(() => goodStream.close());
    await goodStream.start();

    // The slow one: its own process over tcp, busy for 25 ms per delivery during its first 2 s.
    const slow = spawnNode(join(ROOT, 'test/reliability/fixtures/slow-subscriber.mjs'), [tcp.events, tcp.replay, '2000', '25'], true);
    await slow.waitFor(/^started$/m);

    // ~1 KiB events, one frame each, for 1.5 s: far more than socket buffers and the high-water marks hold.
    const text = 'x'.repeat(1000);
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < 1500) {
      sequencer.submit([{ src: 'host', cseq: cseq++, body: { type: 'OrderRejected', orderId: n++, reason: 501, text } }]);
      await new Promise((r) => setImmediate(r));
    }
    const target = sequencer.position.seq;
    slow.child.stdin!.write(`target ${target}\n`);
    const m = await slow.waitFor(/^(\{.*\})$/m, 25_000);
    const result = JSON.parse(m[1]!) as { count: number; seq: number; digest: string; gapFills: number; replayedFrames: number; calls: number };
    while (goodStream.position.seq < target) await new Promise((r) => setTimeout(r, 10));

    // Truth is the log: both subscribers hold exactly its events, in order, once each.
    const truth = new Digest();
    truth.onEvents(1, [...openReadableLog(db).events(1)]);
    expect(truth.count).toBe(target);
    expect(good.count).toBe(target);
    expect(good.digest()).toBe(truth.digest());
    expect(result.seq).toBe(target);
    expect(result.count).toBe(target);
    expect(result.digest).toBe(truth.digest());
    // It really lost frames and recovered them from the replay service.
    expect(result.gapFills).toBeGreaterThan(0);
    expect(result.replayedFrames).toBeGreaterThan(0);
    record('slow-subscriber', {
      events: target,
      framesPublished: sequencer.stats.frames,
      slowGapFills: result.gapFills,
      slowFramesFromReplay: result.replayedFrames,
      slowDeliveries: result.calls,
      goodGapFills: goodStream.gapFills,
      goodFramesFromReplay: goodStream.replayedFrames,
    });
  }, 60_000);
});
