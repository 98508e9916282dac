/**
 * What a fresh host's first orders cost it (issue 15, round 17): `ordo host` started as the ack scenario starts it
 * (bench/host-load.ts), then the ack scenario's orders over HTTP, closed loop (C in flight, so the figures do not
 * depend on a rate the loaded machine may not keep), in slices by order count. Each slice is read from /proc (no
 * probe runs in the host): its main thread's time on a core (schedstat: what load on the machine stretches least)
 * per order, its minor page faults per order (whole process; ~13–15 µs each on the round-17 machine), every
 * other thread that used 5 ms or more of CPU, by name, and the slice's faults by thread (which thread touched the
 * fresh memory: the main thread's heap, V8's compiler and GC threads, ZeroMQ's, the SQLite/libuv pool). The first slices against the later ones are the warm-up's
 * cost: JIT, faults of fresh memory, start-up work still running.
 *
 *   node dist/bench/ack-warm.js [orders=6000] [in-flight=4] [-- host args...]
 *
 * $ORDO_BENCH_BIN runs another checkout's `ordo` (A/B pairs).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { apiCaller, orderFlow, quantile, startHostProcess } from './host-load.ts';
import { runMain, tempFolder } from './util.ts';

interface Sample {
  /** Main thread on a core, ms. */
  readonly mainMs: number;
  /** Process minor faults. */
  readonly minflt: number;
  /** CPU ms (user + system, 10 ms ticks) and minor faults by thread id, and each thread's name. */
  readonly threads: Map<number, { name: string; ms: number; minflt: number }>;
}

function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function sample(pid: number): Sample {
  const mainMs = Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  const minflt = Number(statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[7]);
  const threads = new Map<number, { name: string; ms: number; minflt: number }>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const f = statFields(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8'));
      const name = readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim();
      threads.set(Number(t), { name, ms: (Number(f[11]) + Number(f[12])) * 10, minflt: Number(f[7]) });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return { mainMs, minflt, threads };
}

/** Minor faults between two samples by thread (the main thread as `main`, the others by name), most first. */
function faultsBy(a: Sample, b: Sample, mainTid: number): string {
  const by = new Map<string, number>();
  for (const [tid, t] of b.threads) {
    const name = tid === mainTid ? 'main' : t.name;
    const n = t.minflt - (a.threads.get(tid)?.minflt ?? 0);
    if (n > 0) by.set(name, (by.get(name) ?? 0) + n);
  }
  return [...by].sort((x, y) => y[1] - x[1]).map(([n, f]) => `${n} ${f}`).join(', ') || '-';
}

function others(a: Sample, b: Sample, mainTid: number): string {
  const by = new Map<string, number>();
  for (const [tid, t] of b.threads) {
    if (tid === mainTid) continue;
    const ms = t.ms - (a.threads.get(tid)?.ms ?? 0);
    if (ms > 0) by.set(t.name, (by.get(t.name) ?? 0) + ms);
  }
  return [...by].filter(([, ms]) => ms >= 5).sort((x, y) => y[1] - x[1]).map(([n, ms]) => `${n} ${ms}`).join(', ') || '-';
}

runMain(async () => {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const hostArgs = dash >= 0 ? argv.slice(dash + 1) : [];
  const total = Number(own[0] ?? 6000);
  const inFlight = Number(own[1] ?? 4);
  // Slices of the run by order count: short ones first, where the warm-up is.
  const cuts = [250, 500, 1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000].filter((c) => c <= total);
  if (cuts[cuts.length - 1] !== total) cuts.push(total);
  const folder = tempFolder('ack-warm');
  const load0 = loadavg()[0]!;
  const t0 = performance.now();
  const host = await startHostProcess(join(folder.dir, 'data'), hostArgs);
  const readyMs = performance.now() - t0;
  const api = apiCaller(host);
  try {
    const s0 = sample(host.pid);
    const next = await orderFlow(api.call, 'warm');
    const s1 = sample(host.pid);
    const warmed = /order path warmed: .*/.exec(host.stderr())?.[0];
    const lines = [`ack-warm: ready in ${readyMs.toFixed(0)} ms (spawn to ready line); at ready: main thread ${s0.mainMs.toFixed(0)} ms on a core, ${s0.minflt} minor faults; load ${load0.toFixed(2)}${warmed ? `; ${warmed}` : ''}`];
    lines.push(`ack-warm: ready→load: main ${(s1.mainMs - s0.mainMs).toFixed(1)} ms, faults ${s1.minflt - s0.minflt}; other threads (CPU ms): ${others(s0, s1, host.pid)}`);
    let sent = 0;
    let refused = 0;
    let prev = s1;
    let from = 0;
    for (const cut of cuts) {
      const lat: number[] = [];
      const w0 = performance.now();
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (sent < cut) {
            sent++;
            const t = performance.now();
            if ((await api.call('POST', '/orders', next())).status !== 200) refused++;
            lat.push(performance.now() - t);
          }
        }),
      );
      const wall = performance.now() - w0;
      const s = sample(host.pid);
      const n = cut - from;
      const main = s.mainMs - prev.mainMs;
      const flt = s.minflt - prev.minflt;
      lines.push(`ack-warm: orders ${from + 1}–${cut}: main ${main.toFixed(0)} ms = ${((main / n) * 1000).toFixed(0)} µs/order, faults ${(flt / n).toFixed(2)}/order; closed-loop ${inFlight} in flight: ${((n / wall) * 1000).toFixed(0)}/s, p50 ${quantile(lat, 0.5).toFixed(1)} ms; other threads (CPU ms): ${others(prev, s, host.pid)}; faults by thread: ${faultsBy(prev, s, host.pid)}`);
      prev = s;
      from = cut;
    }
    lines.push(`ack-warm: not 200: ${refused}; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
    for (const l of lines) console.log(l);
  } finally {
    api.close();
    await host.stop();
    folder.dispose();
  }
});
