/**
 * The zero-downtime session roll under load (decision 074): a host in its own
 * process (`ordo host`, as shipped), a steady stream of new orders (and a few
 * cancels) over its HTTP API from this process, and `POST /api/session/roll`
 * twice in the middle. Reports the roll time and how many requests were
 * refused (the goal: none), and the worst request latency around a roll.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BenchRow, sleep, tempFolder } from './util.ts';

interface RunningHost {
  readonly port: number;
  readonly token: string;
  stop(): Promise<void>;
}

const ORDO_BIN = fileURLToPath(new URL('../../bin/ordo.mjs', import.meta.url));

function startHostProcess(dataDir: string): Promise<RunningHost> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [ORDO_BIN, 'host', '--data-dir', dataDir, '--port', '0', '--venue-tick-ms', '50', '--stale-ms', '60000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<void>((r) => proc.on('exit', () => r()));
    proc.stderr.on('data', (d: Buffer) => (err += d));
    proc.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /^ordo ready http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)$/m.exec(out);
      if (m) resolve({ port: Number(m[1]), token: m[2]!, stop: async () => (proc.kill('SIGTERM'), await exited) });
    });
    void exited.then(() => reject(new Error(`bench roll: ordo host exited before ready: ${err.trim()}`)));
  });
}

interface Sent {
  readonly startMs: number;
  readonly endMs: number;
  readonly status: number;
  readonly code?: string;
}

/** Runs the scenario; `seconds` of load at `rate` requests/s, rolls at 1/4 and 5/8 of it. */
export async function rollUnderLoad(opts: { rate: number; seconds: number }): Promise<BenchRow[]> {
  const folder = tempFolder('roll');
  const host = await startHostProcess(folder.dir);
  const headers = { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' };
  // A keep-alive pool of 64 connections, as a trading client would hold: requests beyond it wait their turn here (as latency, not refusals).
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const call = (method: string, path: string, body?: unknown): Promise<Sent & { body: { orderId?: number; error?: { code: string } } }> =>
    new Promise((resolve) => {
      const startMs = performance.now();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        { host: '127.0.0.1', port: host.port, path: `/api${path}`, method, agent, headers: { ...headers, ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            let json: { orderId?: number; error?: { code: string } } = {};
            try {
              json = JSON.parse(text) as typeof json;
            } catch {
              // An empty or non-JSON answer: its status says enough.
            }
            resolve({ startMs, endMs: performance.now(), status: res.statusCode ?? 0, ...(json.error ? { code: json.error.code } : {}), body: json });
          });
        },
      );
      // A transport failure counts as refused too, named by its cause.
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ startMs, endMs: performance.now(), status: 0, code: `transport: ${err.code ?? err.message}`, body: {} }));
      req.end(payload);
    });
  try {
    const state = (await call('GET', '/state')).body as unknown as { instruments: { symbol: string; referencePrice: number; tickSize: number; lotSize: number; instrumentType: string }[] };
    const syms = state.instruments.filter((i) => i.instrumentType === 'equity' && i.lotSize === 1 && i.referencePrice < 250);
    const price = (i: (typeof syms)[number], f: number) => Number((Math.round((i.referencePrice * f) / i.tickSize) * i.tickSize).toFixed(2));
    const sent: Promise<Sent>[] = [];
    const resting: number[] = [];
    let n = 0;
    const one = (): Promise<Sent> => {
      n++;
      const target = n % 10 === 0 ? resting.shift() : undefined;
      if (target !== undefined) return call('POST', `/orders/${target}/cancel`);
      const inst = syms[n % syms.length]!;
      const buy = n % 2 === 0;
      // One in three rests away from the market (half of those gtc, carried by the roll); the rest fill.
      const rests = n % 3 === 0;
      const tif = rests && n % 6 === 0 ? 'gtc' : 'day';
      const px = price(inst, rests ? (buy ? 0.96 : 1.04) : buy ? 1.03 : 0.97);
      // Repeated 1-lot orders on purpose, sells possibly before the buys fill: intentional, with a locate (decision 094).
      const order = { clientId: n % 4 < 2 ? 'ALPHA' : 'CHARLIE', clientOrderId: `roll-${n}`, symbol: inst.symbol, side: buy ? 'buy' : 'sell', orderType: 'limit', quantity: 1, price: px, timeInForce: tif, intentional: true, ...(buy ? {} : { locate: true }) };
      return call('POST', '/orders', order).then((r) => {
        // Only gtc orders are cancelled later: a day order may have ended with its session by then.
        if (r.status === 200 && tif === 'gtc' && r.body.orderId !== undefined) resting.push(r.body.orderId);
        return r;
      });
    };
    const rolls: { startMs: number; endMs: number; rollMs: number; held: number; forced: boolean; status: number }[] = [];
    const roll = async (): Promise<void> => {
      const r = await call('POST', '/session/roll');
      const b = r.body as unknown as { rollMs: number; held: number; forced: boolean };
      rolls.push({ startMs: r.startMs, endMs: r.endMs, rollMs: b.rollMs, held: b.held, forced: b.forced, status: r.status });
    };
    const started = performance.now();
    const durationMs = opts.seconds * 1000;
    const pending: Promise<void>[] = [];
    let nextRoll = 0;
    const rollAt = [durationMs / 4, (durationMs * 5) / 8];
    for (;;) {
      const elapsed = performance.now() - started;
      if (elapsed >= durationMs) break;
      const due = Math.floor((elapsed / 1000) * opts.rate);
      while (sent.length < due) sent.push(one());
      if (nextRoll < rollAt.length && elapsed >= rollAt[nextRoll]!) {
        nextRoll++;
        pending.push(roll());
      }
      await sleep(2);
    }
    const results = await Promise.all(sent);
    await Promise.all(pending);
    const seconds = (performance.now() - started) / 1000;
    if (rolls.some((r) => r.status !== 200)) throw new Error(`bench roll: a roll was refused: ${JSON.stringify(rolls)}`);
    const refused = results.filter((r) => r.status !== 200);
    const during = (r: Sent) => rolls.some((x) => r.endMs >= x.startMs && r.startMs <= x.endMs);
    const inRolls = results.filter(during);
    const worstInRoll = Math.max(0, ...inRolls.map((r) => r.endMs - r.startMs));
    const sorted = results.map((r) => r.endMs - r.startMs).sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    const codes = [...new Set(refused.map((r) => r.code ?? String(r.status)))].join(', ');
    const load = loadavg()[0]!.toFixed(1);
    return [
      {
        key: 'roll_ms_max',
        label: `session roll time (worst of ${rolls.length})`,
        value: Math.max(...rolls.map((r) => r.rollMs)),
        unit: 'ms',
        note: `each: ${rolls.map((r) => r.rollMs.toFixed(1)).join(', ')} ms; held ${rolls.map((r) => r.held).join(', ')}${rolls.some((r) => r.forced) ? '; FORCED' : ''}`,
      },
      {
        key: 'roll_refused',
        label: 'requests refused across the rolls',
        value: refused.length,
        unit: 'requests',
        target: { op: '<=', value: 0 },
        note: `${results.length.toLocaleString('en-US')} sent in ${opts.seconds} s, all answered in ${seconds.toFixed(1)} s; load avg ${load}${codes ? `; ${codes}` : ''}`,
      },
      { key: 'roll_worst_request_ms', label: 'slowest request overlapping a roll', value: worstInRoll, unit: 'ms', note: `${inRolls.length} requests overlapped; p99 of all ${p99.toFixed(1)} ms` },
    ];
  } finally {
    agent.destroy();
    await host.stop();
    folder.dispose();
  }
}
