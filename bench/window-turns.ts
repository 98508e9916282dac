/**
 * The blotter windows' longest turn of the event loop at scale, in CPU time
 * (issue #11's 50 ms, measured so the machine's load does not decide it):
 * takes a data dir's session at `seq` (checkpoint plus tail, as the time
 * machine does), asks each window (fills / orders, by several sorts) for a
 * 200-row page in slices (the host's live path), and times every turn
 * between two pauses with process.cpuUsage() (this thread's work, and what
 * V8's helper threads do meanwhile: GC). Then it applies `steps` × `stepEvents`
 * more events of the log and asks again (the call a blotter makes while fills
 * stream in). One JSON line per call: turns, total and worst turn CPU, the
 * six longest turns and where each ended, GCs seen.
 *
 *   node --max-old-space-size=4096 dist/bench/window-turns.js <data-dir> <seq> [steps] [stepEvents] [kinds]
 *
 * kinds (comma-separated): fprice, fclient, fdefault, oprice, odefault, ostate, otext.
 */
import { openSync, readSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { FillWindows } from '../engine/host/fill-window.ts';
import { OrderWindows } from '../engine/host/order-window.ts';
import { projectionAt } from '../engine/oms/projection-at.ts';
import { openReadableLog } from '../engine/store/log.ts';

const [dir, seqText, stepsText, stepText, only] = process.argv.slice(2);
if (!dir || !seqText) throw new Error('usage: window-turns.js <data-dir> <seq> [steps] [stepEvents] [kinds]');
const log = openReadableLog(join(dir, 'ordo.db'));
const seq0 = Number(seqText);
const at = projectionAt(log, 1, seq0);
if (!at.ok) throw new Error(at.problem);
const p = at.projection;
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// The main thread's own time on a core (schedstat, ns; ±4 ms at HZ 250): without V8's helper threads (concurrent
// compilation and marking), which process.cpuUsage counts.
const statFd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
const statBuf = Buffer.alloc(128);
const mainCpu = (): number => Number(statBuf.toString('latin1', 0, readSync(statFd, statBuf, 0, statBuf.length, 0)).split(' ')[0]) / 1e6;
let gcs: number[] = [];
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gcs.push(e.duration);
}).observe({ entryTypes: ['gc'] });

type Pause = () => Promise<void>;
interface Page {
  readonly total: number;
}

async function measure(label: string, call: (pause: Pause) => Promise<Page>): Promise<void> {
  const turns: [number, string][] = [];
  let c0 = 0;
  let w0 = 0;
  let worstWall = 0;
  let m0 = 0;
  let worstMain = 0;
  let worstMainWhere = '';
  const mark = (): void => {
    c0 = cpu();
    m0 = mainCpu();
    w0 = performance.now();
  };
  const end = (): void => {
    const main = mainCpu() - m0;
    const where = (new Error().stack ?? '').split('\n')[3]?.trim().replace(/.*dist\//, '').replace(/\)$/, '') ?? '';
    turns.push([cpu() - c0, where]);
    worstWall = Math.max(worstWall, performance.now() - w0);
    if (main > worstMain) [worstMain, worstMainWhere] = [main, where];
  };
  const pause: Pause = () => {
    end();
    return new Promise((r) =>
      setImmediate(() => {
        mark();
        r();
      }),
    );
  };
  gcs = [];
  await new Promise((r) => setTimeout(r, 10));
  const atMs = performance.now();
  mark();
  const page = await call(pause);
  end();
  await new Promise((r) => setTimeout(r, 5));
  const sorted = [...turns].sort((a, b) => b[0] - a[0]);
  console.log(
    JSON.stringify({
      label, orders: p.orderCount, fills: p.fillCount, total: page.total, turns: turns.length,
      totalCpuMs: Math.round(turns.reduce((s, t) => s + t[0], 0)), worstTurnCpuMs: +(sorted[0]?.[0] ?? 0).toFixed(1), worstTurnWallMs: +worstWall.toFixed(1),
      turnsOver10Ms: turns.filter((t) => t[0] > 10).length, longest: sorted.slice(0, 6).map((t) => `${t[0].toFixed(1)} ${t[1]}`).join(' | '),
      gcs: gcs.length, gcMaxMs: +Math.max(0, ...gcs).toFixed(1),
      worstTurnMainMs: +worstMain.toFixed(1), worstTurnMainWhere: worstMainWhere,
      // The call's span in ms since the process started: to set beside V8's --trace-gc-nvp lines (old-space growth).
      atMs: Math.round(atMs), endMs: Math.round(performance.now()),
    }),
  );
}

const fw = new FillWindows();
const ow = new OrderWindows();
const CALLS: Record<string, (pause: Pause) => Promise<Page>> = {
  fprice: (pause) => fw.windowSliced(p, { sort: 'price', dir: 'asc', limit: 200 }, pause),
  fclient: (pause) => fw.windowSliced(p, { clientId: 'ALPHA', sort: 'quantity', limit: 200 }, pause),
  fdefault: (pause) => fw.windowSliced(p, { limit: 200 }, pause),
  oprice: (pause) => ow.windowSliced(p, { sort: 'price', dir: 'asc', limit: 200 }, pause),
  odefault: (pause) => ow.windowSliced(p, { limit: 200 }, pause),
  ostate: (pause) => ow.windowSliced(p, { sort: 'state', limit: 200, offset: 500_000 }, pause),
  otext: (pause) => ow.windowSliced(p, { text: 'alpha aapl', limit: 200 }, pause),
};
const steps = Number(stepsText ?? 2);
const stepEvents = Number(stepText ?? 2000);
let seq = seq0;
// $ORDO_HEAP_SAMPLE_OUT: V8's sampling heap profiler over each first build, garbage included (what a build allocates,
// by stack), written as <out>.<kind>.heapprofile.
const sampleOut = process.env['ORDO_HEAP_SAMPLE_OUT'];
const inspector = sampleOut ? new Session() : undefined;
inspector?.connect();
for (const kind of (only ?? 'fprice,fclient,oprice,ostate').split(',')) {
  const call = CALLS[kind];
  if (!call) throw new Error(`unknown kind ${kind}: one of ${Object.keys(CALLS).join(', ')}`);
  inspector?.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
  await measure(`${kind} build`, call);
  inspector?.post('HeapProfiler.stopSampling', (err, r) => {
    if (!err) writeFileSync(`${sampleOut}.${kind}.heapprofile`, JSON.stringify(r.profile));
  });
  for (let s = 0; s < steps && seq < log.lastSeq(1); s++) {
    log.replay(1, (e) => p.apply(e), seq + 1, Math.min(log.lastSeq(1), seq + stepEvents));
    seq = Math.min(log.lastSeq(1), seq + stepEvents);
    await measure(`${kind} after +${stepEvents} events`, call);
  }
}
log.close();
