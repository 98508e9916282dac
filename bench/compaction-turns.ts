/**
 * The background compactor's turns, one by one (issue 11: each turn is a stretch of the host's main thread in
 * which no order is answered): writes a live-like session of `events` events in frames of `frameEvents` (as a
 * host at 1,000 orders/s commits them), then compacts it with compactTurns, turn by turn, and times each turn by
 * the process's CPU time (what a loaded machine stretches least). Each turn size given runs
 * on a fresh copy of the same log, interleaved (A B A B …):
 *
 *   node dist/bench/compaction-turns.js [events] [frameEvents] [rounds] [rows:frames[:events] ...]
 *
 * (rows looked at and frames decoded per turn, events per merged frame (0: the default), rows one write deletes at
 * most), e.g. `node dist/bench/compaction-turns.js 200000 3 2 512:128 128:32:1024 128:32:0:100000`. "writes" are
 * the last turns of steps that wrote a merged frame (with pieces, the pieces' writes are among the other turns).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';
import { compactTurns, type TurnSize } from '../engine/store/compaction.ts';
import { openWritableLog } from '../engine/store/log.ts';
import { writeLiveLikeLog } from './recovery.ts';
import { quantile } from './host-load.ts';
import { runMain, tempFolder } from './util.ts';

/**
 * The process's CPU time, ms (getrusage: exact for the running thread; the main thread's schedstat, read by the
 * thread itself, lags by up to a scheduler tick, 4 ms here). The log is opened without its checkpoint thread, so
 * only V8's own helper threads (GC) run beside the main one.
 */
const onCore = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Compacts session 1 of the log at `path` completely, a turn at a time; each turn's on-core ms. */
function turns(path: string, size: TurnSize): { turns: number[]; writes: number[]; encodes: number[]; frames: number } {
  // No checkpoint thread (its CPU is the process's too, and would be counted in the turns it overlaps) and no
  // SQLite auto-checkpoint (it would run inside a write): the turns' own CPU only.
  const log = openWritableLog(path, { backgroundCheckpoint: false });
  log.db.pragma('wal_autocheckpoint = 0');
  const out: number[] = [];
  // The turn that ends a step that wrote a frame: the write (the run's rows deleted, the merged frame inserted).
  const writes: number[] = [];
  // The turn before it: the merged frame's encode (FrameBuilder.finish).
  const encodes: number[] = [];
  let frames = 0;
  try {
    const upTo = log.lastSeq(1);
    let cursor = 1;
    for (;;) {
      const gen = compactTurns(log, 1, cursor, upTo, undefined, size);
      let r: IteratorResult<void, { cursor: number; caughtUp: boolean; framesWritten: number }>;
      const step: number[] = [];
      do {
        const c0 = onCore();
        r = gen.next();
        step.push(onCore() - c0);
      } while (!r.done);
      if (r.value.framesWritten > 0) {
        writes.push(step.pop()!);
        encodes.push(step.pop()!);
      }
      out.push(...step);
      frames += r.value.framesWritten;
      if (r.value.caughtUp || r.value.cursor === cursor) break;
      cursor = r.value.cursor;
    }
  } finally {
    log.close();
  }
  return { turns: out, writes, encodes, frames };
}

const f2 = (x: number) => x.toFixed(2);

runMain(async () => {
  const [events = 200_000, frameEvents = 3, rounds = 2] = process.argv.slice(2, 5).map(Number);
  const sizes = process.argv.slice(5).map((s) => {
    const [rows, frames, events, writeRows] = s.split(':').map(Number);
    return { label: s, size: { rows, frames, ...(events ? { events } : {}), ...(writeRows ? { writeRows } : {}) } as TurnSize };
  });
  if (sizes.length === 0) sizes.push({ label: 'default', size: {} });
  const folder = tempFolder('compaction-turns');
  try {
    const master = join(folder.dir, 'master');
    mkdirSync(master);
    const n = writeLiveLikeLog(master, events, frameEvents);
    console.log(`compaction-turns: ${n} events in frames of ${frameEvents}; load average ${loadavg()[0]!.toFixed(2)}`);
    for (let round = 0; round < rounds; round++) {
      for (const { label, size } of sizes) {
        const dir = join(folder.dir, `${label.replace(':', '-')}-${round}`);
        mkdirSync(dir);
        copyFileSync(join(master, 'ordo.db'), join(dir, 'ordo.db'));
        const gcs: number[] = [];
        const obs = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) gcs.push(e.duration);
        });
        obs.observe({ entryTypes: ['gc'] });
        const t = turns(join(dir, 'ordo.db'), size);
        // GC entries come in a later turn.
        await new Promise((r) => setTimeout(r, 50));
        obs.disconnect();
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        const all = [...t.turns, ...t.encodes, ...t.writes];
        console.log(`compaction-turns: ${label.padEnd(12)} round ${round + 1}: ${t.frames} merged frames, ${all.length} turns, CPU ${f2(sum(all))} ms; writes p50 ${f2(quantile(t.writes, 0.5))}, max ${f2(Math.max(...t.writes))} ms; encodes p50 ${f2(quantile(t.encodes, 0.5))}, max ${f2(Math.max(...t.encodes))} ms; other turns p50 ${f2(quantile(t.turns, 0.5))}, p99 ${f2(quantile(t.turns, 0.99))}, max ${f2(Math.max(...t.turns))} ms; turns >= 1 ms ${all.filter((x) => x >= 1).length}, >= 2 ms ${all.filter((x) => x >= 2).length}; GCs ${gcs.length}, ${f2(sum(gcs))} ms; load ${loadavg()[0]!.toFixed(2)}`);
      }
    }
  } finally {
    folder.dispose();
  }
});
