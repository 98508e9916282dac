import { Agent, request } from 'node:http';
import { WebSocket } from 'ws';
import { join } from 'node:path';
import type { NewOrderRequest } from '../contract/api.ts';
import { startHost } from '../engine/host/host.ts';
import { loadReferenceData } from '../engine/oms/reference.ts';
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
   * CPU time (user + system, all threads of this process: host, venue, client) per filled order in the
   * measured run, in µs: what a lifecycle costs, whatever else the shared machine runs meanwhile.
   */
  readonly cpuMicrosPerOrder: number;
}

export type Via = 'in-process' | 'http' | 'ws';

/** A submission's outcome: accepted by the API, or refused with a code. */
interface Submitted {
  readonly ok: boolean;
  readonly code?: string;
}
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
}

/** Equities with lot 1 under $250: small notional per order keeps many in flight inside client limits. */
function tradable(): { symbol: string; buy: number; sell: number }[] {
  return loadReferenceData()
    .instruments.filter((i) => i.instrumentType === 'equity' && i.lotSize === 1 && i.referencePrice < 250)
    .map((i) => {
      const ref = Math.round(i.referencePrice / i.tickSize);
      // 5% through the reference price: marketable against every quoted level, inside the ±10% band.
      const off = Math.round(ref * 0.05);
      return { symbol: i.symbol, buy: Number(((ref + off) * i.tickSize).toFixed(2)), sell: Number(((ref - off) * i.tickSize).toFixed(2)) };
    });
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
  });
  let closed = false;
  const via = opts.via ?? 'in-process';
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const socket = via === 'ws' ? await ApiSocket.open(host.url, host.token) : undefined;
  const submit: (o: NewOrderRequest) => Promise<Submitted> =
    via === 'in-process'
      ? (o) => host.api.submitOrder(o).then((r) => (r.ok ? OK : { ok: false, code: r.error.code }))
      : socket !== undefined
        ? (o) => socket.submitOrder(o)
        : (o) => postOrder(host.url, host.token, agent, o);
  const symbols = tradable();
  const clients = ['ALPHA', 'CHARLIE'];
  let n = 0;
  const next = (): NewOrderRequest => {
    const s = symbols[n % symbols.length]!;
    const buy = (Math.floor(n / symbols.length) & 1) === 0;
    n++;
    return {
      clientId: clients[n & 1]!,
      clientOrderId: `P${n}`,
      symbol: s.symbol,
      side: buy ? 'buy' : 'sell',
      orderType: 'limit',
      quantity: 1,
      price: buy ? s.buy : s.sell,
      timeInForce: 'day',
      // The flow repeats the same 1-lot orders on purpose and sells what it may not hold yet (a program with a
      // borrow): risk's duplicate and short-sale checks run, and these flags are the honest answer to them.
      intentional: true,
      ...(buy ? {} : { locate: true }),
    };
  };
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
      return { submitted, filled: done.filled - start.filled, otherTerminal: done.other - start.other, refused, riskRejected, seconds, seq0, events: host.sequencer.position.seq - seq0, cpuMicros: cpu.user + cpu.system };
    };
    await run(opts.warmup);
    collectGarbage();
    const r = await run(opts.orders);
    const lastSeq = host.sequencer.position.seq;
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
    };
  } finally {
    agent.destroy();
    socket?.close();
    if (!closed) await host.close();
    folder.dispose();
  }
}

/** POST /api/orders as a script would: JSON body, bearer token, a keep-alive connection pool. */
function postOrder(url: string, token: string, agent: Agent, order: NewOrderRequest): Promise<Submitted> {
  const body = JSON.stringify(order);
  return new Promise((resolve) => {
    const req = request(
      new URL('/api/orders', url),
      { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve(status >= 200 && status < 300 ? OK : { ok: false, code: `HTTP ${status} ${Buffer.concat(chunks).toString('utf8').slice(0, 120)}` });
        });
      },
    );
    req.on('error', (err) => resolve({ ok: false, code: `HTTP ${err.message}` }));
    req.end(body);
  });
}

/** The API WebSocket as a trading tool would use it: one connection, `{ id, method, params }` calls, replies matched by id. */
class ApiSocket {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: Submitted) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as { id?: number; result?: { ok: boolean; error?: { code: string } } };
      if (m.id === undefined || m.result === undefined) return;
      const done = this.waiting.get(m.id);
      if (done === undefined) return;
      this.waiting.delete(m.id);
      done(m.result.ok ? OK : { ok: false, code: m.result.error?.code ?? 'unknown' });
    });
    ws.on('close', () => {
      for (const done of this.waiting.values()) done({ ok: false, code: 'socket closed' });
      this.waiting.clear();
    });
  }

  static open(url: string, token: string): Promise<ApiSocket> {
    const ws = new WebSocket(new URL('/ws', url.replace(/^http/, 'ws')), { headers: { authorization: `Bearer ${token}` } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new ApiSocket(ws)));
      ws.once('error', reject);
    });
  }

  submitOrder(order: NewOrderRequest): Promise<Submitted> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method: 'submitOrder', params: [order] }));
    });
  }

  close(): void {
    this.ws.close();
  }
}
