/**
 * The write lock an in-session checkpoint round takes, as the host's sequencer sees it (issue 11, decision 239):
 *
 *   node dist/bench/checkpoint-lock.js --make EVENTS DIR     writes an EVENTS-event session to DIR/ordo.db
 *   node dist/bench/checkpoint-lock.js DIR ROOT [EVERY]      one round of ROOT's build on a copy of DIR/ordo.db
 *
 * The second form copies the log, forks ROOT's dist/engine/host/checkpoint-process.js on the copy (as the host
 * does, every EVERY events, default 250,000) and, until the process ends, commits one small row every
 * millisecond on a connection opened like the host's writer (openWritableLog: BEGIN IMMEDIATE, busy_timeout
 * 5000, so SQLite's busy handler sleeps 1, 2, 5, 10 ms … while another connection holds the write lock). Prints
 * one JSON line: the round's outcome (seqs written), its wall time, the commits, those over 2 ms with their
 * longest, and per thread of the checkpoint process its nice value and CPU time (from /proc, sampled every
 * 50 ms: the last sample before it ended). Run it under `perf stat -e syscalls:sys_enter_clock_nanosleep` for
 * the busy handler's sleeps (the only sleeps of this process), and interleave the builds (A, B, A, B …).
 * $CKPT_LOCK_SPIN=1: the commits retry BEGIN IMMEDIATE every 0.2 ms themselves instead of SQLite's busy handler.
 */
import { fork, spawn } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWritableLog } from '../engine/store/log.ts';
import { writeLiveLikeLog } from './recovery.ts';
import { runMain, tempFolder } from './util.ts';

interface ThreadSample {
  comm: string;
  nice: number;
  cpuMs: number;
}

/** Per thread of `pid`: its name, nice value and CPU time (utime + stime, ms), from /proc. */
function sampleThreads(pid: number): Map<number, ThreadSample> {
  const out = new Map<number, ThreadSample>();
  const tick = 10; // ms per clock tick (USER_HZ 100)
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      // Fields after the name, from 3 (state): utime is 14, stime 15, nice 19.
      out.set(Number(t), { comm, nice: Number(f[16]), cpuMs: (Number(f[11]) + Number(f[12])) * tick });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

runMain(async () => {
  const args = process.argv.slice(2);
  if (args[0] === '--make') {
    const n = writeLiveLikeLog(args[2]!, Number(args[1]), 8);
    console.log(`${n} events written to ${args[2]}`);
    return;
  }
  const [dir, root, every] = args as [string, string, string | undefined];
  const folder = tempFolder('ckpt-lock');
  try {
    const db = join(folder.dir, 'ordo.db');
    copyFileSync(join(dir, 'ordo.db'), db);
    const log = openWritableLog(db);
    log.db.exec('CREATE TABLE IF NOT EXISTS bench_commits (at REAL)');
    const insert = log.db.prepare('INSERT INTO bench_commits (at) VALUES (?)');
    const commits: number[] = [];
    const spin = process.env['CKPT_LOCK_SPIN'] === '1';
    if (spin) log.db.pragma('busy_timeout = 0');
    const nap = new Int32Array(new SharedArrayBuffer(4));
    const t0 = performance.now();
    const child = fork(join(root, 'dist/engine/host/checkpoint-process.js'), [db, every ?? '250000'], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    // $CKPT_LOCK_STRACE=FILE: the round's lock calls (fcntl) and writes, per thread, with wall times.
    const traceTo = process.env['CKPT_LOCK_STRACE'];
    if (traceTo) spawn('strace', ['-f', '-tt', '-e', 'trace=fcntl,pwrite64', '-o', traceTo, '-p', String(child.pid)], { stdio: 'ignore' });
    const longAt: string[] = [];
    const threads = new Map<number, ThreadSample>();
    const sampler = setInterval(() => {
      try {
        // Merged: a thread that ended before the process keeps its last sample.
        for (const [tid, t] of sampleThreads(child.pid!)) threads.set(tid, t);
      } catch {
        // Ended.
      }
    }, 50);
    let outcome: unknown;
    child.on('message', (m) => (outcome = m));
    let done = false;
    const exited = new Promise<void>((r) => child.once('exit', () => ((done = true), r())));
    const commitLoop = (async () => {
      while (!done) {
        const a = performance.now();
        if (spin) {
          // $CKPT_LOCK_SPIN: no busy handler (timeout 0); BEGIN IMMEDIATE retried every 0.2 ms instead of SQLite's
          // 1, 2, 5, 10 ms sleeps (what a custom busy handler would do; better-sqlite3 exposes none).
          for (;;) {
            try {
              log.transaction(() => insert.run(a));
              break;
            } catch (err) {
              if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
              Atomics.wait(nap, 0, 0, 0.2);
            }
          }
        } else log.transaction(() => insert.run(a));
        const took = performance.now() - a;
        commits.push(took);
        if (took > 2) longAt.push(`${new Date(performance.timeOrigin + a).toISOString().slice(11, 23)} ${took.toFixed(1)}`);
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await exited;
    await commitLoop;
    clearInterval(sampler);
    const wallMs = performance.now() - t0;
    log.close();
    const long = commits.filter((c) => c > 2);
    console.log(
      JSON.stringify({
        root,
        spin,
        wallMs: Math.round(wallMs),
        outcome,
        commits: commits.length,
        over2: long.length,
        over2Ms: Math.round(long.reduce((s, c) => s + c, 0)),
        longestMs: Number(Math.max(...commits).toFixed(1)),
        over2Hist: [3, 9, 19, 44, Infinity].map((b, i, bs) => long.filter((c) => c <= b && c > (bs[i - 1] ?? 2)).length),
        ...(traceTo ? { longAt } : {}),
        threads: [...threads.values()].filter((t) => t.cpuMs > 0 || t.nice !== 0),
      }),
    );
  } finally {
    folder.dispose();
  }
});
