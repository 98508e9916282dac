/**
 * Issue 11's backpressure figure: "50 stalled subscribers at 1,000 orders/s
 * keep host RSS within +200 MB of a run without them", and memory returns
 * after they go. A host in its own process (`ordo host`); from this process:
 *  1. control: `seconds` of orders at `rate`/s over HTTP with no subscriber;
 *  2. stalled: `subscribers` WebSockets subscribe, read their first push and
 *     stop reading (paused sockets: the kernel's buffers fill, then the host's
 *     send queue), and the same load runs again;
 *  3. gone: the stalled sockets are terminated; the host's RSS `settleS` later.
 * The host's RSS (/proc VmRSS) is sampled every second; order-ack latency
 * (from each order's due time) is reported per phase.
 */
import WebSocket from 'ws';
import { loadavg } from 'node:os';
import { apiCaller, orderFlow, pacedOrders, quantile, rssOf, startHostProcess, type Ack } from './host-load.ts';
import { type BenchRow, sleep, tempFolder } from './util.ts';

const MiB = 2 ** 20;

interface Phase {
  readonly startRss: number;
  readonly endRss: number;
  readonly maxRss: number;
  readonly acks: Ack[];
}

export async function stalledSubscribers(opts: { subscribers: number; rate: number; seconds: number; settleS: number; log: (s: string) => void }): Promise<BenchRow[]> {
  const folder = tempFolder('stalled');
  const host = await startHostProcess(folder.dir);
  const api = apiCaller(host);
  try {
    const next = await orderFlow(api.call, 'stalled');
    const phase = async (name: string): Promise<Phase> => {
      const startRss = rssOf(host.pid);
      let maxRss = startRss;
      const acks = await pacedOrders(api.call, next, opts.rate, opts.seconds, () => {
        maxRss = Math.max(maxRss, rssOf(host.pid));
      });
      await sleep(500);
      const endRss = rssOf(host.pid);
      const bad = acks.filter((a) => a.status !== 200).length;
      opts.log(`stalled: ${name}: ${acks.length} orders (${bad} not 200), RSS ${(startRss / MiB).toFixed(0)} → ${(endRss / MiB).toFixed(0)} MiB (max ${(Math.max(maxRss, endRss) / MiB).toFixed(0)}), ack p50 ${quantile(acks.map((a) => a.ms), 0.5).toFixed(1)} p99 ${quantile(acks.map((a) => a.ms), 0.99).toFixed(1)} ms`);
      return { startRss, endRss, maxRss: Math.max(maxRss, endRss), acks };
    };
    const control = await phase('control (no subscriber)');

    const sockets: { ws: WebSocket; closedWith?: number }[] = [];
    for (let i = 0; i < opts.subscribers; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { headers: { origin: `http://127.0.0.1:${host.port}` } });
      const s: { ws: WebSocket; closedWith?: number } = { ws };
      sockets.push(s);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.on('close', (code) => (s.closedWith = code));
      ws.on('error', () => undefined);
      const first = new Promise<void>((resolve) => ws.once('message', () => resolve()));
      ws.send(JSON.stringify({ id: 1, method: 'subscribe', params: [] }));
      await first;
      // Stalled from here on: the socket is never read again.
      ws.pause();
    }
    const stalled = await phase(`${opts.subscribers} stalled subscribers`);
    const dropped = sockets.filter((s) => s.closedWith !== undefined).length;

    for (const s of sockets) s.ws.terminate();
    await sleep(opts.settleS * 1000);
    const goneRss = rssOf(host.pid);
    opts.log(`stalled: ${opts.settleS} s after the subscribers went: RSS ${(goneRss / MiB).toFixed(0)} MiB`);

    const controlGrowth = (control.endRss - control.startRss) / MiB;
    const stalledGrowth = (stalled.maxRss - stalled.startRss) / MiB;
    const load = loadavg()[0]!.toFixed(1);
    const p99 = (p: Phase) => quantile(p.acks.map((a) => a.ms), 0.99);
    return [
      {
        key: 'stalled_rss_over_control_mib',
        label: `host RSS growth with ${opts.subscribers} stalled subscribers over a run without`,
        // 0 when the run with them grew less than the one without (a negative value would read as a failed run).
        value: Math.max(0, stalledGrowth - Math.max(0, controlGrowth)),
        unit: 'MiB',
        target: { op: '<=', value: 200 },
        note: `${opts.seconds} s at ${opts.rate}/s each: control +${controlGrowth.toFixed(0)} MiB, stalled +${stalledGrowth.toFixed(0)} MiB (peak); ${dropped} of ${opts.subscribers} dropped by the host (4008) before the end; load avg ${load}`,
      },
      {
        key: 'stalled_rss_after_gone_mib',
        label: `host RSS ${opts.settleS} s after the stalled subscribers went`,
        value: goneRss / MiB,
        unit: 'MiB',
        note: `before them ${(stalled.startRss / MiB).toFixed(0)} MiB, peak with them ${(stalled.maxRss / MiB).toFixed(0)} MiB`,
      },
      { key: 'stalled_ack_p99_ms', label: 'order-ack p99 with the stalled subscribers', value: p99(stalled), unit: 'ms', note: `without them ${p99(control).toFixed(1)} ms` },
    ];
  } finally {
    api.close();
    await host.stop();
    folder.dispose();
  }
}
