/**
 * Order lifecycles alone, for profiling what bounds them:
 *   node --cpu-prof --cpu-prof-dir=<dir> dist/bench/profile-orders.js [orders] [in-process|http|ws]
 * Prints the figure as one JSON line.
 */
import { orderLifecycles } from './orders.ts';
import { runMain } from './util.ts';

runMain(async () => {
  const orders = Number(process.argv[2] ?? 50_000);
  const via = process.argv[3] === 'http' || process.argv[3] === 'ws' ? process.argv[3] : 'in-process';
  const r = await orderLifecycles({ orders, warmup: Math.min(5_000, orders), window: 4_000, venueTickMs: 10, via });
  process.stdout.write(JSON.stringify(r) + '\n');
});
