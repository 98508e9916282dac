import { Agent, request } from 'node:http';
import type { NewOrderRequest } from '../../../contract/api.ts';

/** A raw HTTP exchange with full control of headers (fetch forbids setting Host). */
export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export function http(opts: {
  port: number;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sends the body in chunks without content-length. */
  chunked?: boolean;
  timeoutMs?: number;
}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.body !== undefined && !opts.chunked) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = request(
      { host: '127.0.0.1', port: opts.port, method: opts.method ?? 'GET', path: opts.path, headers, agent, timeout: opts.timeoutMs ?? 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`HTTP ${opts.method ?? 'GET'} ${opts.path} timed out`)));
    req.on('error', reject);
    if (opts.body !== undefined && opts.chunked) {
      const b = Buffer.from(opts.body);
      for (let i = 0; i < b.length; i += 16 * 1024) req.write(b.subarray(i, i + 16 * 1024));
    } else if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** An authorised client of one host's API. */
export class Api {
  constructor(
    readonly port: number,
    readonly token: string,
  ) {}

  call(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<HttpReply> {
    return http({
      port: this.port,
      method,
      path,
      headers: { authorization: `Bearer ${this.token}`, host: `127.0.0.1:${this.port}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
  }

  async state(): Promise<StateLike> {
    const r = await this.call('GET', '/api/state');
    if (r.status !== 200) throw new Error(`GET /api/state: ${r.status} ${r.text}`);
    return r.json as StateLike;
  }

  async lastSeq(): Promise<number> {
    return (await this.state()).session.seq;
  }
}

export interface StateLike {
  session: { id: number; state: string; seq: number };
  orders: { orderId: number; state: string; clientOrderId: string }[];
  fills: unknown[];
  components: { id: string; role: string; state: string; active: boolean; stale: boolean; lastSeq: number }[];
  alerts: { instance: string; kind: string }[];
}

/** Equities with 0.01 ticks and lot 1, and their reference prices (engine/oms/reference/default.json). */
const BOOK: readonly (readonly [string, number])[] = [
  ['AAPL', 228.45],
  ['MSFT', 431.2],
  ['NVDA', 142.85],
  ['AMZN', 201.7],
  ['JPM', 241.55],
  ['SPY', 597.35],
];

/** A deterministic order `i` of run `tag`: limits within ±4% of the reference (some cross, some rest), a few market IOCs. */
export function orderFor(tag: string, i: number, tif: 'day' | 'gtc' | 'ioc' = i % 3 === 0 ? 'gtc' : 'day'): NewOrderRequest {
  const [symbol, ref] = BOOK[i % BOOK.length]!;
  const side = i % 2 === 0 ? 'buy' : 'sell';
  const clientOrderId = `${tag}-${i}`;
  const clientId = i % 5 === 0 ? 'CHARLIE' : 'ALPHA';
  const quantity = 1 + (i % 7);
  if (i % 11 === 0) return { clientId, clientOrderId, symbol, side, orderType: 'market', quantity, timeInForce: 'ioc' };
  const k = ((i * 37) % 81) - 40; // -40..40 tenths of a percent
  const price = Math.round(ref * (1 + k / 1000) * 100) / 100;
  return { clientId, clientOrderId, symbol, side, orderType: 'limit', quantity, price, timeInForce: tif };
}

export interface StreamResult {
  /** clientOrderId → orderId, for every order the API acknowledged. */
  acked: Map<string, number>;
  /** clientOrderIds sent whose answer never came (the process died) or was an error. */
  unanswered: Set<string>;
  errors: Map<string, string>;
}

/**
 * Streams orders through the API from `workers` concurrent clients until
 * `stop()` says so; records every acknowledgement. Network errors (the host
 * was killed) end a worker quietly.
 */
export function streamOrders(api: Api, tag: string, workers: number, stop: () => boolean, result: StreamResult = { acked: new Map(), unanswered: new Set(), errors: new Map() }): { done: Promise<StreamResult>; sent: () => number } {
  let next = 0;
  const worker = async () => {
    while (!stop()) {
      const i = next++;
      const o = orderFor(tag, i);
      result.unanswered.add(o.clientOrderId);
      let r: HttpReply;
      try {
        r = await api.call('POST', '/api/orders', o, 10_000);
      } catch {
        return; // connection refused or reset: the host is gone
      }
      result.unanswered.delete(o.clientOrderId);
      if (r.status === 200) result.acked.set(o.clientOrderId, (r.json as { orderId: number }).orderId);
      else result.errors.set(o.clientOrderId, `${r.status} ${r.text}`);
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker)).then(() => result);
  return { done, sent: () => next };
}
