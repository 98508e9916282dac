// node warm.mjs DIST DB ROUNDS: ROUNDS cold-projection replays (log.replay, reuse) in one process; thread CPU ns/event of each (the first pays the warm-up).
import { readFileSync } from 'node:fs';
const [dist, db, roundsArg = '3'] = process.argv.slice(2);
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const { openReadableLog } = await import(`${dist}/engine/store/log.js`);
const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const out = [];
for (let r = 0; r < Number(roundsArg); r++) {
  const c0 = cpu();
  const p = new OmsProjection();
  const log = openReadableLog(db);
  const n = log.replay(1, (e) => p.apply(e), 1, Number.MAX_SAFE_INTEGER, true);
  log.close();
  out.push(+((cpu() - c0) / n).toFixed(1));
}
console.log(JSON.stringify({ rounds: out }), process.execArgv.join(' '));
