import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ReplayClient, ReplayServer } from '../../engine/bus/replay.ts';
import { decodeFrame, encodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function ev(seq: number): Sequenced {
  return { seq, ts: 1_767_225_600_000_000 + seq, src: 'risk-1', cseq: seq, event: { type: 'OrderAccepted', orderId: seq } };
}

/**
 * The replay service reads a page in slices, one per event-loop turn (so a
 * component catching up does not hold off live work): the page must still be
 * exactly the frames asked for, in order, with its limits and `complete` as
 * before.
 */
describe('replay service pages read in slices', () => {
  it('answers pages of many slices with every frame once, in order, from a seq inside a frame, up to `to` and the page limit', async () => {
    const dir = tempDir('ordo-replay-slices-');
    dirs.push(dir);
    const path = join(dir, 'ordo.db');
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    // 1,000 frames of 3 events: seqs 1..3000 (several 128-frame slices per page).
    log.transaction(() => {
      log.openSession(1, 1);
      for (let f = 0; f < 1000; f++) {
        const events = [ev(3 * f + 1), ev(3 * f + 2), ev(3 * f + 3)];
        log.appendFrame(1, events[0]!.seq, events[2]!.seq, encodeFrame(1, events));
      }
    });
    const server = new ReplayServer(openReadableLog(path));
    const endpoint = `inproc://replay-slices-${process.pid}`;
    await server.bind(endpoint);
    const client = new ReplayClient(endpoint);
    const seqs = (frames: Uint8Array[]) => frames.flatMap((b) => decodeFrame(b).events.map((e) => e.seq));
    try {
      // Everything from inside the first frame: the frame holding seq 2 comes first.
      const all = await client.request({ session: 1, from: 2 });
      expect(all.header.complete).toBe(true);
      expect(all.header.headSeq).toBe(3000);
      expect(all.frames.length).toBe(1000);
      expect(seqs(all.frames)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
      // A bounded range ends at the frame holding `to`.
      const some = await client.request({ session: 1, from: 301, to: 1200 });
      expect(some.header.complete).toBe(true);
      expect(seqs(some.frames)).toEqual(Array.from({ length: 900 }, (_, i) => 301 + i));
      // A page limit of 300 frames (3 slices and a bit) leaves the rest for the next request.
      const page = await client.request({ session: 1, from: 1, maxFrames: 300 });
      expect(page.header.complete).toBe(false);
      expect(page.frames.length).toBe(300);
      const rest = await client.request({ session: 1, from: 901 });
      expect(rest.header.complete).toBe(true);
      expect(seqs([...page.frames, ...rest.frames])).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    } finally {
      client.close();
      server.close();
      log.close();
    }
  });
});
