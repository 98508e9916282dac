/**
 * The client proxy's own cost of a new order, alone (issue 15, round 16): what one submitted order keeps on the
 * heap while it is in flight, and the CPU of submit + answer. No bus, no sequencer: the proxy's sink counts
 * commands and the answer is its own event handed to `react`, as the runtime does.
 *
 *   node --expose-gc dist/bench/proxy-submit.js [orders in flight, for the heap] [orders per round] [rounds]
 *
 * Prints one JSON line: `heapBytesPerOrder` (heapUsed after a full collection with that many orders in flight, less the
 * same before they were submitted, over their count; their request objects are made before the first reading) and
 * `cpuMicrosPerOrder` (process CPU, user + system, over every round after the first, which warms up).
 */
import type { NewOrderRequest } from '../contract/api.ts';
import { ClientProxyComponent } from '../engine/oms/components/client-proxy.ts';
import { OmsProjection } from '../engine/oms/projection.ts';
import { loadReferenceData } from '../engine/oms/reference.ts';
import { LogBuilder } from '../engine/oms/testkit.ts';
import type { Sequenced } from '../engine/protocol/events.ts';
import { collectGarbage, runMain } from './util.ts';

const SRC = 'proxy-bench';

function requests(n: number, round: number): NewOrderRequest[] {
  const out: NewOrderRequest[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ clientId: 'ALPHA', clientOrderId: `b${round}-${i}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 10, price: 228.45 });
  }
  return out;
}

runMain(async () => {
  if ((globalThis as { gc?: unknown }).gc === undefined) throw new Error('proxy-submit: run node with --expose-gc');
  const inFlight = Number(process.argv[2] ?? 20_000);
  const perRound = Number(process.argv[3] ?? 4_000);
  const rounds = Number(process.argv[4] ?? 100);
  const b = new LogBuilder().openSession({ reference: loadReferenceData() });
  const p = new OmsProjection();
  p.applyAll(b.events);
  const proxy = new ClientProxyComponent(SRC, p);
  let cseq = 0;
  proxy.onActivate({ send: () => ++cseq });
  // Only the fields the proxy reads of its event: who sent it, its cseq, its seq (no refusal at any seq here).
  const event = (c: number): Sequenced => ({ src: SRC, cseq: c, seq: c }) as unknown as Sequenced;

  const answerAll = async (from: number, to: number, pending: Promise<unknown>[]): Promise<void> => {
    for (let c = from; c <= to; c++) proxy.react(1, event(c));
    await Promise.all(pending);
  };

  // Heap: `perRound` orders in flight at once.
  let reqs = requests(inFlight, -1);
  collectGarbage();
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const first = cseq + 1;
  let pending: Promise<unknown>[] = new Array<Promise<unknown>>(inFlight);
  for (let i = 0; i < inFlight; i++) pending[i] = proxy.submit(reqs[i]!);
  collectGarbage();
  collectGarbage();
  // The array of promises is the bench's own: a caller holds each promise anyway (counted), the array slot not.
  const heapBytesPerOrder = (process.memoryUsage().heapUsed - before - inFlight * 8) / inFlight;
  await answerAll(first, cseq, pending);
  pending = new Array<Promise<unknown>>(perRound);

  // CPU: rounds of submit then answer.
  let cpu = 0;
  let orders = 0;
  for (let r = 0; r < rounds; r++) {
    reqs = requests(perRound, r);
    const from = cseq + 1;
    const t0 = process.cpuUsage();
    for (let i = 0; i < perRound; i++) pending[i] = proxy.submit(reqs[i]!);
    await answerAll(from, cseq, pending);
    const d = process.cpuUsage(t0);
    if (r > 0) {
      cpu += d.user + d.system;
      orders += perRound;
    }
  }
  const out = { orders, heapBytesPerOrder: Math.round(heapBytesPerOrder), cpuMicrosPerOrder: Number((cpu / orders).toFixed(3)) };
  process.stdout.write(JSON.stringify(out) + '\n');
});
