/**
 * Issue 11: "while a component catches up, order-ack p99 at 1,000 orders/s
 * stays ≤ 10 ms (catch-up reads do not starve the live path)". Writes an
 * `events`-event open session (bench/recovery.ts's live-like writer), starts
 * `ordo host --bus-port P` on it, sends orders at `rate`/s over HTTP, and
 * after 10 s (a quarter of a short run) starts `ordo component risk --connect` (a standby in its own
 * process, rewinding the whole session through the host's replay service).
 * Order-ack latency (from each order's due time) is split into before the
 * join, while the component catches up (until it prints its caught-up line),
 * and after.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acksOf, type CatchUpLoad, LOAD_START } from './catch-up-load.ts';
import { hostProbe, probeLines } from './ack.ts';
import { generatorLine, probeGenerator } from './generator-probe.ts';
import type { HostProbe } from './host-probe.ts';
import type { GeneratorProbe } from './generator-probe.ts';
import { type Ack, apiCaller, ORDO_BIN, orderFlow, pacedOrders, quantile, startHostProcess } from './host-load.ts';
import { writeLiveLikeLog } from './recovery.ts';
import { recordSched, schedDelay, schedDelayLine } from './sched-delay.ts';
import { type BenchRow, freePortRun, tempFolder } from './util.ts';

const MIB = 1048576;

/** The host's heap and external memory over a phase: at its start, highest, at its end (MiB, sampled every 100 ms). */
function memLine(mem: HostProbe['mem'], from: number, to: number): string {
  const inPhase = mem.filter(([at]) => at >= from && at < to);
  if (inPhase.length === 0) return 'memory: no samples';
  const f = (i: 1 | 2 | 3) => `${(inPhase[0]![i] / MIB).toFixed(0)} → max ${(Math.max(...inPhase.map((m) => m[i])) / MIB).toFixed(0)} → ${(inPhase.at(-1)![i] / MIB).toFixed(0)}`;
  return `memory (MiB, start → max → end): heap used ${f(1)}, external ${f(2)}, of it ArrayBuffers ${f(3)}`;
}

/**
 * The host's loop gaps in a phase (with $ORDO_HOST_GAPS), summed: how many a second, and their wall time split into
 * the main thread on a core, waiting for a core (runnable, not scheduled: other threads and processes had the cores)
 * and GC pauses inside them. Tells a phase whose slow turns are the host's own work or GC from one where the host
 * was not given a core.
 */
function gapLine(p: HostProbe, from: number, to: number): string {
  const gaps = (p.gaps ?? []).filter(([at]) => at >= from && at < to);
  const sum = (i: 1 | 2 | 3) => gaps.reduce((t, g) => t + g[i], 0);
  const gc = gaps.reduce((t, [at, wall]) => t + p.gc.filter(([, g]) => g >= at && g < at + wall).reduce((u, g) => u + g[2], 0), 0);
  const waitingMost = gaps.filter(([, , run, wait]) => wait >= run).length;
  const secs = Math.max((to - from) / 1000, 1e-3);
  return `loop gaps: ${gaps.length} (${(gaps.length / secs).toFixed(1)}/s), ${sum(1).toFixed(1)} ms wall: ${sum(2).toFixed(1)} on a core, ${sum(3).toFixed(1)} waiting for a core, GC ${gc.toFixed(1)}; waiting ≥ on a core in ${waitingMost}`;
}

/**
 * The catch-up window's slow orders (20 ms or more from due time) in runs (orders due within 50 ms of each other):
 * when due, how many, the longest latency, and of it the longest wait to be sent (the load generator's own delay:
 * sent − due) and the longest from sent to answered (the host, the TCP path and the generator's reading of the
 * answer); with the generator's loop gaps and GC pauses that overlap the run. Places the stall.
 */
export function stallLines(ok: readonly Ack[], from: number, to: number, g: GeneratorProbe, loadEpoch: number): string[] {
  const slow = ok.filter((a) => a.dueMs >= from && a.dueMs <= to && a.ms >= 20).sort((x, y) => x.dueMs - y.dueMs);
  const runs: Ack[][] = [];
  for (const a of slow) {
    const r = runs.at(-1);
    if (r && a.dueMs - r.at(-1)!.dueMs <= 50) r.push(a);
    else runs.push([a]);
  }
  const lines = [`while catching up: ${slow.length} orders of 20 ms or more, in ${runs.length} runs; sent late by 5 ms or more: ${ok.filter((a) => a.dueMs >= from && a.dueMs <= to && a.sentMs - a.dueMs >= 5).length}`];
  for (const r of runs.slice(0, 20)) {
    const a0 = r[0]!.dueMs;
    const a1 = r.at(-1)!.dueMs + Math.max(...r.map((a) => a.ms));
    const maxMs = Math.max(...r.map((a) => a.ms));
    const sendLag = Math.max(...r.map((a) => a.sentMs - a.dueMs));
    const answer = Math.max(...r.map((a) => a.dueMs + a.ms - a.sentMs));
    const gaps = g.gaps.filter(([at, w]) => at - loadEpoch < a1 && at + w - loadEpoch > a0).map(([at, w, run, wait]) => `@${((at - loadEpoch) / 1000).toFixed(3)} ${w.toFixed(1)} ms (${run.toFixed(1)} on a core, ${wait.toFixed(1)} waiting)`);
    const gcs = g.gc.filter(([, at, ms]) => at - loadEpoch < a1 && at + ms - loadEpoch > a0).map(([k, at, ms]) => `${k} @${((at - loadEpoch) / 1000).toFixed(3)} ${ms.toFixed(1)} ms`);
    lines.push(`slow run due @${(a0 / 1000).toFixed(3)}–${(r.at(-1)!.dueMs / 1000).toFixed(3)} s: ${r.length} orders, max ${maxMs.toFixed(1)} ms; sent up to ${sendLag.toFixed(1)} ms late; sent → answered up to ${answer.toFixed(1)} ms; generator gaps: ${gaps.join(', ') || 'none'}; generator GC: ${gcs.join(', ') || 'none'}`);
  }
  return lines;
}

/**
 * The host's child processes now, by script (/proc): a checkpoint round (engine/host/checkpoint-process.ts, forked
 * within 2 s of the host's start on a session past 250,000 events without a checkpoint) still running at the join
 * both competes for the cores and leaves the component no checkpoint, so it rewinds from seq 1.
 */
function hostChildrenAt(pid: number): string {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter((k) => k !== '');
    const names = kids.map((k) => {
      try {
        return `${k} ${readFileSync(`/proc/${k}/cmdline`, 'utf8').split('\0').find((a) => a.endsWith('.js')) ?? '?'}`;
      } catch {
        return `${k} (gone)`;
      }
    });
    return names.length === 0 ? 'none' : names.join(', ');
  } catch {
    return 'unknown (no /proc)';
  }
}

/**
 * Runs bench/catch-up-load.ts against the host; once its first order is due, `onStart(epoch, pid)` (the generator's pid) gives the action to
 * run `joinAt` seconds later (here, on this process's loop). Resolves with what the child wrote.
 */
function loadInChild(host: { port: number; token: string }, rate: number, seconds: number, out: string, joinAt: number, onStart: (epoch: number, pid: number) => () => void): Promise<CatchUpLoad> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL('./catch-up-load.js', import.meta.url));
    const child = spawn(process.execPath, [script, String(host.port), host.token, String(rate), String(seconds), out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stderr!.on('data', (d: Buffer) => (err += d));
    child.stdout!.on('data', (d: Buffer) => {
      text += d;
      const m = new RegExp(`^${LOAD_START}(\\d+)$`, 'm').exec(text);
      if (m && timer === undefined) {
        const epoch = Number(m[1]);
        const action = onStart(epoch, child.pid ?? NaN);
        timer = setTimeout(action, Math.max(0, epoch + joinAt * 1000 - Date.now()));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`catch-up load generator exited ${code}: ${err.trim().split('\n').slice(-1)[0] ?? ''}`));
      try {
        resolve(JSON.parse(readFileSync(out, 'utf8')) as CatchUpLoad);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

/**
 * `via`: 'file' joins the component with the host's data dir, so it rewinds from the log file itself (decision 259);
 * 'service' gives it the keys only, so it rewinds through the host's replay service, as from another machine.
 */
export async function catchUpUnderLoad(opts: { events: number; rate: number; seconds: number; log: (s: string) => void; trace?: boolean; via?: 'file' | 'service' }): Promise<BenchRow[]> {
  const via = opts.via ?? 'file';
  const folder = tempFolder('catchup');
  const t0 = performance.now();
  const stored = writeLiveLikeLog(folder.dir, opts.events, 8);
  opts.log(`catchup: ${stored.toLocaleString('en-US')}-event session written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const busPort = await freePortRun();
  // The host's GC pauses (and, with `trace`, its long calls) per phase, from inside it (bench/host-probe.ts).
  const probe = hostProbe(folder.dir, { trace: opts.trace === true });
  const host = await startHostProcess(folder.dir, ['--bus-port', String(busPort)], probe.node);
  let stopped = false;
  // The host's log lines about checkpoint rounds (started, failed): whether the component could join from one.
  let hostErr = '';
  host.proc.stderr!.on('data', (d: Buffer) => (hostErr += d));
  const api = apiCaller(host);
  let component: ReturnType<typeof spawn> | undefined;
  let perf: ReturnType<typeof recordSched> | undefined;
  try {
    const joinAt = Math.min(10, Math.floor(opts.seconds / 4));
    let joinedMs = NaN;
    let caughtUpMs = NaN;
    let caughtUpLine = '';
    let componentErr = '';
    let joinLine = 'rewinds from seq 1';
    // $CATCHUP_PERF_SCHED=1: the kernel's scheduler events over the catch-up window (bench/sched-delay.ts).
    const perfFile = process.env['CATCHUP_PERF_SCHED'] === '1' ? join(folder.dir, 'sched.perf') : undefined;
    let perfStopped: Promise<boolean> | undefined;
    let sinceLoad = (): number => NaN;
    let joinSpawnMs = NaN;
    let atJoin = '';
    const join_ = (): void => {
      joinedMs = sinceLoad();
      atJoin = `${hostChildrenAt(host.pid)}; the bench process's: ${hostChildrenAt(process.pid)}`;
      const spawnStart = performance.now();
      let componentDir = folder.dir;
      if (via === 'service') {
        componentDir = join(folder.dir, 'keys-only');
        cpSync(join(folder.dir, 'keys'), join(componentDir, 'keys'), { recursive: true });
      }
      if (perfFile) perf = recordSched(perfFile);
      component = spawn(process.execPath, [ORDO_BIN, 'component', 'risk', '--connect', `127.0.0.1:${busPort}`, '--id', 'risk-2', '--data-dir', componentDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      // For A/B runs: $CATCHUP_COMPONENT_SCHED=idle puts the component under Linux's SCHED_IDLE policy from its start
      // (util-linux chrt; threads it starts later inherit it): a waking host thread then preempts it at once, where a
      // nice-10 component keeps the core for the rest of its slice.
      if (process.env['CATCHUP_COMPONENT_SCHED'] === 'idle' && component.pid !== undefined) {
        const r = spawnSync('chrt', ['--idle', '--all-tasks', '--pid', '0', String(component.pid)]);
        if (r.status !== 0) throw new Error(`chrt --idle failed: ${String(r.stderr ?? r.error)}`);
      }
      // What the join itself held the spawning thread for (cpSync, perf, the spawn, which returns once the child has
      // exec'd): before decision 273 the load generator's own thread, so its orders waited behind it.
      joinSpawnMs = performance.now() - spawnStart;
      let out = '';
      component.stderr!.on('data', (d: Buffer) => {
        componentErr += d;
        joinLine = /joins session \d+ from its checkpoint .*/.exec(componentErr)?.[0] ?? joinLine;
      });
      component.stdout!.on('data', (d: Buffer) => {
        out += d;
        const m = /caught up at seq \d+.*/.exec(out);
        if (m && Number.isNaN(caughtUpMs)) {
          caughtUpMs = sinceLoad();
          caughtUpLine = m[0];
          perfStopped = perf?.stop();
        }
      });
    };
    let acks: Ack[];
    let g: GeneratorProbe;
    // The process that sends the orders (bench/sched-delay.ts names its time on the host's core).
    let generatorPid = process.pid;
    let loadEpoch: number;
    if (process.env['CATCHUP_LOAD_IN_PROCESS'] === '1') {
      // For A/B runs only (round 13's way): the orders sent from this process, which also spawns the component at
      // the join and ran every scenario before this one.
      const next = await orderFlow(api.call, 'catchup');
      const mem0 = process.memoryUsage();
      opts.log(`catchup: load generator (the bench process) at the load's start: heap used ${(mem0.heapUsed / MIB).toFixed(0)} of ${(mem0.heapTotal / MIB).toFixed(0)} MiB, RSS ${(mem0.rss / MIB).toFixed(0)} MiB`);
      const gen = probeGenerator(5);
      const loadStart = performance.now();
      loadEpoch = Date.now();
      sinceLoad = () => performance.now() - loadStart;
      acks = await pacedOrders(api.call, next, opts.rate, opts.seconds, (second) => {
        if (second === joinAt) join_();
      });
      g = gen.stop();
    } else {
      // The load generator in a process of its own (bench/catch-up-load.ts, decision 273); this process only spawns
      // the component at the join and watches it.
      const r = await loadInChild(host, opts.rate, opts.seconds, join(folder.dir, 'load.json'), joinAt, (epoch, pid) => {
        generatorPid = pid;
        sinceLoad = () => Date.now() - epoch;
        return join_;
      });
      acks = acksOf(r);
      g = r.gen;
      loadEpoch = r.loadEpoch;
      opts.log(`catchup: load generator (a process of its own) at the load's start: heap used ${r.mem0[0].toFixed(0)} of ${r.mem0[1].toFixed(0)} MiB, RSS ${r.mem0[2].toFixed(0)} MiB`);
    }
    if (Number.isNaN(caughtUpMs)) throw new Error(`the component did not catch up within the run: ${componentErr.trim().split('\n')[0] ?? ''}`);
    const from = via === 'file' ? 'the log file' : 'the replay service';
    if (!caughtUpLine.endsWith(`rewound from ${from}`)) throw new Error(`the component was to rewind from ${from}: ${caughtUpLine}`);
    const ok = acks.filter((a) => a.status === 200);
    const before = ok.filter((a) => a.dueMs < joinedMs).map((a) => a.ms);
    const during = ok.filter((a) => a.dueMs >= joinedMs && a.dueMs <= caughtUpMs).map((a) => a.ms);
    const after = ok.filter((a) => a.dueMs > caughtUpMs + 1000).map((a) => a.ms);
    const fmt = (xs: number[]) => `p50 ${quantile(xs, 0.5).toFixed(1)}, p99 ${quantile(xs, 0.99).toFixed(1)}, max ${Math.max(...xs).toFixed(1)} ms (${xs.length})`;
    opts.log(`catchup: before the join ${fmt(before)}; while catching up (${((caughtUpMs - joinedMs) / 1000).toFixed(1)} s) ${fmt(during)}; after ${fmt(after)}; ${acks.length - ok.length} not 200; ${caughtUpLine}`);
    const load = loadavg()[0]!.toFixed(1);
    for (const [name, a, b] of [['before the join', 0, joinedMs], ['while catching up', joinedMs, caughtUpMs], ['after', caughtUpMs, opts.seconds * 1000]] as const) {
      opts.log(`catchup: load generator ${name}: ${generatorLine(g, loadEpoch + a, loadEpoch + b)}`);
    }
    opts.log(`catchup: at the join, the host's child processes: ${atJoin}`);
    const ckptLines = (text: string) => text.split('\n').filter((l) => /checkpoint/i.test(l)).slice(0, 4).map((l) => l.replace(/^\S+Z /, '').slice(0, 200));
    opts.log(`catchup: the host's lines on checkpoints: ${ckptLines(hostErr).join(' | ') || 'none'}; the component's: ${ckptLines(componentErr).join(' | ') || 'none'}`);
    opts.log(`catchup: the join (spawning the component${perfFile ? ' and perf' : ''}) held the spawning thread ${joinSpawnMs.toFixed(1)} ms`);
    for (const l of stallLines(ok, joinedMs, caughtUpMs, g, loadEpoch)) opts.log(`catchup: ${l}`);
    if (perfFile && (await (perfStopped ?? perf?.stop()))) {
      const d = schedDelay(perfFile, { host: host.pid, generator: generatorPid, ...(component?.pid !== undefined ? { component: component.pid } : {}) });
      opts.log(`catchup: while catching up: ${d ? schedDelayLine(d) : 'perf script failed'}`);
    }
    component?.kill('SIGTERM');
    api.close();
    await host.stop();
    stopped = true;
    const p = probe.read();
    const phases: [string, number, number][] = [['before the join', 0, joinedMs], ['while catching up', joinedMs, caughtUpMs], ['after', caughtUpMs, opts.seconds * 1000]];
    for (const [name, a, b] of phases) {
      for (const l of probeLines(p, loadEpoch + a, loadEpoch + b)) opts.log(`catchup: host ${name}: ${l}`);
      opts.log(`catchup: host ${name}: ${memLine(p.mem, loadEpoch + a, loadEpoch + b)}`);
      if (p.gaps) opts.log(`catchup: host ${name}: ${gapLine(p, loadEpoch + a, loadEpoch + b)}`);
    }
    // With $ORDO_HOST_GAPS (bench/host-probe.ts): the host's loop gaps, seconds from the load's start, wall / main
    // thread on a core / waiting for a core (ms), and the GC pauses inside each.
    for (const [at, wall, run, wait, mono] of p.gaps ?? []) {
      const gcIn = p.gc.filter(([, g]) => g >= at && g < at + wall).reduce((t, g) => t + g[2], 0);
      opts.log(`catchup: host gap @${((at - loadEpoch) / 1000).toFixed(2)} s: ${wall.toFixed(1)} ms wall, ${run.toFixed(1)} on a core, ${wait.toFixed(1)} waiting, GC ${gcIn.toFixed(1)} (mono ${mono.toFixed(0)})`);
    }
    // With $ORDO_HOST_SPANS=MS (bench/host-probe.ts): the host's named main-thread calls of MS ms or more, seconds
    // from the load's start, wall and on-core ms: what the host itself did in its slow turns.
    for (const [at, wall, name, onCore] of p.spans?.long ?? []) {
      opts.log(`catchup: host span @${((at - loadEpoch) / 1000).toFixed(2)} s: ${name} ${wall.toFixed(1)} ms wall${onCore === undefined ? '' : `, ${onCore.toFixed(1)} on-core`}`);
    }
    opts.log(`catchup: join @${(joinedMs / 1000).toFixed(2)} s, caught up @${(caughtUpMs / 1000).toFixed(2)} s; the component ${joinLine}`);
    // The host's every GC over 2 ms while catching up, seconds from the load's start and from the host's start
    // (the time V8's --trace-gc prints, to find its reason there).
    for (const [kind, at, ms] of p.gc.filter(([, at, ms]) => ms > 2 && at >= loadEpoch + joinedMs && at < loadEpoch + caughtUpMs)) {
      opts.log(`catchup: host GC while catching up @${((at - loadEpoch) / 1000).toFixed(2)} s (host ${(at - p.origin).toFixed(0)} ms): ${kind} ${ms.toFixed(1)} ms`);
    }
    return [
      {
        key: via === 'file' ? 'catchup_ack_p99_ms' : 'catchup_service_ack_p99_ms',
        label: `order-ack p99 at ${opts.rate}/s while a component catches up on ${(stored / 1e6).toFixed(2)} M events${via === 'file' ? '' : ', via the replay service'}`,
        value: during.length > 0 ? quantile(during, 0.99) : NaN,
        unit: 'ms',
        target: { op: '<=', value: 10 },
        note: `${via === 'file' ? "the host's data dir: from the log file" : 'keys only: through the host'}; ${during.length} orders in ${((caughtUpMs - joinedMs) / 1000).toFixed(1)} s of catch-up; before ${quantile(before, 0.99).toFixed(1)} ms, after ${quantile(after, 0.99).toFixed(1)} ms; load avg ${load}`,
      },
      { key: via === 'file' ? 'catchup_seconds' : 'catchup_service_seconds', label: `component caught up on ${(stored / 1e6).toFixed(2)} M events under load${via === 'file' ? '' : ', via the replay service'}`, value: (caughtUpMs - joinedMs) / 1000, unit: 's', note: caughtUpLine },
    ];
  } finally {
    await perf?.stop();
    component?.kill('SIGTERM');
    api.close();
    if (!stopped) await host.stop();
    folder.dispose();
  }
}
