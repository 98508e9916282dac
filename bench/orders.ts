import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NewOrderRequest } from '../contract/api.ts';
import { startHost, type Host } from '../engine/host/host.ts';
import { ANSWERED, COUNTERS, CPU_US, FINISHED, REFUSED, SUBMITTED, TARGET, type ClientThreadData, type Submitted } from './api-client-thread.ts';
import { makeOrders, tradable } from './order-flow.ts';
import { collectGarbage, sleep, tempFolder } from './util.ts';

export interface OrdersResult {
  /** How orders went in: the in-process HostApi, HTTP POST /api/orders, or calls on one API WebSocket (both with the install's token). */
  readonly via: Via;
  readonly submitted: number;
  readonly filled: number;
  readonly otherTerminal: number;
  readonly refused: number;
  /** Orders risk rejected in the measured run (OrderRejected): the flow is built for none. */
  readonly riskRejected: number;
  readonly seconds: number;
  readonly ordersPerSec: number;
  readonly eventsPerSec: number;
  /** Session seq of the first event of the measured run. */
  readonly firstSeq: number;
  /** Session seq after the measured run. */
  readonly lastSeq: number;
  /** The host process's resident set size after the measured run. */
  readonly rssBytes: number;
  /**
   * CPU time (user + system, all threads of this process and of the venue's process) per filled order in the
   * measured run, in µs: what a lifecycle costs, whatever else the shared machine runs meanwhile.
   */
  readonly cpuMicrosPerOrder: number;
  /**
   * CPU time of the host's thread alone (the event loop that runs the sequencer, the components, the venue and
   * the API server) per filled order, in µs: the share that bounds the rate on a 2-core machine. Linux only
   * (the kernel's per-thread run time); absent elsewhere.
   */
  readonly hostThreadCpuMicrosPerOrder?: number;
  /**
   * CPU time of the simulated venue's own process (decision 279: every thread of it) per filled order, in µs; also
   * counted in `cpuMicrosPerOrder`. Linux only; absent where the venue runs on the host's thread.
   */
  readonly venueCpuMicrosPerOrder?: number;
  /** CPU time of the API client's thread (via 'http' / 'ws') per filled order, in µs; Linux only. */
  readonly clientThreadCpuMicrosPerOrder?: number;
}

export type Via = 'in-process' | 'http' | 'ws';

const OK: Submitted = { ok: true };

export interface OrdersOptions {
  readonly orders: number;
  readonly warmup: number;
  /** Orders in flight (submitted, not yet terminal) at most. */
  readonly window: number;
  readonly venueTickMs: number;
  /** Submit through the in-process HostApi (default), over HTTP, or over the API WebSocket. */
  readonly via?: Via;
  /**
   * Paced: submit `ratePerSec` orders per second (each due at start + i / rate,
   * sent by a 1 ms timer), still at most `window` in flight. Unpaced when absent.
   */
  readonly ratePerSec?: number;
  /** False: the host keeps its frames as the sequencer wrote them (no background compaction). */
  readonly compactFrames?: boolean;
  /** Called with the log's path once the host has closed, before the folder is removed. */
  readonly afterClose?: (dbPath: string, measured: { firstSeq: number; lastSeq: number }) => void;
  /** Called with the running host after the measured run, before its RSS is taken (memory breakdowns). */
  readonly beforeClose?: (host: Host) => Promise<void>;
  /** Checkpoint every N events (0: none); the host's default when absent. */
  readonly checkpointEvery?: number;
}

/**
 * Whole order lifecycles through a real host (startHost: sequencer, SQLite
 * log, replay service, proxy, risk, router, gateway, monitor, the simulated
 * venue, over inproc ZeroMQ): marketable day limit orders submitted through
 * the HostApi, `window` of them in flight, counted when the host's view shows
 * them filled.
 */
export async function orderLifecycles(opts: OrdersOptions): Promise<OrdersResult> {
  const folder = tempFolder('host');
  const host = await startHost({
    dataDir: folder.dir,
    port: 0,
    staticDir: '/nonexistent',
    venueTickMs: opts.venueTickMs,
    heartbeatMs: 250,
    staleMs: 60_000,
    ...(opts.compactFrames === false ? { compactFrames: false } : {}),
    ...(opts.checkpointEvery !== undefined ? { checkpointEvery: opts.checkpointEvery } : {}),
  });
  let closed = false;
  const via = opts.via ?? 'in-process';
  const symbols = tradable();
  const clients = ['ALPHA', 'CHARLIE'];
  // In-process: the HostApi called on the host's thread. Over HTTP or the WebSocket: a client on a thread of its
  // own (api-client-thread.ts), as a script in another process would be; counters shared, no message per order.
  const next = makeOrders(symbols);
  const client = via === 'in-process' ? undefined : await ClientThread.start({ url: host.url, token: host.token, via, window: opts.window, symbols });
  const submit = (o: NewOrderRequest): Promise<Submitted> => host.api.submitOrder(o).then((r) => (r.ok ? OK : { ok: false, code: r.error.code }));
  try {
    // The run executes far more than a client's session credit (open + executed notional): the operator raises it
    // for the load test by the sequenced admin command, so no order is refused by the credit limit.
    for (const c of clients) {
      const r = await host.risk.setLimits(c, { maxOpenNotional: 1e13, by: 'bench' });
      if (!r.ok) throw new Error(`bench: cannot raise ${c}'s credit: ${r.error.message}`);
    }
    // Let the market maker quote every book first.
    host.venue.step();
    await sleep(50);
    // Orders reaching a terminal state, seen as the host's view applies the events (each order counted once).
    const done = { filled: 0, other: 0, rejected: 0, rejectedWhy: '' };
    let counted = new Uint8Array(1 << 16);
    let firstId = -1;
    const view = host.view;
    const onEvents = view.onEvents.bind(view);
    view.onEvents = (session, events) => {
      onEvents(session, events);
      if (firstId < 0) return;
      const p = view.projection;
      for (const e of events) {
        const ev = e.event;
        if (ev.type !== 'OrderExecuted' && ev.type !== 'OrderRejected' && ev.type !== 'VenueRejected' && ev.type !== 'OrderCancelled' && ev.type !== 'OrderExpired') continue;
        const i = ev.orderId - firstId;
        if (i < 0 || (i < counted.length && counted[i] === 1)) continue;
        const st = p.order(ev.orderId)?.state;
        if (st === 'filled') done.filled++;
        else if (st === 'rejected' || st === 'cancelled' || st === 'expired') done.other++;
        if (ev.type === 'OrderRejected') {
          done.rejected++;
          done.rejectedWhy = ev.text;
        }
        else continue;
        if (i >= counted.length) {
          const next = new Uint8Array(Math.max(counted.length * 2, i + 1));
          next.set(counted);
          counted = next;
        }
        counted[i] = 1;
      }
    };
    const run = async (total: number) => {
      let submitted = 0;
      let answered = 0;
      let refused = 0;
      let refusedWhy = '';
      const start = { filled: done.filled, other: done.other, rejected: done.rejected };
      // The client thread's counters run on across the warm-up and the measured run.
      const base = client?.submitted ?? 0;
      const refusedBase = client?.refused ?? 0;
      const clientCpu0 = client?.cpuMicros ?? 0;
      const hostCpu0 = hostThreadCpuMicros();
      const venueCpu0 = processCpuMicros(host.venueProcess?.pid);
      const finished = () => done.filled - start.filled + done.other - start.other + refused;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const seq0 = host.sequencer.position.seq;
      let progress = 0;
      let lastProgress = t0;
      if (firstId < 0) firstId = view.projection.nextOrderId;
      const rate = opts.ratePerSec;
      // ORDO_BENCH_TRACE=1: one line a second on stderr (counts, seq, memory, worst event-loop stall) to see where a run stops.
      const trace = process.env.ORDO_BENCH_TRACE === '1';
      let lastTrace = t0;
      let lastTick = t0;
      let worstGap = 0;
      for (;;) {
        if (trace) {
          const now = performance.now();
          worstGap = Math.max(worstGap, now - lastTick);
          lastTick = now;
          if (now - lastTrace >= 1000) {
            const m = process.memoryUsage();
            console.error(`trace ${((now - t0) / 1000).toFixed(1)}s submitted ${submitted} answered ${answered} finished ${finished()} refused ${refused} seq ${host.sequencer.position.seq} rss ${(m.rss / 2 ** 20).toFixed(0)}M heap ${(m.heapUsed / 2 ** 20).toFixed(0)}M worst-gap ${worstGap.toFixed(0)}ms`);
            lastTrace = now;
            worstGap = 0;
          }
        }
        const due = rate === undefined ? total : Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
        if (client !== undefined) {
          client.finished(base + finished());
          client.target(base + due);
          submitted = client.submitted - base;
          answered = client.answered - base;
          const r = client.refused - refusedBase;
          if (r > refused) {
            refused = r;
            refusedWhy = client.lastRefusal;
          }
        } else {
          while (submitted < due && submitted - finished() < opts.window) {
            submitted++;
            void submit(next()).then((r) => {
              answered++;
              if (!r.ok) {
                refused++;
                refusedWhy = r.code ?? '';
              }
            });
          }
        }
        await sleep(1);
        const f = finished();
        // >=, not ===: an order answered UNAVAILABLE (the proxy's 5 s deadline) may still be in the log and fill
        // later, counted then as refused and as filled; === then never held and the run reported a stall.
        if (submitted === total && answered === total && f >= total) break;
        if (f > progress) {
          progress = f;
          lastProgress = performance.now();
        } else if (performance.now() - lastProgress > 15_000) {
          throw new Error(`bench: orders stopped progressing (${submitted - f} open, ${submitted - answered} unanswered)`);
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (refused > 0) console.error(`bench: ${refused} orders refused (${refusedWhy})`);
      const riskRejected = done.rejected - start.rejected;
      if (riskRejected > 0) console.error(`bench: ${riskRejected} orders rejected by risk (last: ${done.rejectedWhy})`);
      const hostCpu = hostThreadCpuMicros() - hostCpu0;
      const venueCpu = processCpuMicros(host.venueProcess?.pid) - venueCpu0;
      const clientCpu = client !== undefined ? client.cpuMicros - clientCpu0 : undefined;
      return { submitted, filled: done.filled - start.filled, otherTerminal: done.other - start.other, refused, riskRejected, seconds, seq0, events: host.sequencer.position.seq - seq0, cpuMicros: cpu.user + cpu.system + (Number.isFinite(venueCpu) ? venueCpu : 0), hostCpu, clientCpu, venueCpu };
    };
    await run(opts.warmup);
    collectGarbage();
    const r = await run(opts.orders);
    const lastSeq = host.sequencer.position.seq;
    await opts.beforeClose?.(host);
    const rssBytes = process.memoryUsage.rss();
    await host.close();
    closed = true;
    opts.afterClose?.(join(folder.dir, 'ordo.db'), { firstSeq: r.seq0 + 1, lastSeq });
    return {
      via,
      firstSeq: r.seq0 + 1,
      lastSeq,
      rssBytes,
      submitted: r.submitted,
      filled: r.filled,
      otherTerminal: r.otherTerminal,
      refused: r.refused,
      riskRejected: r.riskRejected,
      seconds: r.seconds,
      ordersPerSec: r.filled / r.seconds,
      eventsPerSec: r.events / r.seconds,
      cpuMicrosPerOrder: r.cpuMicros / Math.max(1, r.filled),
      ...(Number.isFinite(r.hostCpu) ? { hostThreadCpuMicrosPerOrder: r.hostCpu / Math.max(1, r.filled) } : {}),
      ...(Number.isFinite(r.venueCpu) ? { venueCpuMicrosPerOrder: r.venueCpu / Math.max(1, r.filled) } : {}),
      ...(r.clientCpu !== undefined && r.clientCpu > 0 ? { clientThreadCpuMicrosPerOrder: r.clientCpu / Math.max(1, r.filled) } : {}),
    };
  } finally {
    await client?.close();
    if (!closed) await host.close();
    folder.dispose();
  }
}

/** The host thread's CPU time in µs (the kernel's run time of the process's main thread), or NaN where unknown. */
function hostThreadCpuMicros(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    return NaN;
  }
}

/** CPU time in µs of every thread of process `pid` (the kernel's run times), or NaN where unknown. */
function processCpuMicros(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    let ns = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1000;
  } catch {
    return NaN;
  }
}

/** The API client's thread (api-client-thread.ts), driven through shared counters. */
class ClientThread {
  lastRefusal = '';
  private failure: string | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly c: Int32Array,
  ) {
    worker.on('message', (m: { refused?: string; failed?: string }) => {
      if (m.refused !== undefined) this.lastRefusal = m.refused;
      if (m.failed !== undefined) this.failure = m.failed;
    });
    worker.on('error', (err) => (this.failure = err.message));
  }

  static async start(d: Omit<ClientThreadData, 'counters'>): Promise<ClientThread> {
    const c = new Int32Array(new SharedArrayBuffer(COUNTERS * 4));
    const worker = new Worker(new URL('./api-client-thread.js', import.meta.url), { workerData: { ...d, counters: c } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m: { ready?: true; failed?: string }) => (m.ready ? resolve() : reject(new Error(`bench: API client thread: ${m.failed ?? 'did not start'}`))));
      worker.once('error', reject);
    });
    return new ClientThread(worker, c);
  }

  private check(): void {
    if (this.failure !== undefined) throw new Error(`bench: API client thread failed: ${this.failure}`);
  }

  target(n: number): void {
    this.check();
    Atomics.store(this.c, TARGET, n);
  }

  finished(n: number): void {
    Atomics.store(this.c, FINISHED, n);
  }

  get submitted(): number {
    return Atomics.load(this.c, SUBMITTED);
  }

  get answered(): number {
    return Atomics.load(this.c, ANSWERED);
  }

  get refused(): number {
    return Atomics.load(this.c, REFUSED);
  }

  get cpuMicros(): number {
    return Atomics.load(this.c, CPU_US);
  }

  async close(): Promise<void> {
    Atomics.store(this.c, TARGET, -1);
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    const late = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(late);
  }
}
