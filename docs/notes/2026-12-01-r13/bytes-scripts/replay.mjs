// node replay.mjs <dist> <db> : cold replay into the full OmsProjection (reuse), CPU and wall per event
const [dist, db] = process.argv.slice(2);
const { openReadableLog } = await import(`${dist}/engine/store/log.js`);
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const log = openReadableLog(db);
const p = new OmsProjection();
const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
const n = log.replay(1, (e) => p.apply(e), 1, Number.MAX_SAFE_INTEGER, true);
const wall = Number(process.hrtime.bigint() - t0) / 1e9; const cpu = process.cpuUsage(c0);
// the replay service's path: frames() (wire bytes) over the whole session
const c1 = process.cpuUsage(); let bytes = 0, frames = 0;
for (const f of log.frames(1, 1, Number.MAX_SAFE_INTEGER)) { bytes += f.bytes.length; frames++; }
const cpu2 = process.cpuUsage(c1);
log.close();
console.log(JSON.stringify({ n, frames, frameBytes: bytes, meps: +(n / wall / 1e6).toFixed(3), cpuNsPerEvent: +(((cpu.user + cpu.system) * 1000) / n).toFixed(1), framesCpuNsPerEvent: +(((cpu2.user + cpu2.system) * 1000) / n).toFixed(1), hash: p.stateHash() }));
