/**
 * What a component's catch-up costs the host's MAIN thread (issue 11: "catch-up reads do not starve the live
 * path"; decision 228), in figures a loaded machine bends little: the kernel's schedstat of the host's main thread
 * (on-core and waiting-for-a-core time) and of all its threads, from the component's spawn to its caught-up line,
 * and the longest main-thread loop gap in that window with its on-core part (bench/host-probe.ts, $ORDO_HOST_GAPS).
 * No order load: what the main thread spends is the catch-up's (less the idle host's, measured just before). The
 * host makes no in-session checkpoints (--checkpoint-every 0), so every run rewinds the whole session from seq 1
 * (with them, a run would fetch a checkpoint or not depending on how far the host got making it); its venue sends no
 * market data (--venue-tick-ms 0), so the idle host's main thread costs a few ms a second and taking it off leaves
 * the catch-up's part, not the noise of a busier baseline.
 *
 *   node dist/bench/catch-up-cost.js EVENTS RUNS ROOT...
 *
 * ROOT is an Ordo checkout with dist/ built (its bin/ordo.mjs runs the host and the component); with several, the
 * runs are interleaved (A, B, A, B, ...) on copies of one written session.
 */
import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostProbe } from './host-probe.ts';
import { writeLiveLikeLog } from './recovery.ts';
import { freePortRun, runMain, sleep, tempFolder } from './util.ts';

const PROBE = fileURLToPath(new URL('./host-probe.js', import.meta.url));
const GAP_MS = 2;

/** [on-core ns, waiting ns] of one task. */
function schedstat(pid: number, tid: number): [number, number] {
  const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
  return [run!, wait!];
}

/** On-core ns of every thread of a process, summed (threads that ended are not counted). */
function allThreads(pid: number): number {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += schedstat(pid, Number(t))[0];
    } catch {
      // ended meanwhile
    }
  }
  return ns;
}

function waitFor(child: ReturnType<typeof spawn>, re: RegExp, what: string): Promise<RegExpMatchArray> {
  return new Promise((res, rej) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d));
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = re.exec(out);
      if (m) res(m);
    });
    child.once('exit', (code) => rej(new Error(`${what} exited ${code}: ${err.trim().split('\n')[0] ?? ''}`)));
  });
}

/**
 * On-core ns of a process's threads by kind: ZeroMQ's I/O threads (comm ZMQbg/…: the bus's bytes and their CURVE
 * encryption, at normal priority) and the threads running below normal priority (nice > 0: the replay service's
 * reading thread, decision 228).
 */
function threadKinds(pid: number): { zmq: number; niced: number } {
  let zmq = 0;
  let niced = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      const ns = schedstat(pid, Number(t))[0];
      if (comm.startsWith('ZMQbg')) zmq += ns;
      else if (nice > 0) niced += ns;
    } catch {
      // ended meanwhile
    }
  }
  return { zmq, niced };
}

interface Run {
  root: string;
  seconds: number;
  mainMs: number;
  mainWaitMs: number;
  mainRawMs: number;
  idleMainMsPerS: number;
  hostAllMs: number;
  /** All host threads' on-core time less the idle host's over as long. */
  hostAllCatchUpMs: number;
  /** The host's ZeroMQ I/O threads' and its below-normal-priority threads' on-core ms in the window. */
  zmqMs: number;
  nicedMs: number;
  /** Where the component read the rewind (its caught-up line; before decision 259 always the replay service). */
  from: string;
  worstGap: [number, number];
  gapsOver: number;
  joinLine: string;
  /** The host's GCs in the window: count, longest pause (ms), and how many were full (mark-compact) ones. */
  gc: { n: number; maxMs: number; full: number; totalMs: number };
  /** The host's V8 heap used, grown over the window (MiB, last sample less first), and its highest external memory (MiB). */
  heapGrowMiB: number;
  externalMaxMiB: number;
}

async function once(root: string, template: string, busPort: number): Promise<Run> {
  const folder = tempFolder('catchup-cost');
  try {
    cpSync(template, folder.dir, { recursive: true });
    const bin = join(root, 'bin', 'ordo.mjs');
    const probeOut = join(folder.dir, 'host-probe.json');
    const host = spawn(process.execPath, ['--import', PROBE, bin, 'host', '--data-dir', folder.dir, '--port', '0', '--venue-tick-ms', '0', '--stale-ms', '60000', '--checkpoint-every', '0', '--bus-port', String(busPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ORDO_HOST_PROBE_OUT: probeOut, ORDO_HOST_GAPS: String(GAP_MS) },
    });
    const exited = new Promise<void>((r) => host.once('exit', () => r()));
    try {
      await waitFor(host, /^ordo ready /m, 'host');
      const pid = host.pid!;
      // Start-up's own work after ready (the clientOrderId index built a slice a turn, the compactor's first
      // rounds) settles first: up to 90 s for a second of the main thread under 20 ms on a core.
      let settled = NaN;
      for (let i = 0; i < 90 && !(settled < 20); i++) {
        const a = schedstat(pid, pid);
        await sleep(1000);
        settled = (schedstat(pid, pid)[0] - a[0]) / 1e6;
      }
      const i0 = schedstat(pid, pid);
      const ia0 = allThreads(pid);
      await sleep(2000);
      const i1 = schedstat(pid, pid);
      const idleMainMsPerS = (i1[0] - i0[0]) / 1e6 / 2;
      const idleAllMsPerS = (allThreads(pid) - ia0) / 1e6 / 2;
      const m0 = schedstat(pid, pid);
      const a0 = allThreads(pid);
      const k0 = threadKinds(pid);
      const t0 = performance.now();
      const e0 = Date.now();
      const component = spawn(process.execPath, [bin, 'component', 'risk', '--connect', `127.0.0.1:${busPort}`, '--id', 'risk-2', '--data-dir', folder.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let joinLine = 'rewinds from seq 1';
      let from = '';
      component.stdout!.on('data', (d: Buffer) => (from = /rewound from (.*)/.exec(String(d))?.[1] ?? from));
      component.stderr!.on('data', (d: Buffer) => (joinLine = /joins session \d+ from its checkpoint at seq \d+/.exec(String(d))?.[0] ?? joinLine));
      try {
        await waitFor(component, /caught up at seq \d+/, 'component');
      } finally {
        component.kill('SIGTERM');
      }
      const seconds = (performance.now() - t0) / 1000;
      const e1 = Date.now();
      const m1 = schedstat(pid, pid);
      const a1 = allThreads(pid);
      const k1 = threadKinds(pid);
      host.kill('SIGTERM');
      await exited;
      const probe = JSON.parse(readFileSync(probeOut, 'utf8')) as HostProbe;
      const gaps = (probe.gaps ?? []).filter(([at]) => at >= e0 && at <= e1);
      const gcs = probe.gc.filter(([, at]) => at >= e0 && at <= e1);
      const mem = probe.mem.filter(([at]) => at >= e0 && at <= e1);
      const worst = gaps.reduce<[number, number]>((w, g) => (g[2] > w[1] ? [g[1], g[2]] : w), [0, 0]);
      return {
        root,
        seconds,
        mainMs: (m1[0] - m0[0]) / 1e6 - idleMainMsPerS * seconds,
        mainRawMs: (m1[0] - m0[0]) / 1e6,
        mainWaitMs: (m1[1] - m0[1]) / 1e6,
        idleMainMsPerS,
        hostAllMs: (a1 - a0) / 1e6,
        hostAllCatchUpMs: (a1 - a0) / 1e6 - idleAllMsPerS * seconds,
        from: from || 'the replay service',
        zmqMs: (k1.zmq - k0.zmq) / 1e6,
        nicedMs: (k1.niced - k0.niced) / 1e6,
        worstGap: worst,
        gapsOver: gaps.length,
        joinLine,
        gc: { n: gcs.length, maxMs: Math.max(0, ...gcs.map((g) => g[2])), full: gcs.filter((g) => g[0] !== 'scavenge').length, totalMs: gcs.reduce((t, g) => t + g[2], 0) },
        heapGrowMiB: mem.length > 0 ? (mem.at(-1)![1] - mem[0]![1]) / 1048576 : NaN,
        externalMaxMiB: Math.max(0, ...mem.map((m) => m[2])) / 1048576,
      };
    } finally {
      host.kill('SIGTERM');
      await exited;
    }
  } finally {
    folder.dispose();
  }
}

runMain(async () => {
  const [eventsArg, runsArg, ...roots] = process.argv.slice(2);
  const events = Number(eventsArg) || 1_000_000;
  const runs = Number(runsArg) || 1;
  const under = roots.length > 0 ? roots.map((r) => resolve(r)) : [resolve(fileURLToPath(new URL('../..', import.meta.url)))];
  const template = tempFolder('catchup-cost-template');
  try {
    const stored = writeLiveLikeLog(template.dir, events, 8);
    console.log(`session of ${stored.toLocaleString('en-US')} events written; ${runs} run(s) of each of ${under.join(', ')}`);
    for (let i = 0; i < runs; i++) {
      for (const root of under) {
        const busPort = await freePortRun();
        const load = loadavg()[0]!.toFixed(1);
        const r = await once(root, template.dir, busPort);
        console.log(
          `${root}: ${r.joinLine} from ${r.from}, caught up in ${r.seconds.toFixed(2)} s; host main thread on-core ${r.mainRawMs.toFixed(0)} ms, for the catch-up ${r.mainMs.toFixed(0)} ms ` +
            `(idle ${r.idleMainMsPerS.toFixed(1)} ms/s taken off), waiting for a core ${r.mainWaitMs.toFixed(0)} ms; all host threads ${r.hostAllMs.toFixed(0)} ms, for the catch-up ${r.hostAllCatchUpMs.toFixed(0)} ms (ZeroMQ I/O threads ${r.zmqMs.toFixed(0)} ms, niced threads ${r.nicedMs.toFixed(0)} ms); ` +
            `loop gaps >= ${GAP_MS} ms: ${r.gapsOver}, longest on-core ${r.worstGap[1].toFixed(1)} ms (wall ${r.worstGap[0].toFixed(1)}); ` +
            `GCs ${r.gc.n} (${r.gc.full} not scavenges), longest ${r.gc.maxMs.toFixed(1)} ms, total ${r.gc.totalMs.toFixed(1)} ms; heap used grew ${r.heapGrowMiB.toFixed(1)} MiB, external max ${r.externalMaxMiB.toFixed(0)} MiB; load ${load} -> ${loadavg()[0]!.toFixed(1)}`,
        );
      }
    }
  } finally {
    template.dispose();
  }
});
