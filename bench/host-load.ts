/**
 * Shared by the scenarios that load a host running in its own process (`ordo
 * host`, as shipped) over its HTTP API: starting it, its RSS from /proc, an
 * order flow paced open-loop at a rate (each request's latency from its due
 * time, so a stalled host shows as latency, not as fewer requests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { monoMs, TRACE_HEADER } from './hops.ts';
import { sleep } from './util.ts';

/** The `ordo` the host-process scenarios run: this checkout's, or for A/B runs another's ($ORDO_BENCH_BIN, its bin/ordo.mjs). */
export const ORDO_BIN = process.env['ORDO_BENCH_BIN'] ?? fileURLToPath(new URL('../../bin/ordo.mjs', import.meta.url));

export interface HostProcess {
  readonly pid: number;
  readonly port: number;
  readonly token: string;
  readonly proc: ChildProcess;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** What it wrote on stderr so far (its log lines: e.g. the warm-up's, decision 291). */
  stderr(): string;
}

/**
 * Starts `ordo host` on `dataDir` with `extra` arguments and waits for its ready line. `node` adds arguments for
 * node itself (a preload, `--cpu-prof`) and environment variables.
 */
export function startHostProcess(dataDir: string, extra: readonly string[] = [], node: { args?: readonly string[]; env?: Record<string, string> } = {}): Promise<HostProcess> {
  return new Promise((resolve, reject) => {
    // For A/B runs: $ORDO_HOST_NODE_ARGS (space-separated) goes on the host's node command line first.
    const abArgs = (process.env['ORDO_HOST_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    const args = [...abArgs, ...(node.args ?? []), ORDO_BIN, 'host', '--data-dir', dataDir, '--port', '0', '--venue-tick-ms', '50', '--stale-ms', '60000', ...extra];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...node.env } });
    let out = '';
    let err = '';
    const exited = new Promise<void>((r) => proc.on('exit', () => r()));
    proc.stderr!.on('data', (d: Buffer) => (err += d));
    // For GC studies: $ORDO_HOST_STDOUT_FILE takes a copy of the host's stdout (e.g. V8's --trace-gc-nvp lines).
    const copyTo = process.env['ORDO_HOST_STDOUT_FILE'];
    proc.stdout!.on('data', (d: Buffer) => {
      if (copyTo) appendFileSync(copyTo, d);
      out += d;
      const m = /^ordo ready http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)$/m.exec(out);
      if (m) resolve({ pid: proc.pid!, port: Number(m[1]), token: m[2]!, proc, stop: async () => (proc.kill('SIGTERM'), await exited), stderr: () => err });
    });
    void exited.then(() => reject(new Error(`ordo host exited before ready: ${err.trim()}`)));
  });
}

/** A process's resident set size (VmRSS), bytes. */
export function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** With apiCaller's `trace`: when the request was handed to Node, written to the socket, its answer's head and end arrived (CLOCK_MONOTONIC ms). */
  readonly times?: { readonly call: number; readonly written: number; readonly head: number; readonly end: number };
}



/**
 * JSON over HTTP to the host's API with its token, through a keep-alive pool of 64 connections. With `trace`,
 * a body with a clientOrderId is named by it in the x-ordo-trace header (bench/host-probe.ts stamps the host's
 * hops by it) and each reply carries its client-side times.
 */
export function apiCaller(host: { port: number; token: string }, opts: { trace?: boolean } = {}): { call: (method: string, path: string, body?: unknown) => Promise<Reply>; close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const call = (method: string, path: string, body?: unknown): Promise<Reply> =>
    new Promise((resolve) => {
      const t = opts.trace ? { call: monoMs(), written: NaN, head: NaN, end: NaN } : undefined;
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const coid = t ? (body as { clientOrderId?: string } | undefined)?.clientOrderId : undefined;
      const headers = { authorization: `Bearer ${host.token}`, 'content-type': 'application/json', ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}), ...(coid !== undefined ? { [TRACE_HEADER]: coid } : {}) };
      const req = request({ host: '127.0.0.1', port: host.port, path: `/api${path}`, method, agent, headers }, (res) => {
        if (t) t.head = monoMs();
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          if (t) t.end = monoMs();
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // Not JSON: the status says enough.
          }
          resolve({ status: res.statusCode ?? 0, body: json, ...(t ? { times: t } : {}) });
        });
      });
      if (t) req.once('finish', () => (t.written = monoMs()));
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, body: { error: { code: `transport: ${err.code ?? err.message}` } } }));
      req.end(payload);
    });
  return { call, close: () => agent.destroy() };
}

/**
 * Raises both bench clients' credit (the flow executes far more than a session's credit) and returns a maker of
 * marketable 1-lot day orders (intentional repeats, sells with a locate), as the roll and orders scenarios send.
 */
export async function orderFlow(call: (method: string, path: string, body?: unknown) => Promise<Reply>, tag: string): Promise<() => Record<string, unknown>> {
  for (const c of ['ALPHA', 'CHARLIE']) {
    const r = await call('PUT', `/clients/${c}/limits`, { maxOpenNotional: 1e13, by: 'bench' });
    if (r.status !== 200) throw new Error(`cannot raise ${c}'s credit: ${JSON.stringify(r.body)}`);
  }
  const state = (await call('GET', '/state')).body as { instruments: { symbol: string; referencePrice: number; tickSize: number; lotSize: number; instrumentType: string }[] };
  const syms = state.instruments.filter((i) => i.instrumentType === 'equity' && i.lotSize === 1 && i.referencePrice < 250);
  const price = (i: (typeof syms)[number], f: number) => Number((Math.round((i.referencePrice * f) / i.tickSize) * i.tickSize).toFixed(2));
  let n = 0;
  return () => {
    n++;
    const inst = syms[n % syms.length]!;
    const buy = n % 2 === 0;
    return { clientId: n % 4 < 2 ? 'ALPHA' : 'CHARLIE', clientOrderId: `${tag}-${n}`, symbol: inst.symbol, side: buy ? 'buy' : 'sell', orderType: 'limit', quantity: 1, price: price(inst, buy ? 1.03 : 0.97), timeInForce: 'day', intentional: true, ...(buy ? {} : { locate: true }) };
  };
}

export interface Ack {
  /** When it was due (ms since the load started) and its latency from then. */
  readonly dueMs: number;
  readonly ms: number;
  /** When the load generator handed it to Node's HTTP client (ms since the load started): late past dueMs is the generator's own delay. */
  readonly sentMs: number;
  readonly status: number;
  /** The error code of an answer that is not 200 (or the transport's). */
  readonly code?: string;
  /** With a tracing caller: the order's clientOrderId, when it was due (CLOCK_MONOTONIC ms) and its reply's times. */
  readonly trace?: { readonly coid: string; readonly due: number; readonly times: NonNullable<Reply['times']> };
}

/**
 * Submits `rate` orders a second for `seconds`, open loop: order i is due at i / rate and its latency runs from
 * then. `every` runs once a second (samples, actions at a given second). Resolves once every order is answered.
 */
export async function pacedOrders(call: (method: string, path: string, body?: unknown) => Promise<Reply>, next: () => Record<string, unknown>, rate: number, seconds: number, every?: (second: number) => void | Promise<void>): Promise<Ack[]> {
  const acks: Promise<Ack>[] = [];
  const t0 = performance.now();
  // The same instant on CLOCK_MONOTONIC, to set the due times beside the host's hop stamps.
  const mono0 = monoMs() - (performance.now() - t0);
  let second = 0;
  for (;;) {
    const elapsed = performance.now() - t0;
    if (elapsed >= seconds * 1000) break;
    // Orders due by now: order i is due at i / rate, so at `elapsed` orders 0..floor(elapsed·rate) are due (the
    // count is one more than the floor; without it each order went one interval late, 1 ms at 1,000/s).
    const due = Math.min(Math.floor((elapsed / 1000) * rate) + 1, seconds * rate);
    while (acks.length < due) {
      const dueMs = (acks.length / rate) * 1000;
      const sentMs = performance.now() - t0;
      const order = next();
      acks.push(
        call('POST', '/orders', order).then((r) => {
          const code = r.status === 200 ? undefined : String((r.body['error'] as { code?: string } | undefined)?.code ?? '');
          const trace = r.times ? { trace: { coid: String(order['clientOrderId']), due: mono0 + dueMs, times: r.times } } : {};
          return { dueMs, ms: performance.now() - t0 - dueMs, sentMs, status: r.status, ...(code !== undefined ? { code } : {}), ...trace };
        }),
      );
    }
    if (elapsed >= second * 1000) {
      await every?.(second);
      second++;
    }
    await sleep(1);
  }
  return Promise.all(acks);
}

/** The q-quantile (0..1) of `xs`. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
