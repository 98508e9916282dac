// Round 16, lead: `ordo state --at` the last seq of one 5 M-event log (4,096-event frames, the bench's replay log),
// checkpointed and read by each build on its own copy. usage: node state-ab.mjs WRITER_ROOT ROOT... (A/B order as given)
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
const [writerRoot, ...roots] = process.argv.slice(2);
const { writeFrameLog } = await import(join(writerRoot, 'dist/bench/replay.js'));
const stored = writeFrameLog(Number(process.env.EVENTS ?? 5_000_000));
console.log(`log: ${stored.events} events at ${stored.db}`);
for (const root of roots) {
  const { stateAtInChild } = await import(join(root, 'dist/bench/replay.js'));
  const { checkpointInChild, statePageInChild } = await import(join(root, 'dist/bench/state-at-scale.js'));
  const dir = mkdtempSync(join(tmpdir(), 'state-ab-'));
  copyFileSync(stored.db, join(dir, 'ordo.db'));
  const t = await checkpointInChild(dir);
  const st1 = await stateAtInChild(dir, stored.events);
  const st2 = await stateAtInChild(dir, stored.events);
  const page = await statePageInChild(dir, stored.events);
  console.log(`${root} load ${loadavg()[0].toFixed(2)}: checkpoint round ${t.toFixed(1)} s; state --at last ${st1.ms.toFixed(0)} / ${st2.ms.toFixed(0)} ms (code ${st1.code}/${st2.code}); page ${page ? `${page.ms.toFixed(0)} ms from ${page.fromCheckpoint}` : 'FAILED'}`);
  rmSync(dir, { recursive: true, force: true });
}
rmSync(dirname(stored.db), { recursive: true, force: true });
