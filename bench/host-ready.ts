import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLiveLikeLog } from './recovery.ts';

/**
 * Host start-up on an existing session, repeatable: writes one ~N-event open
 * session (bench/session.ts's mix, 8-event frames, as recovery.ts does), then
 * starts `ordo host` on a fresh copy of it `runs` times per build and prints
 * wall time to the ready line and the host's CPU time (user + system, all
 * threads, from /proc) at that moment. Checkpoints off. Several builds
 * (paths to bin/ordo.mjs) run interleaved, so a loaded machine hurts all alike.
 * Run: `node dist/bench/host-ready.js [events] [runs] [ordo.mjs ...] [--with-checkpoints]`.
 * `--with-checkpoints`: first runs `ordo checkpoint` (the first build's) on the
 * stored log, so a build that starts from in-session checkpoints (decision
 * 140) can; the round's time is printed.
 */

const TICK = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

function readyOnce(ordo: string, db: string, extra: string[]): Promise<{ wall: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'host-ready-run-'));
  copyFileSync(db, join(dir, 'ordo.db'));
  const t0 = performance.now();
  const child = spawn(process.execPath, [...extra, ordo, 'host', '--data-dir', dir, '--port', '0', '--venue-tick-ms', '0', '--checkpoint-every', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    let result: { wall: number; cpu: number } | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (result === undefined && /^ordo ready /m.test(out)) {
        result = { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds(child.pid!) };
        child.kill('SIGTERM');
      }
    });
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (result) resolve(result);
      else reject(new Error(`host exited ${code} before ready: ${err.trim()}`));
    });
  });
}

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 500_000);
  const runs = Number(process.argv[3] ?? 3);
  const builds = process.argv.slice(4).filter((a) => !a.startsWith('--'));
  const withCheckpoints = process.argv.includes('--with-checkpoints');
  const nodeFlags = process.argv.slice(4).filter((a) => a.startsWith('--') && a !== '--with-checkpoints');
  if (builds.length === 0) builds.push(fileURLToPath(new URL('../../bin/ordo.mjs', import.meta.url)));
  const src = mkdtempSync(join(tmpdir(), 'host-ready-'));
  try {
    const t0 = performance.now();
    const stored = writeLiveLikeLog(src, events, 8);
    console.log(JSON.stringify({ events: stored, writeSeconds: +((performance.now() - t0) / 1000).toFixed(1) }));
    if (withCheckpoints) {
      const t1 = performance.now();
      const r = spawnSync(process.execPath, [builds[0]!, 'checkpoint', '--data-dir', src], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ordo checkpoint failed: ${r.stderr.trim()}`);
      console.log(JSON.stringify({ checkpointRoundSeconds: +((performance.now() - t1) / 1000).toFixed(1), out: r.stdout.trim() }));
    }
    for (let r = 0; r < runs; r++) {
      for (const ordo of builds) {
        const load = loadavg()[0]!.toFixed(1);
        const f = await readyOnce(ordo, join(src, 'ordo.db'), nodeFlags);
        console.log(JSON.stringify({ run: r + 1, ordo, wallS: +f.wall.toFixed(2), cpuS: +f.cpu.toFixed(2), load1: load }));
      }
    }
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
