/**
 * What the simulated venue's market makers leave for the old generation (decision 264): steps the host's venue
 * exchange (its reference instruments, no OMS orders) N ticks with a scavenge after each, as a host does when a
 * scavenge falls between two venue ticks, and prints the bytes V8 promoted per tick:
 *
 *   node --expose-gc --trace-gc-nvp dist/bench/venue-promotion.js [ticks] | node dist/bench/venue-promotion.js --sum
 *
 * (the first prints V8's nvp lines, the second sums their `promoted=` over the ticks it is told on its last line).
 */
import { createInterface } from 'node:readline';
import { loadReferenceData } from '../engine/oms/reference.ts';
import { Exchange } from '../engine/venue/exchange.ts';
import { runMain } from './util.ts';

runMain(async () => {
  if (process.argv[2] === '--sum') {
    let promoted = 0;
    let ticks = 0;
    for await (const line of createInterface({ input: process.stdin })) {
      promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
      ticks = Number(/^venue-promotion: (\d+) ticks/.exec(line)?.[1] ?? ticks);
    }
    console.log(`venue-promotion: ${ticks} ticks, ${(promoted / 1024).toFixed(0)} KiB promoted, ${(promoted / Math.max(1, ticks) / 1024).toFixed(1)} KiB per tick`);
    return;
  }
  const gc = (globalThis as { gc?: (o: { type: string }) => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const ref = loadReferenceData();
  const exchange = new Exchange<number>({ instruments: ref.instruments, seed: 42, deliver: () => {} });
  const ticks = Number(process.argv[2] ?? 2000);
  for (let i = 0; i < ticks; i++) {
    exchange.step();
    gc({ type: 'minor' });
  }
  console.log(`venue-promotion: ${ticks} ticks of ${ref.instruments.length} instruments`);
});
