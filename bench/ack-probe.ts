/**
 * The `ack` scenario on its own, for profiling a host (bench/ack.ts):
 *
 *   node dist/bench/ack-probe.js [seconds] [rate] [--cpu-prof DIR] [--alloc FILE.heapprofile] [--trace] [--hops] [--log-events N] [-- host args...]
 *
 * --rows: print the bench rows as one last JSON line (bench/main.ts reads them).
 * --hops: trace every order through its hops (generator and host) and print where the time goes (orders due
 *   after the first second; $ACK_HOPS_FROM and $ACK_HOPS_TO, ms into the load, choose another window).
 * --log-events N: the host starts on an open session of N events (8-event frames, no checkpoints) instead of an empty data dir.
 *
 * Prints the scenario's lines; with --cpu-prof the host's V8 CPU profile lands in DIR.
 * $ORDO_HOST_NODE_ARGS (space-separated) goes on the host's node command line, for A/B runs of V8 flags
 * (e.g. `--max-semi-space-size=32`; docs/notes/2026-11-30-r6/ack2.md).
 */
import { ackProbe, ROWS_PREFIX } from './ack.ts';
import { writeLiveLikeLog } from './recovery.ts';
import { runMain } from './util.ts';

runMain(async () => {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const hostArgs = dash >= 0 ? argv.slice(dash + 1) : [];
  const prof = own.indexOf('--cpu-prof');
  const cpuProfDir = prof >= 0 ? own.splice(prof, 2)[1] : undefined;
  const alloc = own.indexOf('--alloc');
  const allocOut = alloc >= 0 ? own.splice(alloc, 2)[1] : undefined;
  const traceAt = own.indexOf('--trace');
  const trace = traceAt >= 0 && own.splice(traceAt, 1).length > 0;
  const hopsAt = own.indexOf('--hops');
  const hops = hopsAt >= 0 && own.splice(hopsAt, 1).length > 0;
  const rowsAt = own.indexOf('--rows');
  const printRows = rowsAt >= 0 && own.splice(rowsAt, 1).length > 0;
  const logAt = own.indexOf('--log-events');
  const logEvents = logAt >= 0 ? Number(own.splice(logAt, 2)[1]) : 0;
  const seconds = Number(own[0] ?? 30);
  const rate = Number(own[1] ?? 1000);
  const result = await ackProbe({ seconds, rate, hostArgs, ...(cpuProfDir ? { cpuProfDir } : {}), ...(allocOut ? { allocOut } : {}), trace, hops, ...(logEvents > 0 ? { prepare: (dir: string) => void writeLiveLikeLog(dir, logEvents, 8) } : {}), env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('ORDO_HOST_')) as [string, string][]), log: (s) => console.log(s) });
  // For bench/main.ts, which runs this probe in a process of its own: the rows as one last line.
  if (printRows) console.log(`${ROWS_PREFIX}${JSON.stringify(result.rows)}`);
});
