// node warm-curve.mjs DIST DB LIMIT: one cold replay into a new OmsProjection (prefaulted as the bench does; NO_PREFAULT=1 not); the thread CPU at event 1, 4,096·2^k and LIMIT: ns/event of each span (round 13: where the once-only warm-up goes).
import { readFileSync } from 'node:fs';
const [dist, db, limArg = '1000000'] = process.argv.slice(2);
const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const c00 = cpu();
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const { openReadableLog } = await import(`${dist}/engine/store/log.js`);
const { withChunkPrefault } = await import(`${dist}/engine/oms/order-table/chunk-prefault.js`);
const lim = Number(limArg);
const marks = [1]; for (let m = 4096; m < lim; m *= 2) marks.push(m); marks.push(lim);
const at = new Float64Array(marks.length + 1);
let n = 0, k = 0, next = marks[0];
const c0 = cpu();
const p = new OmsProjection();
const log = openReadableLog(db);
withChunkPrefault(process.env.NO_PREFAULT === "1" ? 0 : lim, () => log.replay(1, (e) => { p.apply(e); if (++n === next) { at[k++] = cpu(); next = marks[k] ?? -1; } }, 1, lim, true));
log.close();
const rows = []; let prevN = 0, prevT = c0;
for (let i = 0; i < marks.length; i++) { rows.push(`${marks[i]}:${((at[i] - prevT) / (marks[i] - prevN)).toFixed(0)}`); prevN = marks[i]; prevT = at[i]; }
console.log(`import ${((c0 - c00) / 1e6).toFixed(1)} ms, total ${((at[marks.length - 1] - c0) / lim).toFixed(1)} ns/ev, first ${((at[0] - c0) / 1e6).toFixed(1)} ms |`, rows.join(' '));
