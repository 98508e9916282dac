/**
 * Loaded into a host process with `node --import <this file>` (bench/loop-at-scale.ts):
 * a timer that wants to run every millisecond, and every time it runs late by
 * 5 ms or more, when (epoch ms), by how much, and how much of it the main
 * thread was on a core (the kernel's schedstat of the thread: the host's own
 * work and GC, whatever the machine's load; the rest is waiting for a core or
 * blocked in a system call; the kernel adds to it at each scheduler tick, so
 * a gap's figure is within one tick, 4 ms here at HZ 250, of the truth):
 * the host's event loop held that long by
 * something, and every GC pause of 5 ms or more. Written as `{gaps, gc}`,
 * arrays of [endEpochMs, ms, onCoreMs, waitingForACoreMs] and [endEpochMs, ms, kind], to
 * $ORDO_LOOP_PROBE_OUT when the process exits. Nothing of it runs in a
 * shipped host.
 */
import { openSync, readSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const out = process.env['ORDO_LOOP_PROBE_OUT'];
if (out) {
  const gaps: [number, number, number, number][] = [];
  // The main thread's time on a core so far (ms): the first field of its schedstat (ns).
  const fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
  const buf = Buffer.alloc(128);
  // Its second field (ns) is the time it spent runnable but waiting for a core (the kernel's run_delay): what is
  // neither on a core nor waiting for one was the thread asleep (a futex, e.g. a GC joining its helper threads, or I/O).
  const stat = (): [number, number] => {
    const f = buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0)).split(' ');
    return [Number(f[0]) / 1e6, Number(f[1]) / 1e6];
  };
  let last = performance.now();
  let [core, waited] = stat();
  const timer = setInterval(() => {
    const now = performance.now();
    const [c, w] = stat();
    if (now - last >= 5) gaps.push([performance.timeOrigin + now, now - last, c - core, w - waited]);
    last = now;
    core = c;
    waited = w;
  }, 1);
  timer.unref();
  // GC pauses of 5 ms or more, [endEpochMs, pauseMs, kind]: a gap they explain is the collector's, not a call's code.
  // With the kind (node's perf_hooks constants): 1 scavenge, 4 mark-compact, 8 incremental marking, 16 weak callbacks.
  const gc: [number, number, number][] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } | null }).detail?.kind ?? 0;
      if (e.duration >= 5) gc.push([performance.timeOrigin + e.startTime + e.duration, e.duration, kind]);
    }
  }).observe({ entryTypes: ['gc'] });
  // origin: the process's time origin (epoch ms), to place V8's --trace-gc-nvp lines (ms since start) beside the gaps.
  process.on('exit', () => writeFileSync(out, JSON.stringify({ gaps, gc, origin: performance.timeOrigin })));
}
