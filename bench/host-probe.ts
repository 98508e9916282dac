/**
 * Loaded into a host process with `node --import <this file>` (bench/ack.ts):
 * records, from load to exit, the event loop's delay (perf_hooks histogram,
 * 1 ms resolution; also its worst per wall-clock second) and every garbage
 * collection (kind, start as epoch ms, pause), and writes them as one JSON file
 * to $ORDO_HOST_PROBE_OUT when the process exits. With $ORDO_HOST_ALLOC_OUT
 * it also samples every allocation, collected ones included (V8's sampling
 * heap profiler), and writes the profile there (a .heapprofile for DevTools):
 * where the young generation's garbage comes from. Nothing of it runs in a
 * shipped host.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { monoMs, TRACE_HEADER, type Hop } from './hops.ts';
import { mainThreadSchedstat } from './main-thread-schedstat.ts';
import { monitorEventLoopDelay, PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';

/** V8's GC kinds as perf_hooks numbers them. */
const KINDS: Record<number, string> = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak-callbacks' };

export interface HostProbe {
  /** Whole-run event-loop delay (ms). */
  readonly loop: { p50: number; p99: number; p999: number; max: number; count: number };
  /** [epoch second, worst loop delay that second in ms]. */
  readonly loopPerSecond: [number, number][];
  /** performance.timeOrigin of the host (epoch ms): V8's --trace-gc times are ms from about then. */
  readonly origin: number;
  /** Every GC: [kind, start epoch ms, pause ms]. */
  readonly gc: [string, number, number][];
  /**
   * With $ORDO_HOST_TRACE: per traced call site (commit, WAL checkpoint on the writer, compaction step,
   * sequencer flush, fan-out), its count, total and longest time, the process's CPU time in its calls (all
   * threads: ZeroMQ's I/O threads too), and every call over 2 ms as [epoch ms, ms, process CPU ms]: CPU well
   * under the wall time is a call that was preempted (a loaded machine), not one that costs that much.
   */
  readonly trace?: Record<string, { n: number; totalMs: number; maxMs: number; cpuMs: number; over2: [number, number, number][] }>;
  /**
   * With $ORDO_HOST_GAPS=MS: every loop gap of MS ms or more seen by a 1 ms timer, as [start epoch ms, wall ms, main
   * thread on a core ms, main thread runnable but waiting for a core ms] (the kernel's schedstat of the main thread):
   * on-core near the wall is the host's own work (or GC); waiting near the wall is the machine not scheduling it;
   * neither is the thread blocked in a system call (I/O, a lock). Last, the gap's start on CLOCK_MONOTONIC (ms, the
   * clock of a --cpu-prof profile's timestamps, which are µs), to find what ran in it.
   */
  readonly gaps?: [number, number, number, number, number][];
  /**
   * Every 100 ms: [epoch ms, V8 heap used, external memory, of it ArrayBuffers (bytes)] (process.memoryUsage()):
   * external memory that grows fast starts full collections of its own (V8's external-memory limit).
   */
  readonly mem: [number, number, number, number][];
  /** The process's user and system CPU over its life (ms). */
  readonly cpuMs: { user: number; system: number };
  /**
   * With $ORDO_HOST_HOPS: each traced order's hop times (CLOCK_MONOTONIC ms, the same clock as the load
   * generator's process.hrtime), by clientOrderId (see HOPS for the hop names).
   */
  readonly hops?: Record<string, Partial<Record<Hop, number>>>;
  /**
   * With $ORDO_HOST_COUNTS: how many times each of the order path's per-batch steps ran (sequencer flushes, log
   * commits, HTTP answers, compaction steps), by plain counters (no clock, no system call): per-order counts that do
   * not depend on the machine's load except through batching.
   */
  readonly counts?: Record<string, number>;
  /**
   * With $ORDO_HOST_SPANS=MS: what ran on the main thread, by name: every call of a traced step (sequencer flush,
   * log commit, fan-out, HTTP answer, compaction step, WAL checkpoint, checkpoint round start) and every timer
   * callback (named by where its setInterval was made: venue ticks and market data, heartbeats, resends, compactor
   * rounds, head beacons, pushes) that took MS ms or more, as [start epoch ms, wall ms, name, on-core ms]; and per
   * name the count, total wall ms and on-core ms of all its calls. The per-order steps are timed with
   * performance.now() only (no system call); the background ones (timers, compaction steps, WAL checkpoints, forks)
   * also with the process's CPU time (ms: what a loaded machine does not stretch; all threads, an upper bound).
   */
  readonly spans?: { long: ([number, number, string] | [number, number, string, number])[]; totals: Record<string, { n: number; ms: number; onCoreMs?: number }> };
}



const out = process.env['ORDO_HOST_PROBE_OUT'];
if (out) {
  const whole = monitorEventLoopDelay({ resolution: 1 });
  const second = monitorEventLoopDelay({ resolution: 1 });
  whole.enable();
  second.enable();
  const loopPerSecond: [number, number][] = [];
  const timer = setInterval(() => {
    loopPerSecond.push([Math.floor(Date.now() / 1000) - 1, second.max / 1e6]);
    second.reset();
  }, 1000);
  timer.unref();
  const mem: HostProbe['mem'] = [];
  const memTimer = setInterval(() => {
    const m = process.memoryUsage();
    mem.push([Date.now(), m.heapUsed, m.external, m.arrayBuffers]);
  }, 100);
  memTimer.unref();
  const gc: [string, number, number][] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      gc.push([KINDS[e.detail?.kind ?? 0] ?? String(e.detail?.kind), performance.timeOrigin + e.startTime, e.duration]);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const allocOut = process.env['ORDO_HOST_ALLOC_OUT'];
  const session = allocOut ? new Session() : undefined;
  if (session) {
    session.connect();
    // $ORDO_HOST_ALLOC_LIVE: 'promoted' leaves out what scavenges collected (so: what survived them, dead in the
    // old generation since or not); 'end' keeps only what is alive at the end. Unset: every allocation.
    const live = process.env['ORDO_HOST_ALLOC_LIVE'];
    const start = () => session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: live !== 'end', includeObjectsCollectedByMinorGC: !live });
    // $ORDO_HOST_ALLOC_FROM_MS: start sampling that many ms after the host's start (past a long session's replay, so
    // the profile is the order flow's, not the start-up's).
    const fromMs = Number(process.env['ORDO_HOST_ALLOC_FROM_MS'] ?? 0);
    if (fromMs > 0) setTimeout(start, fromMs).unref();
    else start();
  }
  // For GC studies: $ORDO_HOST_SNAPSHOT_AT=MS[,MS…]:FILE writes a heap snapshot MS ms after start (FILE.1, FILE.2, …):
  // what is alive mid-run; object ids are kept across snapshots, so two of them show what a second left alive.
  const snap = /^([\d,]+):(.+)$/.exec(process.env['ORDO_HOST_SNAPSHOT_AT'] ?? '');
  if (snap) {
    const v8 = createRequire(import.meta.url)('node:v8') as { writeHeapSnapshot: (f: string) => string };
    snap[1]!.split(',').forEach((ms, i) => setTimeout(() => v8.writeHeapSnapshot(`${snap[2]!}.${i + 1}`), Number(ms)).unref());
  }
  const gaps: NonNullable<HostProbe['gaps']> = [];
  const gapMs = Number(process.env['ORDO_HOST_GAPS'] ?? 0);
  if (gapMs > 0) traceGaps(gaps, gapMs);
  const trace: NonNullable<HostProbe['trace']> = {};
  if (process.env['ORDO_HOST_TRACE']) await traceCalls(trace);
  const hops: NonNullable<HostProbe['hops']> = {};
  if (process.env['ORDO_HOST_HOPS']) await traceHops(hops);
  const counts: Record<string, number> = {};
  if (process.env['ORDO_HOST_COUNTS']) await countCalls(counts);
  const spanMs = Number(process.env['ORDO_HOST_SPANS'] ?? 0);
  const spans: NonNullable<HostProbe['spans']> = { long: [], totals: {} };
  if (spanMs > 0) await traceSpans(spans, spanMs);
  // For A/B runs: the host's heap growth (decision 170) replaced by $ORDO_HOST_HEAP_GROWING percent ('default': V8's own).
  const growing = process.env['ORDO_HOST_HEAP_GROWING'];
  if (growing) {
    const v8 = createRequire(import.meta.url)('node:v8') as { setFlagsFromString: (f: string) => void };
    const set = v8.setFlagsFromString;
    v8.setFlagsFromString = (f: string) => {
      if (!f.startsWith('--heap-growing-percent=')) set(f);
      else if (growing !== 'default') set(`--heap-growing-percent=${growing}`);
    };
    (createRequire(import.meta.url)('node:module') as { syncBuiltinESMExports: () => void }).syncBuiltinESMExports();
  }
  // For A/B runs: background frame compaction off (the host has no flag for it).
  if (process.env['ORDO_HOST_NO_COMPACTION']) {
    const compaction = await import('../engine/store/compaction.ts');
    (compaction.FrameCompactor.prototype as unknown as { step: () => boolean }).step = () => false;
    // The host's compactor on its own thread (decision 274) starts its steps from round().
    const thread = await import('../engine/store/compaction-thread.ts');
    (thread.CompactorThread.prototype as unknown as { round: () => void }).round = () => undefined;
  }
  process.on('exit', () => {
    // An in-thread inspector session answers synchronously, so this works in 'exit'.
    session?.post('HeapProfiler.stopSampling', (err, r) => {
      if (!err && allocOut) writeFileSync(allocOut, JSON.stringify(r.profile));
    });
    const ms = (ns: number) => ns / 1e6;
    const cpu = process.cpuUsage();
    const probe: HostProbe = {
      loop: { p50: ms(whole.percentile(50)), p99: ms(whole.percentile(99)), p999: ms(whole.percentile(99.9)), max: ms(whole.max), count: whole.count },
      loopPerSecond,
      origin: performance.timeOrigin,
      gc,
      mem,
      ...(process.env['ORDO_HOST_TRACE'] ? { trace } : {}),
      ...(process.env['ORDO_HOST_HOPS'] ? { hops } : {}),
      ...(process.env['ORDO_HOST_COUNTS'] ? { counts } : {}),
      ...(gapMs > 0 ? { gaps } : {}),
      ...(spanMs > 0 ? { spans } : {}),
      cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
    };
    writeFileSync(out, JSON.stringify(probe));
  });
}

/** A 1 ms timer; each time it runs `min` ms or more late, the gap and the main thread's schedstat over it. */
function traceGaps(gaps: NonNullable<HostProbe['gaps']>, min: number): void {
  const sched = mainThreadSchedstat().read;
  let last = performance.now();
  let [run0, wait0] = sched();
  const timer = setInterval(() => {
    const now = performance.now();
    const [run, wait] = sched();
    if (now - last >= min) gaps.push([performance.timeOrigin + last, now - last, run - run0, wait - wait0, monoMs() - (now - last)]);
    last = now;
    run0 = run;
    wait0 = wait;
  }, 1);
  timer.unref();
}

/** Times every call of `obj[key]` into `trace[name]`. */
function timeMethod(trace: NonNullable<HostProbe['trace']>, name: string, obj: Record<string, unknown>, key: string, only?: (args: unknown[]) => boolean): void {
  const orig = obj[key] as (...a: unknown[]) => unknown;
  const t = (trace[name] ??= { n: 0, totalMs: 0, maxMs: 0, cpuMs: 0, over2: [] });
  obj[key] = function (this: unknown, ...args: unknown[]) {
    if (only && !only(args)) return orig.apply(this, args);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    try {
      return orig.apply(this, args);
    } finally {
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const cpu = (c.user + c.system) / 1000;
      t.n++;
      t.totalMs += ms;
      t.cpuMs += cpu;
      if (ms > t.maxMs) t.maxMs = ms;
      if (ms > 2) t.over2.push([performance.timeOrigin + t0, ms, cpu]);
    }
  };
}

/** Counts the calls of the order path's per-batch steps into `counts` (the same module instances the host loads). */
async function countCalls(counts: Record<string, number>): Promise<void> {
  const http = await import('node:http');
  const log = await import('../engine/store/log.ts');
  const compaction = await import('../engine/store/compaction.ts');
  const seq = await import('../engine/sequencer/sequencer.ts');
  const fan = await import('../engine/host/projection-fan-out.ts');
  const count = (name: string, obj: Record<string, unknown>, key: string) => {
    const orig = obj[key] as (...a: unknown[]) => unknown;
    counts[name] = 0;
    obj[key] = function (this: unknown, ...args: unknown[]) {
      counts[name]!++;
      return orig.apply(this, args);
    };
  };
  const proto = (c: { prototype: unknown }) => c.prototype as Record<string, unknown>;
  count('sequencer flush', proto(seq.Sequencer), 'flush');
  count('log commit', proto(log.WritableLog), 'transaction');
  count('fan-out', proto(fan.ProjectionFanOut), 'onEvents');
  count('compaction step', proto(compaction.FrameCompactor), 'step');
  // On its own thread (decision 274) the compactor's turns on the host's thread are its writes.
  count('compaction step', proto((await import('../engine/store/compaction-thread.ts')).CompactorThread), 'applyWrite');
  count('HTTP answer', proto(http.ServerResponse), 'end');
  // ZeroMQ sends and receives by socket class (each costs system calls: zeromq.js asks ZMQ_EVENTS first).
  const zmq = (await import('zeromq')) as unknown as { Socket: { prototype: unknown } };
  const sock = proto(zmq.Socket);
  for (const key of ['send', 'receive']) {
    const orig = sock[key] as (...a: unknown[]) => unknown;
    const names = new Map<unknown, string>();
    // defineProperty, not assignment: zeromq's native methods are read-only on the prototype.
    Object.defineProperty(sock, key, {
      configurable: true,
      writable: true,
      value: function (this: object, ...args: unknown[]) {
        // One name per socket class, made once: the counter must not add garbage of its own per call.
        let name = names.get(this.constructor);
        if (name === undefined) names.set(this.constructor, (name = `zmq ${key} ${this.constructor.name}`));
        counts[name] = (counts[name] ?? 0) + 1;
        return orig.apply(this, args);
      },
    });
  }
}

/**
 * Names what runs on the main thread (HostProbe.spans): the order path's steps and the background work, by
 * wrapping their methods on the prototypes (the same module instances the host loads) and every setInterval
 * callback (named by the file and line that made the timer, taken once when it is made).
 */
async function traceSpans(spans: NonNullable<HostProbe['spans']>, min: number): Promise<void> {
  const http = await import('node:http');
  const log = await import('../engine/store/log.ts');
  const compaction = await import('../engine/store/compaction.ts');
  const seq = await import('../engine/sequencer/sequencer.ts');
  const fan = await import('../engine/host/projection-fan-out.ts');
  const checkpointer = await import('../engine/host/projection-checkpointer.ts');
  const origin = performance.timeOrigin;
  // The process's CPU time (getrusage, ms), read around the background steps only (two system calls a call): what a
  // turn cost, which a loaded machine does not stretch the way it stretches the wall time. All threads count (an
  // upper bound for the main thread's); the main thread's schedstat, read by itself, lags by up to a tick (4 ms).
  const onCore = (): number => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  let inCompaction = false;
  // $ORDO_HOST_SPANS_COMMIT_CPU: the process's CPU around every log commit too (two more system calls a commit):
  // tells a commit that computes from one that waits (I/O: a WAL restart, the inline checkpoint's syncs).
  const commitCpu = process.env['ORDO_HOST_SPANS_COMMIT_CPU'] === '1';
  const timed = <T>(name: string, run: () => T, cpu = false): T => {
    const c0 = cpu ? onCore() : NaN;
    const t0 = performance.now();
    try {
      return run();
    } finally {
      const ms = performance.now() - t0;
      const t = (spans.totals[name] ??= { n: 0, ms: 0 });
      t.n++;
      t.ms += ms;
      const core = Number.isNaN(c0) ? undefined : onCore() - c0;
      if (core !== undefined) t.onCoreMs = (t.onCoreMs ?? 0) + core;
      if (ms >= min) spans.long.push(core === undefined ? [origin + t0, ms, name] : [origin + t0, ms, name, core]);
    }
  };
  const wrapAs = (name: string, obj: Record<string, unknown>, key: string, cpu = false) => {
    const orig = obj[key] as (...a: unknown[]) => unknown;
    Object.defineProperty(obj, key, {
      configurable: true,
      writable: true,
      value: function (this: unknown, ...args: unknown[]) {
        return timed(name, () => orig.apply(this, args), cpu);
      },
    });
  };
  const proto = (c: { prototype: unknown }) => c.prototype as Record<string, unknown>;
  wrapAs('sequencer flush', proto(seq.Sequencer), 'flush');
  // A commit made by a compaction step is the compactor's write (a run's rows deleted, its merged frame inserted).
  const commit = proto(log.WritableLog)['transaction'] as (...a: unknown[]) => unknown;
  proto(log.WritableLog)['transaction'] = function (this: unknown, ...args: unknown[]) {
    return inCompaction ? timed('compaction write', () => commit.apply(this, args), true) : timed('log commit', () => commit.apply(this, args), commitCpu);
  };
  const codec = await import('../engine/protocol/codec.ts');
  const finish = proto(codec.FrameBuilder)['finish'] as (...a: unknown[]) => unknown;
  proto(codec.FrameBuilder)['finish'] = function (this: unknown, ...args: unknown[]) {
    return inCompaction ? timed('compaction encode', () => finish.apply(this, args), true) : finish.apply(this, args);
  };
  wrapAs('fan-out', proto(fan.ProjectionFanOut), 'onEvents');
  const step = proto(compaction.FrameCompactor)['step'] as (...a: unknown[]) => unknown;
  proto(compaction.FrameCompactor)['step'] = function (this: unknown, ...args: unknown[]) {
    inCompaction = true;
    try {
      return timed('compaction step', () => step.apply(this, args), true);
    } finally {
      inCompaction = false;
    }
  };
  const threadProto = proto((await import('../engine/store/compaction-thread.ts')).CompactorThread);
  const applyWrite = threadProto['applyWrite'] as (...a: unknown[]) => unknown;
  threadProto['applyWrite'] = function (this: unknown, ...args: unknown[]) {
    inCompaction = true;
    try {
      return timed('compaction step', () => applyWrite.apply(this, args), true);
    } finally {
      inCompaction = false;
    }
  };
  wrapAs('checkpoint look (fork)', proto(checkpointer.ProjectionCheckpointer), 'look', true);
  wrapAs('HTTP answer end', proto(http.ServerResponse), 'end');
  // The checkpointer's round starts a process (fork): through the CommonJS module, then into the ESM bindings.
  const cp = createRequire(import.meta.url)('node:child_process') as Record<string, unknown>;
  wrapAs('child_process fork', cp, 'fork', true);
  (createRequire(import.meta.url)('node:module') as { syncBuiltinESMExports: () => void }).syncBuiltinESMExports();
  const Database = createRequire(import.meta.url)('better-sqlite3') as { prototype: unknown };
  const pragma = proto(Database)['pragma'] as (...a: unknown[]) => unknown;
  proto(Database)['pragma'] = function (this: unknown, ...args: unknown[]) {
    const what = typeof args[0] === 'string' && args[0].startsWith('wal_checkpoint') ? 'WAL checkpoint' : `pragma ${String(args[0]).split(/[ =(]/)[0]}`;
    return timed(what, () => pragma.apply(this, args), what === 'WAL checkpoint');
  };
  const setInt = globalThis.setInterval;
  const here = fileURLToPath(new URL('..', import.meta.url));
  globalThis.setInterval = function (this: unknown, cb: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) {
    // The first stack frame outside this file: where the timer was made.
    const line = (new Error().stack ?? '').split('\n').slice(2).find((l) => !l.includes('host-probe')) ?? '';
    const site = /\(?([^()\s]+):(\d+):\d+\)?$/.exec(line.trim());
    const name = `timer ${site ? `${site[1]!.replace(/^file:\/\//, '').replace(here, '')}:${site[2]!}` : 'unknown'}`;
    const wrapped = function (this: unknown, ...a: unknown[]) {
      return timed(name, () => cb.apply(this, a), true);
    };
    return (setInt as (...a: unknown[]) => NodeJS.Timeout)(wrapped, ms, ...rest);
  } as typeof setInterval;
}

/** Wraps the host's suspected long synchronous calls (the same module instances the host loads). */
async function traceCalls(trace: NonNullable<HostProbe['trace']>): Promise<void> {
  const log = await import('../engine/store/log.ts');
  const compaction = await import('../engine/store/compaction.ts');
  const seq = await import('../engine/sequencer/sequencer.ts');
  const fan = await import('../engine/host/projection-fan-out.ts');
  const replay = await import('../engine/bus/replay.ts');
  const proto = (c: { prototype: unknown }) => c.prototype as Record<string, unknown>;
  timeMethod(trace, 'commit (WritableLog.transaction)', proto(log.WritableLog), 'transaction');
  timeMethod(trace, 'compaction step', proto(compaction.FrameCompactor), 'step');
  timeMethod(trace, 'compaction step', proto((await import('../engine/store/compaction-thread.ts')).CompactorThread), 'applyWrite');
  timeMethod(trace, 'sequencer flush', proto(seq.Sequencer), 'flush');
  timeMethod(trace, 'in-process consumers (fan-out)', proto(fan.ProjectionFanOut), 'onEvents');
  timeMethod(trace, 'replay service page', proto(replay.ReplayServer), 'answer');
  const Database = createRequire(import.meta.url)('better-sqlite3') as { prototype: unknown };
  timeMethod(trace, 'WAL checkpoint on the writer', proto(Database), 'pragma', (a) => typeof a[0] === 'string' && a[0].startsWith('wal_checkpoint'));
}



/**
 * Stamps each order's hops (HOPS) by wrapping the host's methods on their prototypes (the same module
 * instances the host loads). Orders are named by the generator's TRACE_HEADER, then by the proxy's cseq
 * (its runtime's id is proxy-1) and by the frame that carries their event. Nothing here is in a shipped host.
 */
async function traceHops(hops: NonNullable<HostProbe['hops']>): Promise<void> {
  const http = await import('node:http');
  const runtime = await import('../engine/component/runtime.ts');
  const seq = await import('../engine/sequencer/sequencer.ts');
  const fan = await import('../engine/host/projection-fan-out.ts');
  type Cmd = { src: string; cseq: number };
  const byCseq = new Map<number, string>();
  const RES = Symbol('trace');
  const stamp = (coid: string | undefined, hop: Hop, t = monoMs()) => {
    if (coid === undefined) return;
    const h = (hops[coid] ??= {});
    if (h[hop] === undefined) h[hop] = t;
  };
  const ofCmds = (cmds: readonly Cmd[], hop: Hop, t = monoMs()) => {
    for (const c of cmds) if (c.src === 'proxy-1') stamp(byCseq.get(c.cseq), hop, t);
  };
  const wrap = (obj: Record<string, unknown>, key: string, around: (orig: (...a: unknown[]) => unknown, self: Record<string, unknown>, args: unknown[]) => unknown) => {
    const orig = obj[key] as (...a: unknown[]) => unknown;
    // defineProperty, not assignment: zeromq's native send is read-only on the prototype the socket class inherits.
    Object.defineProperty(obj, key, {
      configurable: true,
      writable: true,
      value: function (this: Record<string, unknown>, ...args: unknown[]) {
        return around(orig, this, args);
      },
    });
  };
  const proto = (c: { prototype: unknown }) => c.prototype as Record<string, unknown>;
  wrap(proto(http.Server), 'emit', (orig, self, args) => {
    if (args[0] === 'request') {
      const req = args[1] as { headers: Record<string, string | undefined> };
      const coid = req.headers[TRACE_HEADER];
      if (coid !== undefined) {
        stamp(coid, 'arrive');
        (args[2] as Record<symbol, string>)[RES] = coid;
      }
    }
    return orig.apply(self, args);
  });
  wrap(proto(http.ServerResponse), 'end', (orig, self, args) => {
    const r = orig.apply(self, args);
    stamp((self as Record<symbol, string | undefined>)[RES], 'end');
    return r;
  });
  wrap(proto(runtime.ComponentRuntime), 'send', (orig, self, args) => {
    // Named before the call: with a direct port the command reaches the sequencer inside it.
    const body = args[0] as { type: string; clientOrderId?: string };
    const next = self['nextCseq'] as number;
    const traced = self['id'] === 'proxy-1' && body.type === 'OrderPending' && body.clientOrderId !== undefined;
    if (traced) {
      byCseq.set(next, body.clientOrderId!);
      stamp(body.clientOrderId, 'submit');
    }
    const cseq = orig.apply(self, args) as number;
    if (traced && cseq !== next) byCseq.delete(next);
    return cseq;
  });
  wrap(proto(runtime.ComponentRuntime), 'flushOutbox', (orig, self, args) => {
    if (self['id'] === 'proxy-1') ofCmds((self['outbox'] as { cseq: number }[]).map((o) => ({ src: 'proxy-1', cseq: o.cseq })), 'outbox');
    return orig.apply(self, args);
  });
  wrap(proto(seq.Sequencer), 'enqueue', (orig, self, args) => {
    ofCmds((args[0] as { commands: Cmd[] }).commands, 'enqueue');
    return orig.apply(self, args);
  });
  // The proxy's commands in the batch being flushed, stamped 'stored' when its commit returns.
  let flushing: string[] = [];
  wrap(proto(seq.Sequencer), 'flush', (orig, self, args) => {
    const inbox = self['inbox'] as { commands: Cmd[] }[];
    const t = monoMs();
    flushing = [];
    for (const item of inbox) {
      ofCmds(item.commands, 'flush', t);
      for (const c of item.commands) {
        const coid = c.src === 'proxy-1' ? byCseq.get(c.cseq) : undefined;
        if (coid !== undefined) flushing.push(coid);
      }
    }
    return orig.apply(self, args);
  });
  wrap(proto(seq.Sequencer), 'commit', (orig, self, args) => {
    const r = orig.apply(self, args);
    const t = monoMs();
    for (const coid of flushing) stamp(coid, 'stored', t);
    flushing = [];
    return r;
  });
  wrap(proto(fan.ProjectionFanOut), 'onEvents', (orig, self, args) => {
    const t = monoMs();
    for (const e of args[1] as { src: string; cseq: number }[]) if (e.src === 'proxy-1') stamp(byCseq.get(e.cseq), 'received', t);
    return orig.apply(self, args);
  });
}
