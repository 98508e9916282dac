/**
 * Loaded into a host process with `node --import <this file>` (bench/loop-at-scale.ts):
 * a timer that wants to run every millisecond, and every time it runs late by
 * 5 ms or more, when (epoch ms) and by how much: the host's event loop held
 * that long by something, and every GC pause of 5 ms or more. Written as
 * `{gaps, gc}`, arrays of [endEpochMs, ms], to $ORDO_LOOP_PROBE_OUT when the
 * process exits. Nothing of it runs in a
 * shipped host.
 */
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const out = process.env['ORDO_LOOP_PROBE_OUT'];
if (out) {
  const gaps: [number, number][] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last >= 5) gaps.push([performance.timeOrigin + now, now - last]);
    last = now;
  }, 1);
  timer.unref();
  // GC pauses of 5 ms or more, [endEpochMs, pauseMs]: a gap they explain is the collector's, not a call's code.
  const gc: [number, number][] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration >= 5) gc.push([performance.timeOrigin + e.startTime + e.duration, e.duration]);
  }).observe({ entryTypes: ['gc'] });
  process.on('exit', () => writeFileSync(out, JSON.stringify({ gaps, gc })));
}
