/**
 * The replaying process of the replay scenario: a cold start (fresh process,
 * fresh database handle, fresh projection) that rewinds session 1 of a stored
 * log into the full OMS projection and prints one JSON line with its figures.
 *
 * `frames` reads the log file directly (ReadableLog.replay); `stream` rewinds
 * the way a component joining a running system does, through the replay
 * service over ZeroMQ into an EventStream (the whole session); `baseline`
 * reads the naive one-row-per-event JSON log (rows as arrays, `.raw()`).
 *
 *   node dist/bench/replay-child.js frames|stream|baseline <db> <events> [hash]
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { EventStream } from '../engine/bus/event-stream.ts';
import { ReplayServer } from '../engine/bus/replay.ts';
import { hugeHeapFromEnv, reserveHugeHeap } from '../engine/native/huge-heap.ts';
import { withChunkPrefault } from '../engine/oms/order-table/chunk-prefault.ts';
import { OmsProjection } from '../engine/oms/projection.ts';
import type { OrdoEvent } from '../engine/protocol/events.ts';
import { openReadableLog } from '../engine/store/log.ts';
import { runMain } from './util.ts';


async function main(): Promise<void> {
  const [mode, dbPath, limitArg, hashArg] = process.argv.slice(2);
  if ((mode !== 'frames' && mode !== 'stream' && mode !== 'baseline') || !dbPath || !limitArg) {
    console.error('usage: replay-child frames|stream|baseline <db> <events> [hash]');
    process.exit(2);
  }
  const limit = Number(limitArg);
  // The heap a folding command of the product starts with (decision 290; ORDO_HUGE_HEAP_MIB=0: glibc's, for A/B runs).
  const heap = reserveHugeHeap(hugeHeapFromEnv());
  // NO_PREFAULT=1: without the column prefault worker (decision 261), for A/B runs in one build.
  const prefault = process.env.NO_PREFAULT === '1' ? 0 : limit;
  let chunks = { taken: 0, missed: 0 };
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuNs();
  const t0 = performance.now();
  const p = new OmsProjection();
  let n = 0;
  if (mode === 'frames') {
    const log = openReadableLog(dbPath);
    // The projection keeps nothing it is given: the replay's objects are reused (decision 245). Its column
    // memory is touched ahead on a worker as in the product's long replays (projectionAt; decision 261).
    const r = withChunkPrefault(prefault, () => log.replay(1, (e, code) => p.applyCoded(e, code), 1, limit, true));
    n = r.result;
    chunks = r;
    log.close();
  } else if (mode === 'stream') {
    const server = new ReplayServer(openReadableLog(dbPath));
    await server.bind(`inproc://rewind-${process.pid}`);
    const stream = new EventStream({ events: `inproc://rewind-${process.pid}-events`, replay: `inproc://rewind-${process.pid}` });
    stream.addListener({
      onEvents(_session, events) {
        for (const e of events) p.apply(e);
        n += events.length;
      },
    });
    await stream.start();
    stream.close();
    server.close();
  } else {
    // Storage-only naive replay: rows as arrays (.raw()), one JSON.parse per event.
    const db = new Database(dbPath, { readonly: true });
    // The same projection, so its column memory is prefaulted here too: the ratio compares the logs, not that.
    const stmt = db.prepare('SELECT seq, ts, src, cseq, body FROM events WHERE seq <= ? ORDER BY seq').raw(true);
    chunks = withChunkPrefault(prefault, () => {
      for (const r of stmt.iterate(limit) as IterableIterator<[number, number, string, number, string]>) {
        p.apply({ seq: r[0], ts: r[1], src: r[2], cseq: r[3], event: JSON.parse(r[4]) as OrdoEvent });
        n++;
      }
    });
    db.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const mainNs = mainThreadCpuNs() - main0;
  const cpu = process.cpuUsage(cpu0);
  const usage = process.resourceUsage();
  const out = {
    events: n,
    seconds,
    eps: n / seconds,
    maxRssBytes: usage.maxRSS * 1024,
    orders: p.orderCount,
    fills: p.fillCount,
    lastSeq: p.lastSeq,
    hash: hashArg === 'hash' ? p.stateHash() : undefined,
    // CPU of the replay on this (the replaying) thread, in ns: the figure that load on a shared machine moves least.
    mainCpuNs: mainNs,
    // The whole process's CPU in the same span (every thread: the prefault worker, GC helpers, the compiler).
    processCpuNs: (cpu.user + cpu.system) * 1000,
    prefaultChunks: chunks.taken,
    ownChunks: chunks.missed,
    hugeHeapBytes: heap.advisedBytes,
    // Minor faults of the whole process (start-up included): what fresh memory cost it (decision 290).
    minorFaults: usage.minorPageFault,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/**
 * This (main) thread's CPU time in ns from /proc (the scheduler's sum, updated at least every tick), or -1
 * where there is none. Compiler and GC helper threads are not in it.
 */
function mainThreadCpuNs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return -1;
  }
}

runMain(main);
