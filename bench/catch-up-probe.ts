/**
 * The `catchup` scenario on its own (bench/catch-up.ts), with the host's long calls timed:
 *
 *   node dist/bench/catch-up-probe.js [events] [seconds] [rate]
 */
import { catchUpUnderLoad } from './catch-up.ts';
import { runMain } from './util.ts';

runMain(async () => {
  const [events, seconds, rate] = process.argv.slice(2).map(Number);
  const rows = await catchUpUnderLoad({ events: events || 1_000_000, seconds: seconds || 60, rate: rate || 1000, trace: true, log: (s) => console.log(s) });
  for (const r of rows) console.log(`${r.key} ${r.value.toFixed(2)} ${r.unit} ${r.note ?? ''}`);
});
