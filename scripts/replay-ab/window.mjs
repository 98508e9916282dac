// perf record -k mono -e cpu-clock -F 4999 node --perf-basic-prof scripts/replay-ab/window.mjs DIST DB [TO]
// A cold replay printing `WINDOW <start s> <end s> <events>` on CLOCK_MONOTONIC, for cat-perf.sh's time window.
const [dist, db, to] = process.argv.slice(2);
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const { openReadableLog } = await import(`${dist}/engine/store/log.js`);
const t0 = process.hrtime.bigint();
const p = new OmsProjection();
const log = openReadableLog(db);
const n = log.replay(1, (e) => p.apply(e), 1, Number(to ?? Number.MAX_SAFE_INTEGER), true);
log.close();
const t1 = process.hrtime.bigint();
console.log(`WINDOW ${Number(t0) / 1e9} ${Number(t1) / 1e9} ${n}`);
