// node --trace-deopt scripts/replay-ab/deopts.mjs DIST DB: a cold replay (log.replay with reuse) printing `RESULT <thread ns/event> <process ns/event>`;
// count the frame loop's deoptimizations in its output with `grep -c 'deoptimizing.*visit'`.
import { readFileSync } from 'node:fs';
const [dist, db] = process.argv.slice(2);
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const { openReadableLog } = await import(`${dist}/engine/store/log.js`);
const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const c0 = cpu();
const u0 = process.cpuUsage();
const p = new OmsProjection();
const log = openReadableLog(db);
const n = log.replay(1, (e) => p.apply(e), 1, Number.MAX_SAFE_INTEGER, true);
log.close();
const u = process.cpuUsage(u0);
console.log(`RESULT ${((cpu() - c0) / n).toFixed(1)} ${(((u.user + u.system) * 1000) / n).toFixed(1)}`);
