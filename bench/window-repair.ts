/**
 * The cost of keeping an order list sorted by a changing field (decision 232), in CPU time: takes a data dir's
 * session at `seq`, builds the list (sliced, the host's live path), then `rounds` times applies `stepEvents` more
 * events of the log and asks again with the list stale (a clock moved past its keeping time): the list is repaired
 * from the orders touched since (this build) or built again (before decision 232). One JSON line per call: turns,
 * total CPU, the four longest turns (process CPU: this thread and V8's helpers), GCs, repairs and builds so far.
 * At the end, with `check`, every row of the kept list is compared with a fresh build's.
 *
 *   node --max-old-space-size=4096 dist/bench/window-repair.js <data-dir> <seq> [rounds] [stepEvents] [query-json] [check]
 */
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import type { OrderWindowQuery } from '../contract/order-window.ts';
import { OrderWindows } from '../engine/host/order-window.ts';
import { projectionAt } from '../engine/oms/projection-at.ts';
import { openReadableLog } from '../engine/store/log.ts';

const [dir, seqText, roundsText, stepText, queryText, check] = process.argv.slice(2);
if (!dir || !seqText) throw new Error('usage: window-repair.js <data-dir> <seq> [rounds] [stepEvents] [query-json] [check]');
const q = JSON.parse(queryText ?? '{"sort":"price","dir":"asc","limit":200}') as OrderWindowQuery;
const log = openReadableLog(join(dir, 'ordo.db'));
let seq = Number(seqText);
const at = projectionAt(log, 1, seq);
if (!at.ok) throw new Error(at.problem);
const p = at.projection;
let gcs: number[] = [];
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gcs.push(e.duration);
}).observe({ entryTypes: ['gc'] });
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let t = 0;
const ow = new OrderWindows(() => t, 1000);
const step = Number(stepText ?? 20_000);
for (let round = 0; round <= Number(roundsText ?? 3); round++) {
  const turns: number[] = [];
  let c0 = 0;
  const pause = (): Promise<void> => {
    turns.push(cpu() - c0);
    return new Promise((r) =>
      setImmediate(() => {
        c0 = cpu();
        r();
      }),
    );
  };
  gcs = [];
  await new Promise((r) => setTimeout(r, 20));
  c0 = cpu();
  const w = await ow.windowSliced(p, q, pause);
  turns.push(cpu() - c0);
  const s = [...turns].sort((a, b) => b - a);
  console.log(JSON.stringify({ round, seq, orders: p.orderCount, total: w.total, turns: turns.length, cpuMs: Math.round(turns.reduce((a, b) => a + b, 0)), worstTurnsCpuMs: s.slice(0, 4).map((x) => +x.toFixed(1)), gcs: gcs.length, gcMaxMs: +Math.max(0, ...gcs).toFixed(1), repairs: ow.repairs, builds: ow.builds }));
  const last = Math.min(log.lastSeq(1), seq + step);
  log.replay(1, (e) => p.apply(e), seq + 1, last);
  seq = last;
  t += 60_000;
}
if (check === 'check') {
  await ow.windowSliced(p, q);
  const fresh = new OrderWindows();
  let rows = 0;
  for (let off = 0; ; off += 2000) {
    const a = await ow.windowSliced(p, { ...q, offset: off, limit: 2000 });
    const b = fresh.window(p, { ...q, offset: off, limit: 2000 });
    if (a.total !== b.total || a.working !== b.working || a.orders.some((o, i) => o.orderId !== b.orders[i]?.orderId)) throw new Error(`the kept list differs from a fresh build at row ${off}`);
    rows += a.orders.length;
    if (a.orders.length < 2000) break;
  }
  console.log(JSON.stringify({ check: 'same rows as a fresh build', rows, seq }));
}
log.close();
