/**
 * Heap held by risk's state in a steady busy session (issue 11, round 4):
 * `node --expose-gc dist/bench/risk-memory.js [orders] [keys]` folds `orders`
 * OrderPending events 100 µs apart (10,000 orders/s of sequencer time, so the
 * duplicate check's minute holds 600,000), each cancelled 4,000 orders later
 * (as many in flight as the `rss` scenario), into one RiskState, and prints the
 * heap (and array buffers) it holds after a full GC and per remembered order. `keys` spreads the
 * orders over that many duplicate keys (160: the bench flow's repeats; a large
 * number: mostly distinct orders, by price). Runs in this process only.
 */
import { RiskState } from '../engine/oms/exposure/risk-state.ts';
import { collectGarbage, runMain } from './util.ts';

runMain(async () => {
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc');
  const orders = Number(process.argv[2] ?? 1_500_000);
  const keys = Number(process.argv[3] ?? 160);
  collectGarbage();
  collectGarbage();
  // Heap and array buffers: the duplicate memory lives in typed arrays since decision 255.
  const held0 = process.memoryUsage();
  const before = held0.heapUsed + held0.arrayBuffers;
  const rs = new RiskState();
  const t0 = 1_800_000_000_000_000;
  for (let id = 1; id <= orders; id++) {
    const k = id % keys;
    const ts = t0 + id * 100;
    rs.apply({
      seq: id, ts, src: 'proxy', cseq: id,
      event: { type: 'OrderPending', orderId: id, clientId: k & 1 ? 'ALPHA' : 'CHARLIE', clientOrderId: `c${id}`, symbol: `S${(k >> 2) % 40}`, side: k & 2 ? 'buy' : 'sell', orderType: 'limit', timeInForce: 'day', quantity: 1, price: 100 + (k >> 8) / 100, intentional: true, locate: true },
    });
    if (id > 4000) rs.apply({ seq: id, ts, src: 'gateway', cseq: id, event: { type: 'OrderCancelled', orderId: id - 4000, reason: 1 } });
  }
  collectGarbage();
  collectGarbage();
  const held1 = process.memoryUsage();
  const held = held1.heapUsed + held1.arrayBuffers - before;
  console.log(JSON.stringify({ orders, keys, remembered: rs.rememberedOrders, heapMiB: +(held / 2 ** 20).toFixed(1), bytesPerRemembered: Math.round(held / rs.rememberedOrders) }));
  await Promise.resolve();
});
