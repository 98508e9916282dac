// node run.mjs DIST DB [hash]: cold replay of session 1 into OmsProjection (REUSE=1: log.replay with reuse, decision 245); thread CPU ns/event (schedstat) and process CPU.
import { readFileSync } from 'node:fs';
const [dist, db, h] = process.argv.slice(2);
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const { openReadableLog } = await import(`${dist}/engine/store/log.js`);
const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const c0 = cpu(); const t0 = performance.now(); const u0 = process.cpuUsage();
const p = new OmsProjection();
const log = openReadableLog(db);
const n = log.replay(1, (e) => p.apply(e), 1, Number.MAX_SAFE_INTEGER, process.env.REUSE === "1");
log.close();
const c1 = cpu(); const t1 = performance.now(); const u1 = process.cpuUsage(u0);
console.log(JSON.stringify({ n, cpuNsPerEvent: +((c1 - c0) / n).toFixed(1), procNsPerEvent: +((u1.user + u1.system) * 1000 / n).toFixed(1), wallS: +((t1 - t0) / 1000).toFixed(3), hash: h ? p.stateHash().slice(0, 16) : undefined }));
