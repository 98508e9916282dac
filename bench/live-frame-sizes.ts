/**
 * The frame sizes a live host's sequencer commits at 1 k, 10 k and 100 k orders/s (the replay scenario's
 * live-written logs), written to a JSON file so that byte counts of two builds can be taken over exactly the
 * same frame sizes (`node dist/bench/frame-bytes.js 1000000 @sizes.json:1000`). Frame sizes depend on the load
 * of the machine; bytes for given sizes do not.
 *
 *   node dist/bench/live-frame-sizes.js out.json [orders at 1k,10k,100k]   (defaults: 5000,50000,200000)
 */
import { writeFileSync } from 'node:fs';
import { liveFrames } from './live.ts';
import { runMain } from './util.ts';

runMain(async () => {
  const out = process.argv[2];
  if (out === undefined) throw new Error('usage: live-frame-sizes out.json [orders,orders,orders]');
  const orders = (process.argv[3] ?? '5000,50000,200000').split(',').map(Number);
  const rates = [1_000, 10_000, 100_000];
  const result: Record<string, readonly number[]> = {};
  for (let i = 0; i < rates.length; i++) {
    const live = await liveFrames(rates[i]!, orders[i]!, 10);
    result[String(rates[i])] = live.frameSizes;
    const mean = live.events / Math.max(1, live.frameSizes.length);
    process.stderr.write(`${rates[i]} orders/s: ${live.frameSizes.length} frames, ${mean.toFixed(2)} events a frame, ${live.bodyBytesPerEvent.toFixed(2)} body B/event, achieved ${Math.round(live.orders.ordersPerSec)} orders/s\n`);
  }
  writeFileSync(out, JSON.stringify(result));
});
