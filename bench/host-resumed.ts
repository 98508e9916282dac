import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Issue 15's host memory as an operator meets it (decision 294): `ordo host` (a process of its own, as shipped,
 * with its huge-page heap and start-up give-back) resumed on a stored session from its newest checkpoint, its
 * VmRSS and VmHWM read from /proc 1 s after the ready line. bench/main.ts's `host_rss_mib_5m` is a host that took
 * the events live inside the bench process; this is the one restarted on them.
 */

const ORDO = fileURLToPath(new URL('../../bin/ordo.mjs', import.meta.url));

export interface ResumedHost {
  readonly rssBytes: number;
  readonly hwmBytes: number;
  readonly readySeconds: number;
  /** The host's minor faults from its start to the ready line. */
  readonly minorFaults: number;
  /** The seq of the checkpoint start-up resumed from (0: none, the session was replayed from seq 1). */
  readonly fromCheckpoint: number;
}

function statusBytes(pid: number, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function minorFaults(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[7]);
}

/** Starts `ordo host` on `dataDir` (no bus ports, no in-session checkpoints), measures it 1 s after ready, stops it. Linux only (/proc). */
export function resumedHostRss(dataDir: string, settleMs = 1000): Promise<ResumedHost> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [ORDO, 'host', '--data-dir', dataDir, '--port', '0', '--no-auto-open', '--checkpoint-every', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ORDO_BUS_PORT: 'off', ORDO_LOG_LEVEL: 'info' },
  });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise<ResumedHost>((resolve, reject) => {
    let ready = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (ready || !/^ordo ready /m.test(out)) return;
      ready = true;
      const readySeconds = (performance.now() - t0) / 1000;
      const faults = minorFaults(child.pid!);
      setTimeout(() => {
        try {
          const m = /resumes session \d+ from its checkpoint at seq (\d+)/.exec(err);
          resolve({ rssBytes: statusBytes(child.pid!, 'VmRSS'), hwmBytes: statusBytes(child.pid!, 'VmHWM'), readySeconds, minorFaults: faults, fromCheckpoint: m ? Number(m[1]) : 0 });
        } catch (e) {
          reject(e as Error);
        }
        child.kill('SIGTERM');
      }, settleMs);
    });
    void exited.then((code) => {
      if (!ready) reject(new Error(`ordo host exited ${code} before ready: ${err.trim().split('\n').pop() ?? ''}`));
    });
  }).finally(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  });
}
