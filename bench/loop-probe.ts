/**
 * Loaded into a host process with `node --import <this file>` (bench/loop-at-scale.ts):
 * a timer that wants to run every millisecond, and every time it runs late by
 * 5 ms or more, when (epoch ms) and by how much: the host's event loop held
 * that long by something. Written as one JSON array of [endEpochMs, gapMs]
 * to $ORDO_LOOP_PROBE_OUT when the process exits. Nothing of it runs in a
 * shipped host.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

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
  process.on('exit', () => writeFileSync(out, JSON.stringify(gaps)));
}
