// state_at_ms as the bench takes it (bench/replay.js stateAtInChild: `ordo state --at` in a fresh process, ms from run() to its end),
// on one stored log with its checkpoints, interleaved A/B: node state-at-ms.mjs DATADIR SEQ PAIRS ROOT...
import { loadavg } from 'node:os';
import { join, basename } from 'node:path';
const [dir, seq, pairs, ...roots] = process.argv.slice(2);
const mods = await Promise.all(roots.map((r) => import(join(r, 'dist/bench/replay.js'))));
for (let i = 1; i <= Number(pairs); i++) {
  for (let k = 0; k < roots.length; k++) {
    const load = loadavg()[0].toFixed(2);
    const r = await mods[k].stateAtInChild(dir, Number(seq));
    console.log(`pair ${i} ${basename(roots[k])} load ${load}: state_at_ms ${r.ms.toFixed(0)} code ${r.code} maxRss ${(r.maxRssBytes / 2 ** 20).toFixed(0)} MiB`);
  }
}
