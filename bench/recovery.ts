import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame } from '../engine/protocol/codec.ts';
import type { Sequenced } from '../engine/protocol/events.ts';
import { checkpointRound, closeForCheckpoints, openForCheckpoints } from '../engine/host/checkpoint-maker.ts';
import { openWritableLog } from '../engine/store/log.ts';
import { orderSession } from './session.ts';
import { freePortRun, tempFolder } from './util.ts';

/**
 * Recovery at scale (issue 11): how long `ordo host` takes to be ready on a
 * data dir whose open session holds N events, and how long a component in
 * its own process takes to join it caught up. The log is written the way a
 * live host writes it: small frames (FRAME_EVENTS events per frame), one
 * commit per few frames, so the replay reads as many rows as a real restart
 * would. Run: `node dist/bench/recovery.js [events] [frameEvents]
 * [--with-checkpoints]`, or as the `recovery` scenario of `npm run bench`
 * (which times both: from seq 1, then from in-session checkpoints).
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
  /** The same through the host's replay service (a component with the keys only, as from another machine). */
  readonly serviceJoinSeconds: number;
  /**
   * With in-session checkpoints (a live host writes one every 250,000 events; here the newest leaves a
   * tail of `tail` events, half that spacing): host ready, component join (its CPU too), and the round's time.
   */
  readonly checkpointed?: { readonly tail: number; readonly roundSeconds: number } & Joins;
}

/** User + system CPU seconds of a process so far (Linux /proc; USER_HZ 100). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
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
  readonly line: Promise<{ match: RegExpMatchArray; seconds: number; cpuSeconds: number }>;
  stop(): Promise<void>;
}

function spawnOrdo(args: string[], ready: RegExp): Spawned {
  const t0 = performance.now();
  const child = spawn(process.execPath, [ORDO, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const line = new Promise<{ match: RegExpMatchArray; seconds: number; cpuSeconds: number }>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ match: m, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSeconds(child.pid!) });
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

/** Host ready; a component joining with the host's data dir (it reads the log file itself, decision 259); one joining with the keys only (through the host's replay service, as from another machine). */
interface Joins {
  readonly hostReadySeconds: number;
  readonly joinSeconds: number;
  readonly joinCpuSeconds: number;
  readonly serviceJoinSeconds: number;
  readonly serviceJoinCpuSeconds: number;
}

/** Starts a host on `dir` and joins a component to it both ways, one after the other: ready and caught-up times; another port run if one was taken. */
async function readyAndJoin(dir: string): Promise<Joins> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readyAndJoinOn(dir, await freePortRun());
    } catch (err) {
      // Free when probed is not reserved: another process may bind one of the seven before the host does.
      if (attempt === 3 || !/already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function readyAndJoinOn(dir: string, busPort: number): Promise<Joins> {
  const host = spawnOrdo(['host', '--data-dir', dir, '--port', '0', '--venue-tick-ms', '0', '--checkpoint-every', '0', '--bus-port', String(busPort)], /^ordo ready /m);
  try {
    const ready = await host.line;
    const joinOne = async (id: string, dataDir: string, from: string) => {
      const comp = spawnOrdo(['component', 'risk', '--connect', `127.0.0.1:${busPort}`, '--id', id, '--data-dir', dataDir], /caught up at seq (\d+), \w+, rewound from (.+)$/m);
      try {
        const joined = await comp.line;
        if (joined.match[2] !== from) throw new Error(`ordo component ${id} rewound from ${joined.match[2]}, not from ${from}`);
        return joined;
      } finally {
        await comp.stop();
      }
    };
    const local = await joinOne('risk-2', dir, 'the log file');
    // The keys alone: the component has no log beside it and asks the host's replay service.
    const keysOnly = mkdtempSync(join(tmpdir(), 'ordo-bench-keys-'));
    try {
      cpSync(join(dir, 'keys'), join(keysOnly, 'keys'), { recursive: true });
      const remote = await joinOne('risk-3', keysOnly, 'the replay service');
      return { hostReadySeconds: ready.seconds, joinSeconds: local.seconds, joinCpuSeconds: local.cpuSeconds, serviceJoinSeconds: remote.seconds, serviceJoinCpuSeconds: remote.cpuSeconds };
    } finally {
      rmSync(keysOnly, { recursive: true, force: true });
    }
  } finally {
    await host.stop();
  }
}

/**
 * Writes the log, starts a host on it, joins a component to it; every step timed. Then, with `checkpoints`,
 * writes in-session checkpoints as a live host would have (`ordo checkpoint`'s round; the newest leaves a tail
 * of 125,000 events, half the live spacing) and times both again: the host resumes and the component joins
 * from the newest (decision 140).
 */
export async function recoveryAtScale(events: number, frameEvents = 8, checkpoints = false): Promise<RecoveryFigures> {
  const folder = tempFolder('recovery');
  try {
    const t0 = performance.now();
    const stored = writeLiveLikeLog(folder.dir, events, frameEvents);
    const writeSeconds = (performance.now() - t0) / 1000;
    // Checkpoints off (--checkpoint-every 0): the first starts replay the session from seq 1.
    const plain = await readyAndJoin(folder.dir);
    const figures: RecoveryFigures = { events: stored, frameEvents, writeSeconds, hostReadySeconds: plain.hostReadySeconds, joinSeconds: plain.joinSeconds, serviceJoinSeconds: plain.serviceJoinSeconds };
    if (!checkpoints) return figures;
    const tail = Math.min(125_000, Math.floor(stored / 4));
    // Multiples of `every` up to the log's end: the newest at stored - tail (rounded down).
    const every = Math.floor((stored - tail) / Math.max(1, Math.floor((stored - tail) / 250_000)));
    const t1 = performance.now();
    const db = openForCheckpoints(join(folder.dir, 'ordo.db'));
    try {
      checkpointRound(db, { every });
    } finally {
      closeForCheckpoints(db);
    }
    const roundSeconds = (performance.now() - t1) / 1000;
    const resumed = await readyAndJoin(folder.dir);
    return { ...figures, checkpointed: { tail: stored - Math.floor(stored / every) * every, roundSeconds, ...resumed } };
  } finally {
    folder.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const events = Number(process.argv[2] ?? 1_000_000);
  const frameEvents = Number(process.argv[3] ?? 8);
  recoveryAtScale(events, frameEvents, process.argv.includes('--with-checkpoints')).then(
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
  log(`recovery: a ${events.toLocaleString('en-US')}-event session in 8-event frames; ordo host ready, then a component joining, without checkpoints and then with…`);
  const f = await recoveryAtScale(events, 8, true);
  const note = `${f.events.toLocaleString('en-US')} events, ${f.frameEvents}-event frames, separate processes, no checkpoints (replay from seq 1)`;
  const c = f.checkpointed!;
  const cnote = `from the newest in-session checkpoint, ${c.tail.toLocaleString('en-US')}-event tail; checkpoint round ${c.roundSeconds.toFixed(0)} s; load avg ${loadavg()[0]!.toFixed(1)}`;
  log(`recovery: from a checkpoint: host ready ${c.hostReadySeconds.toFixed(2)} s, join from the log file ${c.joinSeconds.toFixed(2)} s (component CPU ${c.joinCpuSeconds.toFixed(2)} s), through the replay service ${c.serviceJoinSeconds.toFixed(2)} s (CPU ${c.serviceJoinCpuSeconds.toFixed(2)} s)`);
  return [
    { key: 'recovery_host_ready_s', label: 'host ready on the session', value: f.hostReadySeconds, unit: 's', note },
    { key: 'recovery_join_s', label: 'component joining, caught up', value: f.joinSeconds, unit: 's', note: `${note}; with the host's data dir, reading the log file (decision 259)` },
    { key: 'recovery_service_join_s', label: 'component joining via the replay service, caught up', value: f.serviceJoinSeconds, unit: 's', note: `${note}; keys only, as from another machine` },
    { key: 'recovery_ckpt_host_ready_s', label: 'host ready on the session, from a checkpoint', value: c.hostReadySeconds, unit: 's', target: { op: '<=', value: 10 }, note: cnote },
    { key: 'recovery_ckpt_join_s', label: 'component joining, caught up, from a checkpoint', value: c.joinSeconds, unit: 's', target: { op: '<=', value: 5 }, note: `${cnote}; reading the log file; component CPU ${c.joinCpuSeconds.toFixed(2)} s` },
    { key: 'recovery_ckpt_service_join_s', label: 'component joining via the replay service, from a checkpoint', value: c.serviceJoinSeconds, unit: 's', target: { op: '<=', value: 5 }, note: `keys only, as from another machine; component CPU ${c.serviceJoinCpuSeconds.toFixed(2)} s` },
  ];
}
