/**
 * Runs `ordo state --data-dir <dir> --at <seq> [more args, e.g. --all]` in this fresh process (its
 * JSON goes to stdout, which the bench discards) and prints one JSON line to
 * stderr: wall time and peak RSS of the whole command.
 *
 *   node dist/bench/state-child.js <data-dir> <seq> [--all]
 */
import { run } from '../engine/cli/main.ts';

async function main(): Promise<void> {
  const [dir, seq, ...extra] = process.argv.slice(2);
  const t0 = performance.now();
  const code = await run(['state', '--data-dir', dir!, '--at', seq!, ...extra]);
  const ms = performance.now() - t0;
  process.stderr.write('\n' + JSON.stringify({ code, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
  process.exitCode = code;
}

void main();
