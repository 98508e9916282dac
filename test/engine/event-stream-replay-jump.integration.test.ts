import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStream } from '../../engine/bus/event-stream.ts';
import { ReplayServer } from '../../engine/bus/replay.ts';
import { frameKey } from '../../engine/store/frame-key.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { storedSessions } from './helpers/stored-session.ts';

/**
 * A stream catching up never applies events across a jump in what the replay service answers: round 19 found
 * a read racing the compactor that handed out a page starting thousands of seqs after the one asked for, and a
 * joining risk component folded on without those events (its state hash differed from the host's at the same
 * seq). The stream asks again from the seq it needs; a jump that stays (a frame missing from the log) ends the
 * catch-up with one error naming the seqs, never a silent skip. Real SQLite file, replay service over real ZeroMQ.
 */
const { storedSession } = storedSessions('ordo-stream-jump-');
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('an event stream catching up from the replay service', () => {
  it('never applies events across seqs the answer jumped over: asks again, and names a gap that stays', async () => {
    // 8-event frames; the first one (seqs 1-8) cut out of the log by hand. (A frame missing inside a page is
    // already refused by the reader, which checks that each frame follows the one before: the frame a page opens
    // with is the one it cannot check, and the first page of a session's rewind opens here.)
    const path = storedSession(4_000, [8]);
    const db = new Database(path);
    try {
      expect(db.prepare('DELETE FROM frames WHERE key = ?').run(frameKey(1, 1)).changes).toBe(1);
    } finally {
      db.close();
    }
    const at = `inproc://stream-jump-${process.pid}-${Math.random()}`;
    const server = new ReplayServer(openReadableLog(path));
    await server.bind(at);
    closers.push(() => server.close());
    let asked = 0;
    const stream = new EventStream({ events: `inproc://stream-jump-unused-${process.pid}`, replay: at, localFeed: true });
    closers.push(() => stream.close());
    const seqs: number[] = [];
    stream.addListener({ onEvents: (_s, events) => void events.forEach((e) => seqs.push(e.seq)) });
    // Counts the requests the stream makes (the replay service's own answers, unchanged).
    const client = (stream as unknown as { replay: { request: (...a: unknown[]) => Promise<unknown> } }).replay;
    const request = client.request.bind(client);
    client.request = (...a: unknown[]) => {
      asked++;
      return request(...a);
    };
    await expect(stream.start()).rejects.toThrow('replay of session 1: seqs 1-8 did not come (3 answers in a row jumped over them)');
    expect(seqs).toEqual([]);
    expect(stream.position).toEqual({ session: 1, seq: 0 });
    // The head, the first page, then the same seq asked for twice more.
    expect(asked).toBe(4);
  });
});
