import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { curveKeyPair, Dealer } from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplayClient, ReplayServer } from '../../engine/bus/replay.ts';
import { BusSecurity, registerZapDomain } from '../../engine/bus/security.ts';
import { checkpointRound } from '../../engine/host/checkpoint-maker.ts';
import { ReplayServiceThread } from '../../engine/host/replay-service-thread.ts';
import { BACKGROUND_NICE } from '../../engine/host/thread-priority.ts';
import { CHECKPOINT_FORMAT } from '../../engine/oms/checkpoint-codec.ts';
import { decodeFrame } from '../../engine/protocol/codec.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { flipFrameByte, storedSessions } from './helpers/stored-session.ts';
import { freePortRun } from '../reliability/helpers/procs.ts';

/**
 * The host's replay service on its own thread (decision 228): it must answer
 * every request exactly as the service on the host's thread did (pages,
 * ranges, bad requests, unknown sessions, checkpoint parts, damaged frames),
 * keep the bus's CURVE and ZAP rules on tcp, run at lowered priority, close
 * its read connection on close (so the WAL goes), and never abort the
 * process when it exits without a close (zeromq.js#411). Real SQLite files,
 * real ZeroMQ sockets, the built thread (dist/).
 */
const { storedSession } = storedSessions('ordo-replay-thread-');
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = join(ROOT, 'dist', 'engine', 'host', 'replay-service-worker.js');

/** A session of 30 k events in frames of mixed sizes, with in-session checkpoints every 10,000 events. */
function sessionWithCheckpoints(): string {
  const path = storedSession(30_000, [1, 7, 3, 12]);
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  expect(checkpointRound(w.db, { every: 10_000 })?.written.length).toBe(3);
  w.close();
  return path;
}

function lastSeqOf(path: string): number {
  const log = openReadableLog(path);
  try {
    return log.lastSeq(1);
  } finally {
    log.close();
  }
}

/** One raw request (a string body, as any client could send) and every part of the answer. */
async function ask(dealer: Dealer, body: string): Promise<Buffer[]> {
  await dealer.send(body);
  return (await dealer.receive()) as Buffer[];
}

const REQUESTS = [
  JSON.stringify({ id: 1, session: 1, from: 1 }),
  JSON.stringify({ id: 2, session: 1, from: 12_345, to: 14_000 }),
  JSON.stringify({ id: 3, from: 1, maxFrames: 300 }),
  JSON.stringify({ id: 4, from: 1, to: 0 }),
  JSON.stringify({ id: 5, session: 99, from: 1 }),
  JSON.stringify({ id: 6, from: 0 }),
  '{ not json',
  JSON.stringify({ id: 7, from: 1, checkpoint: { part: 0, format: CHECKPOINT_FORMAT } }),
  JSON.stringify({ id: 8, from: 1, checkpoint: { part: 0, format: CHECKPOINT_FORMAT, below: 20_000 } }),
  JSON.stringify({ id: 9, from: 1, checkpoint: { seq: 10_000, part: 5, format: CHECKPOINT_FORMAT } }),
  JSON.stringify({ id: 10, from: 1, checkpoint: { seq: 123, part: 0, format: CHECKPOINT_FORMAT } }),
  JSON.stringify({ id: 11, from: 1, checkpoint: { part: -1, format: CHECKPOINT_FORMAT } }),
  JSON.stringify({ id: 12, session: 99, from: 1, checkpoint: { part: 0, format: CHECKPOINT_FORMAT } }),
];

describe('the replay service on its own thread', () => {
  it('is built (dist/) for these tests', () => {
    expect(existsSync(BUILT), `${BUILT} missing: run npm run build`).toBe(true);
  });

  it('answers every request, good and bad, byte for byte as the service on the host thread does, at lowered priority', async () => {
    const path = sessionWithCheckpoints();
    // A damaged frame in the middle: a page over it answers the checksum error, before and after the move alike.
    const damaged = storedSession(5_000, [4]);
    flipFrameByte(damaged, 2_001);
    for (const [file, requests] of [
      [path, REQUESTS],
      [damaged, [JSON.stringify({ id: 1, session: 1, from: 1 }), JSON.stringify({ id: 2, session: 1, from: 1, to: 2_000 }), JSON.stringify({ id: 3, session: 1, from: 2_004 })]],
    ] as const) {
      const inline = new ReplayServer(openReadableLog(file));
      const inlineAt = `inproc://replay-inline-${process.pid}-${Math.random()}`;
      await inline.bind(inlineAt);
      closers.push(() => inline.close());
      const threadAt = `inproc://replay-thread-${process.pid}-${Math.random()}`;
      const thread = await ReplayServiceThread.start(file, [threadAt]);
      closers.push(() => thread.close());
      expect(thread.onThread).toBe(true);
      if (process.platform === 'linux') expect(getPriority(thread.tid!)).toBe(BACKGROUND_NICE);
      const a = new Dealer({ linger: 0, receiveTimeout: 20_000 });
      const b = new Dealer({ linger: 0, receiveTimeout: 20_000 });
      closers.push(() => (a.close(), b.close()));
      a.connect(inlineAt);
      b.connect(threadAt);
      for (const body of requests) {
        const want = await ask(a, body);
        const got = await ask(b, body);
        expect(got.length, body).toBe(want.length);
        expect(Buffer.concat(got).equals(Buffer.concat(want)), body).toBe(true);
        for (let i = 0; i < got.length; i++) expect(got[i]!.equals(want[i]!), `${body} part ${i}`).toBe(true);
      }
      if (file === damaged) {
        const header = JSON.parse((await ask(b, requests[0]!))[0]!.toString()) as { error?: string };
        expect(header.error).toMatch(/checksum|corrupt/i);
      }
    }
    // What the requests above asked, in the client's terms: a whole-session rewind and the newest checkpoint.
    const at = `inproc://replay-thread-client-${process.pid}`;
    const thread = await ReplayServiceThread.start(path, [at]);
    closers.push(() => thread.close());
    const client = new ReplayClient(at);
    closers.push(() => client.close());
    const seqs: number[] = [];
    for (let from = 1; ; ) {
      const { header, frames } = await client.request({ session: 1, from });
      for (const f of frames) for (const e of decodeFrame(f).events) if (e.seq >= from) seqs.push(e.seq);
      from = seqs[seqs.length - 1]! + 1;
      if (header.complete) break;
    }
    expect(seqs.length).toBe(seqs[seqs.length - 1]);
    expect(seqs.every((s, i) => s === i + 1)).toBe(true);
    const cp = await client.checkpoint(CHECKPOINT_FORMAT);
    expect(cp?.seq).toBe(30_000);
    expect(cp!.parts.reduce((n, p) => n + p.byteLength, 0)).toBeGreaterThan(0);
  });

  it('keeps the bus security on tcp: listed keys get answers, unknown keys nothing', async () => {
    const path = storedSession(2_000, [5]);
    const server = curveKeyPair();
    const allowed = curveKeyPair();
    const stranger = curveKeyPair();
    const domain = `replay-thread-test-${process.pid}`;
    const unregister = await registerZapDomain(domain, (key) => key === allowed.publicKey);
    closers.push(unregister);
    const port = await freePortRun(1);
    const tcp = `tcp://127.0.0.1:${port}`;
    const security = new BusSecurity();
    security.secureServerEndpoints([tcp], { secretKey: server.secretKey, zapDomain: domain });
    const thread = await ReplayServiceThread.start(path, [`inproc://replay-thread-sec-${process.pid}`, tcp], security);
    closers.push(() => thread.close());
    const clientSecurity = (keys: { publicKey: string; secretKey: string }) => {
      const s = new BusSecurity();
      s.secureClientEndpoints([tcp], { serverPublicKey: server.publicKey, ...keys });
      return s;
    };
    const good = new ReplayClient(tcp, clientSecurity(allowed));
    closers.push(() => good.close());
    const headSeq = lastSeqOf(path);
    const head = await good.head();
    expect(head).toEqual({ session: 1, headSeq });
    // A stranger's request never reaches the service: no answer (a plain client neither).
    const bad = new Dealer({ linger: 0, receiveTimeout: 1_500, sendTimeout: 1_500 });
    closers.push(() => bad.close());
    clientSecurity(stranger).connectTo(bad, tcp);
    const plain = new Dealer({ linger: 0, receiveTimeout: 1_500, sendTimeout: 1_500 });
    closers.push(() => plain.close());
    plain.connect(tcp);
    // (A refused peer gets no connection: its send may already time out, or its receive does.)
    for (const d of [bad, plain]) {
      const got = await d.send(JSON.stringify({ id: 1, from: 1, to: 0 })).then(
        () => d.receive().then(() => 'answered', () => 'nothing'),
        () => 'nothing',
      );
      expect(got).toBe('nothing');
    }
    // The allowed client is still answered after the refusals.
    expect((await good.head()).headSeq).toBe(headSeq);
  });

  it('closes its read connection on close: with the writer closed too, the WAL is gone', async () => {
    const path = storedSession(2_000, [5]);
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    const at = `inproc://replay-thread-close-${process.pid}`;
    const thread = await ReplayServiceThread.start(path, [at]);
    const client = new ReplayClient(at);
    const page = await client.request({ session: 1, from: 1 });
    expect(page.header.complete).toBe(true);
    expect(decodeFrame(page.frames[page.frames.length - 1]!).events.at(-1)!.seq).toBe(lastSeqOf(path));
    client.close();
    await thread.close();
    w.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    // Closing twice is harmless.
    await thread.close();
  });

  it('fails to start as the bind fails, with its code: a port already taken is EADDRINUSE', async () => {
    const path = storedSession(500, [5]);
    const port = await freePortRun(1);
    const tcp = `tcp://127.0.0.1:${port}`;
    const first = await ReplayServiceThread.start(path, [tcp]);
    closers.push(() => first.close());
    await expect(ReplayServiceThread.start(path, [tcp])).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('a process that exits without closing it (process.exit with the thread serving) still exits cleanly, not aborted', async () => {
    const path = storedSession(500, [5]);
    const file = join(dirname(path), 'exit-test.mjs');
    writeFileSync(file, [
      `import { ReplayServiceThread } from ${JSON.stringify(join(ROOT, 'dist', 'engine', 'host', 'replay-service-thread.js'))};`,
      `import { ReplayClient } from ${JSON.stringify(join(ROOT, 'dist', 'engine', 'bus', 'replay.js'))};`,
      `const t = await ReplayServiceThread.start(${JSON.stringify(path)}, ['inproc://exit-test']);`,
      `const c = new ReplayClient('inproc://exit-test');`,
      `const h = await c.head();`,
      `console.log('head', h.headSeq, t.onThread);`,
      `process.exit(3);`,
    ].join('\n'));
    const run = promisify(execFile);
    const r = await run(process.execPath, [file], { timeout: 60_000 }).then(
      (x) => ({ code: 0, stdout: x.stdout, stderr: x.stderr }),
      (e: { code?: number; signal?: string; stdout: string; stderr: string }) => ({ code: e.code ?? e.signal, stdout: e.stdout, stderr: e.stderr }),
    );
    expect(r.stdout, r.stderr).toContain(`head ${lastSeqOf(path)} true`);
    expect(r.stderr).not.toMatch(/terminate called|Napi::Error/);
    expect(r.code).toBe(3);
  });
});
