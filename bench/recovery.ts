import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame } from '../engine/protocol/codec.ts';
import type { Sequenced } from '../engine/protocol/events.ts';
import { openWritableLog } from '../engine/store/log.ts';
import { orderSession } from './session.ts';
import { tempFolder } from './util.ts';

/**
 * Recovery at scale (issue 11): how long `ordo host` takes to be ready on a
 * data dir whose open session holds N events, and how long a component in
 * its own process takes to join it caught up. The log is written the way a
 * live host writes it: small frames (FRAME_EVENTS events per frame), one
 * commit per few frames, so the replay reads as many rows as a real restart
 * would. Run: `node dist/bench/recovery.js [events] [frameEvents]`, or as
 * the `recovery` scenario of `npm run bench`.
 */

const ORDO = fileURLToPath(new URL('../../bin/ordo.mjs', import.meta.url));

export interface RecoveryFigures {
  readonly events: number;
  readonly frameEvents: number;
  readonly writeSeconds: number;
  /** From spawning `ordo host` to its ready line. */
  readonly hostReadySeconds: number;
  /** From spawning `ordo component risk` to its caught-up line. */
  readonly joinSeconds: number;
}

/** Writes session 1 of about `events` events into `dir`/ordo.db in frames of `frameEvents`. */
export function writeLiveLikeLog(dir: string, events: number, frameEvents: number): number {
  const log = openWritableLog(join(dir, 'ordo.db'));
  let total = 0;
  try {
    log.transaction(() => log.openSession(1, 1_767_225_600_000_000));
    let chunk: Sequenced[] = [];
    let frames: { first: number; last: number; bytes: Uint8Array }[] = [];
    const flush = () => {
      const batch = frames;
      frames = [];
      log.transaction(() => {
        for (const f of batch) log.appendFrame(1, f.first, f.last, f.bytes);
      });
    };
    for (const e of orderSession(events)) {
      chunk.push(e);
      if (chunk.length === frameEvents) {
        frames.push({ first: chunk[0]!.seq, last: e.seq, bytes: encodeFrame(1, chunk) });
        total += chunk.length;
        chunk = [];
        if (frames.length === 256) flush();
      }
    }
    if (chunk.length > 0) {
      frames.push({ first: chunk[0]!.seq, last: chunk[chunk.length - 1]!.seq, bytes: encodeFrame(1, chunk) });
      total += chunk.length;
    }
    if (frames.length > 0) flush();
  } finally {
    log.close();
  }
  return total;
}

interface Spawned {
  readonly line: Promise<{ match: RegExpMatchArray; seconds: number }>;
  stop(): Promise<void>;
}

function spawnOrdo(args: string[], ready: RegExp): Spawned {
  const t0 = performance.now();
  const child = spawn(process.execPath, [ORDO, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const line = new Promise<{ match: RegExpMatchArray; seconds: number }>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ match: m, seconds: (performance.now() - t0) / 1000 });
    });
    child.once('exit', (code) => reject(new Error(`ordo ${args[0]} exited ${code} before ${ready}: ${err.trim()}`)));
  });
  return {
    line,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Writes the log, starts a host on it, joins a component to it; every step timed. */
export async function recoveryAtScale(events: number, frameEvents = 8): Promise<RecoveryFigures> {
  const folder = tempFolder('recovery');
  try {
    const t0 = performance.now();
    const stored = writeLiveLikeLog(folder.dir, events, frameEvents);
    const writeSeconds = (performance.now() - t0) / 1000;
    const busPort = 20_000 + Math.floor(Math.random() * 30_000);
    const host = spawnOrdo(['host', '--data-dir', folder.dir, '--port', '0', '--venue-tick-ms', '0', '--bus-port', String(busPort)], /^ordo ready /m);
    try {
      const ready = await host.line;
      const comp = spawnOrdo(['component', 'risk', '--connect', `127.0.0.1:${busPort}`, '--id', 'risk-2', '--data-dir', folder.dir], /caught up at seq (\d+)/);
      try {
        const joined = await comp.line;
        return { events: stored, frameEvents, writeSeconds, hostReadySeconds: ready.seconds, joinSeconds: joined.seconds };
      } finally {
        await comp.stop();
      }
    } finally {
      await host.stop();
    }
  } finally {
    folder.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const events = Number(process.argv[2] ?? 1_000_000);
  const frameEvents = Number(process.argv[3] ?? 8);
  recoveryAtScale(events, frameEvents).then(
    (f) => {
      console.log(JSON.stringify(f));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}

/** The `recovery` scenario of `npm run bench`: rows in main.ts's shape. */
export async function recoveryRows(quick: boolean, log: (s: string) => void): Promise<{ key: string; label: string; value: number; unit: string; target?: { op: '>=' | '<='; value: number }; note?: string }[]> {
  const events = quick ? 50_000 : 5_000_000;
  log(`recovery: a ${events.toLocaleString('en-US')}-event session in 8-event frames; ordo host ready, then a component joining…`);
  const f = await recoveryAtScale(events, 8);
  const note = `${f.events.toLocaleString('en-US')} events, ${f.frameEvents}-event frames, separate processes`;
  return [
    { key: 'recovery_host_ready_s', label: 'host ready on the session', value: f.hostReadySeconds, unit: 's', target: { op: '<=', value: 10 }, note },
    { key: 'recovery_join_s', label: 'component joining, caught up', value: f.joinSeconds, unit: 's', target: { op: '<=', value: 5 }, note },
  ];
}
