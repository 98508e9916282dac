import { afterEach, describe, expect, it } from 'vitest';
import { LocalReplay, sameLog } from '../../engine/bus/local-replay.ts';
import { ReplayClient, ReplayServer } from '../../engine/bus/replay.ts';
import { checkpointRound } from '../../engine/host/checkpoint-maker.ts';
import { CHECKPOINT_FORMAT } from '../../engine/oms/checkpoint-codec.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { flipFrameByte, storedSessions } from './helpers/stored-session.ts';

/**
 * A component on the host's machine reads the log file itself (decision 259):
 * LocalReplay must give what the host's replay service gives for the same
 * file (frames, heads, checkpoint parts) and fail where it fails (a damaged
 * frame's checksum), and sameLog must tell the host's log from another one or
 * a stale copy. Real SQLite files, the replay service over real ZeroMQ.
 */
const { storedSession } = storedSessions('ordo-local-replay-');
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A ReplayServer on `path` and a client of it. */
async function service(path: string): Promise<ReplayClient> {
  const at = `inproc://local-replay-${process.pid}-${Math.random()}`;
  const server = new ReplayServer(openReadableLog(path));
  await server.bind(at);
  closers.push(() => server.close());
  const client = new ReplayClient(at);
  closers.push(() => client.close());
  return client;
}

function local(path: string): LocalReplay {
  const l = LocalReplay.open(path);
  closers.push(() => l.close());
  return l;
}

describe("LocalReplay: the log file read in the component's process", () => {
  it("gives the replay service's frames, head and checkpoint parts for the same file", async () => {
    const path = storedSession(30_000, [1, 7, 3, 12]);
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    expect(checkpointRound(w.db, { every: 10_000 })?.written.length).toBe(3);
    w.close();
    const remote = await service(path);
    const mine = local(path);

    expect(await mine.head()).toEqual(await remote.head());
    // Pages as the stream asks for them: same headers, same frames byte for byte.
    for (const req of [{ session: 1, from: 1 }, { session: 1, from: 2_001, to: 9_000 }, { session: 1, from: 29_990 }, { from: 1, to: 0 }]) {
      const a = await mine.request(req);
      const b = await remote.request(req);
      expect({ ...a.header, id: 0 }).toEqual({ ...b.header, id: 0 });
      expect(a.frames.length).toBe(b.frames.length);
      a.frames.forEach((f, i) => expect(Buffer.from(f).equals(Buffer.from(b.frames[i]!)), `${JSON.stringify(req)} frame ${i}`).toBe(true));
    }
    const c1 = await mine.checkpoint(CHECKPOINT_FORMAT);
    const c2 = await remote.checkpoint(CHECKPOINT_FORMAT);
    expect(c1).toBeDefined();
    expect({ session: c1!.session, seq: c1!.seq }).toEqual({ session: c2!.session, seq: c2!.seq });
    expect(c1!.parts.length).toBe(c2!.parts.length);
    c1!.parts.forEach((p, i) => expect(Buffer.from(p).equals(Buffer.from(c2!.parts[i]!)), `part ${i}`).toBe(true));
    // An older one, as a component asks after the newest failed.
    expect((await mine.checkpoint(CHECKPOINT_FORMAT, c1!.seq))?.seq).toBe((await remote.checkpoint(CHECKPOINT_FORMAT, c1!.seq))?.seq);
  });

  it('refuses a damaged frame with the checksum error, as the replay service does', async () => {
    const damaged = storedSession(5_000, [4]);
    flipFrameByte(damaged, 2_001);
    const remote = await service(damaged);
    const mine = local(damaged);
    const mineErr = await mine.request({ session: 1, from: 1 }).then(() => 'no error', (e: Error) => e.message);
    const remoteErr = await remote.request({ session: 1, from: 1 }).then(() => 'no error', (e: Error) => e.message);
    expect(mineErr).toMatch(/checksum/i);
    expect(mineErr).toBe(remoteErr);
    // Frames before the damage still read.
    expect((await mine.request({ session: 1, from: 1, to: 2_000 })).frames.length).toBe(500);
  });

  it("tells the host's log from another log and from a stale copy", async () => {
    const path = storedSession(8_000, [4]);
    const remote = await service(path);
    expect(await sameLog(local(path), remote)).toBeUndefined();
    // Another log: the same orders framed otherwise, so its first frame differs.
    expect(await sameLog(local(storedSession(8_000, [1])), remote)).toMatch(/first frame differs/);
    // A copy that stopped (the same session's first 4,000 events, the same frames): the host's log went on past it.
    expect(await sameLog(local(storedSession(4_000, [4])), remote)).toMatch(/behind the host's/);
  });

  it('answers nothing once closed (the event stream closes it when caught up)', async () => {
    const mine = LocalReplay.open(storedSession(1_000, [4]));
    expect((await mine.head()).headSeq).toBeGreaterThan(0);
    mine.close();
    await expect(mine.head()).rejects.toThrow(/closed/);
  });
});
