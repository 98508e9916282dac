/**
 * The `ack` scenario on its own, for profiling a host (bench/ack.ts):
 *
 *   node dist/bench/ack-probe.js [seconds] [rate] [--cpu-prof DIR] [--alloc FILE.heapprofile] [--trace] [-- host args...]
 *
 * Prints the scenario's lines; with --cpu-prof the host's V8 CPU profile lands in DIR.
 */
import { ackProbe } from './ack.ts';
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
  const seconds = Number(own[0] ?? 30);
  const rate = Number(own[1] ?? 1000);
  await ackProbe({ seconds, rate, hostArgs, ...(cpuProfDir ? { cpuProfDir } : {}), ...(allocOut ? { allocOut } : {}), trace, log: (s) => console.log(s) });
});
