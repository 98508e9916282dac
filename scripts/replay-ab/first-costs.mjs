// node first-costs.mjs DIST DB: thread CPU (ms) of each step before and at a cold replay's first events: projection, log open, prefault worker start, event 1, frames 1 and 2 (round 14)
import { readFileSync } from 'node:fs';
const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const [dist, db] = process.argv.slice(2);
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const { openReadableLog } = await import(`${dist}/engine/store/log.js`);
const { withChunkPrefault } = await import(`${dist}/engine/oms/order-table/chunk-prefault.js`);
const t = [cpu()]; const names = [];
const mark = (n) => { t.push(cpu()); names.push(n); };
const p = new OmsProjection(); mark('projection');
const log = openReadableLog(db); mark('open');
let n = 0;
withChunkPrefault(1e6, () => { mark('worker'); log.replay(1, (e) => { p.apply(e); n++; if (n === 1) mark('event1'); else if (n === 4096) mark('frame1'); else if (n === 8192) mark('frame2'); }, 1, 8192, true); });
console.log(names.map((k, i) => `${k} ${((t[i + 1] - t[i]) / 1e6).toFixed(2)}`).join(', '));
