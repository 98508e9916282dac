/**
 * The time machine and the host's event loop (issues 11 and 15, decision
 * 167): opens a data dir's log as the host does and asks for the first page
 * of a past state (what GET /api/state?at= answers) through the host's
 * PastStateProcess (rebuilt in the time machine's process) or, with
 * `--inline`, on this thread (round 4's way), while perf_hooks'
 * monitorEventLoopDelay samples this thread's event loop. Then asks for the
 * last window of the orders sorted by price (the past blotter's last page)
 * and a seq further on (scrubbing forward). Prints one JSON line per call:
 * wall time, the loop's worst delay during it, how the projection was made.
 *
 *   node dist/bench/state-at-loop.js <data-dir> <seq> [--inline]
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PastStateProcess } from '../engine/host/past-state-process.ts';
import { PastStates, type PastCall } from '../engine/host/past-states.ts';
import { openReadableLog } from '../engine/store/log.ts';

const args = process.argv.slice(2);
const inline = args.includes('--inline');
const [dir, seqText] = args.filter((a) => !a.startsWith('--'));
const seq = Number(seqText);
const log = openReadableLog(join(dir!, 'ordo.db'));
const thread = new PastStateProcess(log);
const states = new PastStates(log);

async function measure(label: string, c: PastCall): Promise<unknown> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  // A timer that wants to run every ms: how late it runs is what a live order would wait.
  let worst = 0;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  h.enable();
  const t0 = performance.now();
  const r = inline ? states.call(c) : await thread.call(c);
  const ms = performance.now() - t0;
  const t1 = performance.now();
  const body = JSON.stringify(r);
  const jsonMs = performance.now() - t1;
  // One more turn so the interval sees the gap the call left, if any.
  await new Promise((res) => setTimeout(res, 5));
  h.disable();
  clearInterval(tick);
  const build = inline ? states.lastBuild : thread.lastBuild;
  console.log(
    JSON.stringify({
      label,
      mode: inline ? 'inline' : 'process',
      ms: Math.round(ms),
      jsonMs: Math.round(jsonMs),
      bodyBytes: body.length,
      loopDelayMaxMs: Math.round(h.max / 1e6),
      loopDelayP99Ms: Math.round(h.percentile(99) / 1e6),
      timerGapMaxMs: Math.round(worst),
      build,
    }),
  );
  return r;
}

const t0 = performance.now();
await measure('state first page', { kind: 'state', session: 1, seq });
await measure('order window, by price, first', { kind: 'orderWindow', session: 1, seq, q: { sort: 'price', dir: 'asc', limit: 200 } });
await measure('fill window, newest', { kind: 'fillWindow', session: 1, seq, q: { limit: 200 } });
await measure('state 10,000 seqs on', { kind: 'state', session: 1, seq: seq + 10_000 });
console.log(JSON.stringify({ totalMs: Math.round(performance.now() - t0), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
await thread.close();
log.close();
