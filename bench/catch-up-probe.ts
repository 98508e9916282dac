/**
 * The `catchup` scenario on its own (bench/catch-up.ts), with the host's long calls timed:
 *
 *   node dist/bench/catch-up-probe.js [events] [seconds] [rate] [file|service]
 *
 * The last argument: the component rewinds from the host's log file (its data dir, the default) or through the
 * host's replay service (keys only), as the bench's two catch-up rows do.
 *
 * $CATCHUP_TRACE=0: without the long-call tracing (for A/B pairs where A is another checkout, $ORDO_BENCH_BIN:
 * the tracing patches this checkout's modules, which another checkout's host does not load).
 */
import { catchUpUnderLoad } from './catch-up.ts';
import { runMain } from './util.ts';

runMain(async () => {
  const [events, seconds, rate] = process.argv.slice(2, 5).map(Number);
  const via = process.argv[5] === 'service' ? 'service' : 'file';
  const rows = await catchUpUnderLoad({ events: events || 1_000_000, seconds: seconds || 60, rate: rate || 1000, trace: process.env['CATCHUP_TRACE'] !== '0', via, log: (s) => console.log(s) });
  for (const r of rows) console.log(`${r.key} ${r.value.toFixed(2)} ${r.unit} ${r.note ?? ''}`);
});
