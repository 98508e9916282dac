/**
 * The orders bench's API client on a thread of its own (bench/orders.ts, via 'http' or 'ws'): a script or trading
 * tool is not in the host's process, so its HTTP requests or WebSocket messages are built, sent and answered here,
 * not on the host's thread (which then does only the server's share of each call). Before round 12 the client ran
 * on the host's thread and its cost (~27 % of that thread over HTTP) was charged to the host.
 *
 * workerData: { url, token, via, window, counters } where `counters` is an Int32Array on a SharedArrayBuffer:
 *   [TARGET] orders to have submitted (the host thread raises it for each run; -1: stop),
 *   [FINISHED] orders the host's view saw end (written by the host thread),
 *   [SUBMITTED] [ANSWERED] [REFUSED] (written here), [CPU_US] this thread's CPU in µs (Linux; 0 elsewhere).
 * No message per order crosses the threads: each side polls the counters once a millisecond.
 * Messages to the host thread: { refused: code } for the first refusal of each run's kind (the bench prints it).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import type { NewOrderRequest } from '../contract/api.ts';
import { makeOrders, type Tradable } from './order-flow.ts';

export const TARGET = 0;
export const FINISHED = 1;
export const SUBMITTED = 2;
export const ANSWERED = 3;
export const REFUSED = 4;
export const CPU_US = 5;
export const COUNTERS = 6;

/** A submission's outcome: accepted by the API, or refused with a code. */
export interface Submitted {
  readonly ok: boolean;
  readonly code?: string;
}
const OK: Submitted = { ok: true };

export interface ClientThreadData {
  readonly url: string;
  readonly token: string;
  readonly via: 'http' | 'ws';
  readonly window: number;
  readonly symbols: readonly Tradable[];
  readonly counters: Int32Array;
}

/** POST /api/orders as a script would: JSON body, bearer token, a keep-alive connection pool. */
export function postOrder(url: string, token: string, agent: Agent, order: NewOrderRequest): Promise<Submitted> {
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
export class ApiSocket {
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

/** This thread's CPU time in µs (user + system, from the kernel's per-thread run time), or 0 where unknown. */
function threadCpuMicros(): number {
  try {
    return Math.round(Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000);
  } catch {
    return 0;
  }
}

async function main(d: ClientThreadData): Promise<void> {
  const c = d.counters;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const socket = d.via === 'ws' ? await ApiSocket.open(d.url, d.token) : undefined;
  const submit = socket !== undefined ? (o: NewOrderRequest) => socket.submitOrder(o) : (o: NewOrderRequest) => postOrder(d.url, d.token, agent, o);
  const next = makeOrders(d.symbols);
  const cpu0 = threadCpuMicros();
  parentPort!.postMessage({ ready: true });
  let lastRefusal = '';
  for (;;) {
    const target = Atomics.load(c, TARGET);
    if (target < 0) break;
    let submitted = Atomics.load(c, SUBMITTED);
    const finished = Atomics.load(c, FINISHED);
    while (submitted < target && submitted - finished < d.window) {
      submitted++;
      void submit(next()).then((r) => {
        if (!r.ok) {
          Atomics.add(c, REFUSED, 1);
          if (r.code !== lastRefusal) {
            lastRefusal = r.code ?? '';
            parentPort!.postMessage({ refused: lastRefusal });
          }
        }
        Atomics.add(c, ANSWERED, 1);
      });
    }
    Atomics.store(c, SUBMITTED, submitted);
    Atomics.store(c, CPU_US, threadCpuMicros() - cpu0);
    await new Promise((r) => setTimeout(r, 1));
  }
  agent.destroy();
  socket?.close();
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'counters' in (workerData as object)) {
  void main(workerData as ClientThreadData).catch((err: unknown) => {
    parentPort!.postMessage({ failed: err instanceof Error ? err.message : String(err) });
  });
}
