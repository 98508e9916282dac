/**
 * FIX figures (docs/fix.md): orders per second into Ordo over FIX (a FIX
 * 4.4 client session on the acceptor), orders per second out over FIX (the
 * venue gateway's FIX link to the simulated venue's FIX acceptor), and the
 * latency from a client's NewOrderSingle to its first ExecutionReport.
 * Real host, real sockets, a temp data dir. `node dist/bench/fix.js [--quick]`,
 * or `npm run bench -- --only fix`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IJsFixConfig, ILooseObject } from 'jspurefix';
import { connectFix } from '../engine/fix/jspurefix.ts';
import { OrdoFixSession } from '../engine/fix/session.ts';
import { startHost, type Host } from '../engine/host/host.ts';

export interface FixRow {
  key: string;
  label: string;
  value: number;
  unit: string;
  note?: string;
}

interface Client {
  session: OrdoFixSession | undefined;
  /** Send time (ms) by ClOrdID, and when its first report came. */
  sent: Map<string, number>;
  first: Map<string, number>;
  stop(): void;
}

async function logon(port: number, dir: string): Promise<Client> {
  const c: Client = { session: undefined, sent: new Map(), first: new Map(), stop: () => undefined };
  const conn = connectFix(
    { role: 'initiator', name: 'bench-client', begin: 'FIX.4.4', senderCompId: 'ALPHA', targetCompId: 'ORDO', host: '127.0.0.1', port, heartbeatSeconds: 30, storeDir: dir },
    (config: IJsFixConfig) =>
      new OrdoFixSession(config, {
        logon: () => undefined,
        ready: (s) => (c.session = s),
        stopped: () => (c.session = undefined),
        message: (_s, msgType, body: ILooseObject) => {
          const id = String(body['ClOrdID'] ?? '');
          if (msgType === '8' && !c.first.has(id)) c.first.set(id, performance.now());
        },
      }),
  );
  c.stop = () => conn.stop();
  await until(() => c.session !== undefined, 'bench client logon');
  return c;
}

async function until(cond: () => boolean, what: string, ms = 300_000, pollMs = 1): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

let sentCount = 0;

function send(c: Client, id: string): void {
  c.sent.set(id, performance.now());
  // Distinct (quantity, price) for 2,000 orders in a row: FIX has no "intentional duplicate" flag, and risk refuses
  // the same order repeated within 2 s (decision 091).
  const k = sentCount++;
  const qty = 1 + (Math.floor(k / 500) % 4);
  const price = (24_000 - (k % 500)) / 100;
  c.session!.sendApp('D', { ClOrdID: id, Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: qty }, OrdType: '2', Price: price, TimeInForce: '0', TransactTime: new Date() });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Runs the FIX scenarios; `orders` per throughput run, `samples` sequential orders for latency. */
export async function fixFigures(opts: { orders: number; samples: number }, log: (s: string) => void = () => undefined): Promise<FixRow[]> {
  const rows: FixRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ordo-bench-fix-'));
  let host: Host | undefined;
  try {
    const venuePort = await freePort();
    host = await startHost({
      dataDir: join(dir, 'data'),
      port: 0,
      staticDir: '/nonexistent',
      venueTickMs: 10,
      fixPort: 0,
      venueFixPort: venuePort,
    });
    const port = await host.fix!.whenListening();
    const c = await logon(port, join(dir, 'client'));

    log(`fix: ${opts.samples} NewOrderSingles one at a time (latency to the first ExecutionReport)…`);
    const lat: number[] = [];
    for (let i = 0; i < opts.samples; i++) {
      const id = `lat-${i}`;
      send(c, id);
      await until(() => c.first.has(id), 'first report');
      lat.push((c.first.get(id)! - c.sent.get(id)!) * 1000);
    }
    lat.sort((a, b) => a - b);
    rows.push({ key: 'fix_first_report_p50_us', label: 'FIX D → first ExecutionReport p50', value: pct(lat, 50), unit: 'µs', note: `${lat.length} orders, one at a time` });
    rows.push({ key: 'fix_first_report_p99_us', label: 'FIX D → first ExecutionReport p99', value: pct(lat, 99), unit: 'µs' });

    log(`fix: ${opts.orders} NewOrderSingles as fast as the session takes them…`);
    // The target is fixed BEFORE sending: reports of the first orders arrive while the loop yields, and a count
    // taken after it (as this bench did) waited for more distinct ClOrdIDs than were ever sent, timing out at 2,000.
    const expected = c.first.size + opts.orders;
    const t0 = performance.now();
    for (let i = 0; i < opts.orders; i++) {
      send(c, `in-${i}`);
      if (i % 200 === 199) await new Promise((r) => setImmediate(r));
    }
    await until(() => c.first.size >= expected, 'all first reports', 300_000, 5);
    const inSecs = (performance.now() - t0) / 1000;
    rows.push({ key: 'fix_in_orders_per_s', label: 'orders in over FIX (first report back)', value: opts.orders / inSecs, unit: 'orders/s', note: `${opts.orders} orders on one session` });
    c.stop();
    await host.close();
    host = undefined;

    log(`fix: ${opts.orders} orders out over FIX to the simulated venue's FIX acceptor…`);
    const venuePort2 = await freePort();
    host = await startHost({
      dataDir: join(dir, 'data2'),
      port: 0,
      staticDir: '/nonexistent',
      venueTickMs: 10,
      venueFixPort: venuePort2,
      fixVenues: [{ venueId: 'XNAS', host: '127.0.0.1', port: venuePort2, beginString: 'FIX.4.4', senderCompId: 'ORDO', targetCompId: 'ORDOSIM' }],
    });
    const h = host;
    // The link must be up before the clock starts.
    await until(() => h.fixVenues!.link('XNAS')!.ready, 'venue link');
    const t1 = performance.now();
    const ids: number[] = [];
    // Submitted in windows of 100 concurrent requests, as a busy desk would.
    for (let i = 0; i < opts.orders; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, opts.orders - i) }, (_, k) =>
          h.api.submitOrder({ clientId: 'ALPHA', clientOrderId: `out-${i + k}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 1, price: 240, timeInForce: 'day', intentional: true }),
        ),
      );
      for (const r of batch) if (r.ok) ids.push(r.value.orderId);
    }
    let done = 0;
    await until(
      () => {
        while (done < ids.length && h.view.projection.order(ids[done]!)?.state === 'filled') done++;
        return done === ids.length;
      },
      'all filled over FIX',
      300_000,
      10,
    );
    const outSecs = (performance.now() - t1) / 1000;
    rows.push({ key: 'fix_out_orders_per_s', label: 'orders out over FIX (sent → filled)', value: ids.length / outSecs, unit: 'orders/s', note: `${ids.length} orders, gateway ⇄ FIX ⇄ simulated venue` });
  } finally {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  fixFigures(quick ? { orders: 200, samples: 50 } : { orders: 5000, samples: 500 }, (s) => console.error(s))
    .then((rows) => {
      for (const r of rows) console.log(`${r.label.padEnd(44)} ${r.value.toFixed(0).padStart(10)} ${r.unit.padEnd(9)} ${r.note ?? ''}`);
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(`bench fix: ${(err as Error).message}`);
      process.exit(1);
    });
}
