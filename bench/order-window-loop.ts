/**
 * The live orders window and the host's event loop (issue #11's 50 ms,
 * decision 150): takes the state of a data dir's session at a seq (from its
 * checkpoint plus tail, as the time machine does), then asks OrderWindows for
 * the first window sorted by a field that needs a sort (price, ascending),
 * built at once (`window`, round 4's way) and in slices (`windowSliced`, the
 * host's live path now), and the same for the fill window, while a 1 ms timer measures how late this thread's
 * event loop runs it, and the longest GC pause meanwhile. Prints one JSON
 * line per way.
 *
 *   node dist/bench/order-window-loop.js <data-dir> <seq>
 */
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { FillWindows } from '../engine/host/fill-window.ts';
import { OrderWindows } from '../engine/host/order-window.ts';
import { projectionAt } from '../engine/oms/projection-at.ts';
import { openReadableLog } from '../engine/store/log.ts';

const [dir, seqText] = process.argv.slice(2);
const log = openReadableLog(join(dir!, 'ordo.db'));
const at = projectionAt(log, 1, Number(seqText));
log.close();
if (!at.ok) throw new Error(at.problem);
const p = at.projection;

async function measure(label: string, run: () => Promise<unknown> | unknown): Promise<void> {
  let worst = 0;
  let gcMax = 0;
  // GC pauses stop this thread whatever the code does: told apart from the work's own slices.
  const gc = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) gcMax = Math.max(gcMax, e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(tick);
  gc.disconnect();
  console.log(JSON.stringify({ label, orders: p.orderCount, fills: p.fillCount, ms: Math.round(ms), timerGapMaxMs: Math.round(worst), gcPauseMaxMs: Math.round(gcMax) }));
}

for (const sort of ['price', 'state'] as const) {
  await measure(`window at once, sort=${sort}`, () => new OrderWindows().window(p, { sort, dir: 'asc' }));
  // The longest slice: from a turn's start to the next pause (the work's own hold on the loop, whatever the OS does).
  let sliceMax = 0;
  let started = performance.now();
  const pause = () => {
    sliceMax = Math.max(sliceMax, performance.now() - started);
    return new Promise<void>((r) =>
      setImmediate(() => {
        started = performance.now();
        r();
      }),
    );
  };
  await measure(`window in slices, sort=${sort}`, () => {
    started = performance.now();
    return new OrderWindows().windowSliced(p, { sort, dir: 'asc' }, pause);
  });
  console.log(JSON.stringify({ label: `longest slice, sort=${sort}`, ms: Math.round(sliceMax) }));
}

await measure('fill window at once, sort=price', () => new FillWindows().window(p, { sort: 'price', dir: 'asc' }));
await measure('fill window in slices, sort=price', () => new FillWindows().windowSliced(p, { sort: 'price', dir: 'asc' }));
