import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReferenceData } from '../oms/reference.ts';
import { startHost } from './host.ts';

/**
 * Orders a warm-up sends unless told otherwise: past the slices where a fresh host's orders cost it most (decision
 * 291). `ordo host --warm-up 2000` asks for it; `ordo host` runs none by default.
 */
export const WARM_UP_ORDERS = 2000;
/**
 * When the warm-up stops sending (wall ms from its start, its scratch engine's start included; the engine's stop
 * follows). At load 8–11 the 2,000 orders took 5–6 s; at load 15–16 a 10 s bound held the start ~9–11 s. The desktop
 * app waits 30 s for the ready line (electron/host-process.ts), and a host resuming a long session needs ~12 s of
 * it on a slow machine: 5 s keeps the warm-up well inside that.
 */
export const WARM_UP_MAX_MS = 5000;
/** Orders in flight at once: the HTTP server, the sequencer's group commit and the fan-out see batches, as under load. */
const IN_FLIGHT = 8;

export interface WarmUpResult {
  /** Orders sent and answered 200 (the scratch session took them). */
  readonly sent: number;
  readonly answered: number;
  /** Wall ms, the scratch host's start and stop included. */
  readonly ms: number;
}

/**
 * Runs the order path of this process once through a scratch engine before the real one starts (decision 291):
 * a fresh `ordo host` spends ~1.3 ms of its main thread on each of its first orders against ~0.25 ms once V8 has
 * compiled the path, so a trader's first orders of the day queued behind the JIT. The scratch engine is a whole host
 * (sequencer, components, projection, risk, the HTTP API, and the simulated venue on this thread: no second process
 * to start, or to leave behind) on a log in a temporary folder, with the shipped reference data, no bus port, no
 * compaction and no checkpoints; `orders`
 * marketable 1-lot orders go through its HTTP API (they fill at its own venue), then it stops and its folder is
 * deleted. Nothing of it reaches the real log, the real venue or any port another process knows: only V8's
 * compiled code and its type feedback are kept. Its handlers are the product's, so they read no clock. It stops
 * sending at `maxMs` (its start included) or once `stopped` says so (a Ctrl-C), then stops its engine.
 */
export async function warmOrderPath(opts: { orders?: number; maxMs?: number; stopped?: () => boolean } = {}): Promise<WarmUpResult> {
  const t0 = performance.now();
  const orders = opts.orders ?? WARM_UP_ORDERS;
  const maxMs = opts.maxMs ?? WARM_UP_MAX_MS;
  const dir = mkdtempSync(join(tmpdir(), 'ordo-warm-up-'));
  let sent = 0;
  let answered = 0;
  try {
    const host = await startHost({ dataDir: join(dir, 'data'), port: 0, venueIn: 'host', compactFrames: false, checkpointEvery: 0, staleMs: 60_000, venueTickMs: 50, staticDir: join(dir, 'no-ui') });
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    try {
      const post = postJson(agent, host.port, host.token);
      const reference = loadReferenceData();
      const symbols = reference.instruments.filter((i) => i.instrumentType === 'equity' && i.lotSize === 1 && i.referencePrice < 250);
      // Clients that may trade every symbol; each order is 1 lot, far under any shipped limit.
      const clients = reference.clients.filter((c) => c.allowedSymbols.includes('*')).map((c) => c.clientId);
      if (symbols.length === 0 || clients.length === 0) return { sent, answered, ms: performance.now() - t0 };
      const order = (n: number) => {
        const inst = symbols[n % symbols.length]!;
        const buy = n % 2 === 0;
        const price = Number((Math.round((inst.referencePrice * (buy ? 1.03 : 0.97)) / inst.tickSize) * inst.tickSize).toFixed(2));
        return { clientId: clients[(n >> 1) % clients.length]!, clientOrderId: `warm-${n}`, symbol: inst.symbol, side: buy ? 'buy' : 'sell', orderType: 'limit', quantity: 1, price, timeInForce: 'day', intentional: true, ...(buy ? {} : { locate: true }) };
      };
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (sent < orders && performance.now() - t0 < maxMs && opts.stopped?.() !== true) {
            const n = sent++;
            if ((await post('/api/orders', order(n))) === 200) answered++;
          }
        }),
      );
    } finally {
      agent.destroy();
      await host.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { sent, answered, ms: performance.now() - t0 };
}

/** POSTs JSON to the scratch host's API with its token; resolves with the status (0 when the request failed). */
function postJson(agent: Agent, port: number, token: string): (path: string, body: unknown) => Promise<number> {
  return (path, body) =>
    new Promise((resolve) => {
      const payload = JSON.stringify(body);
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(payload);
    });
}
