// STEP=65536 node scripts/replay-ab/curve.mjs DIST DB: a cold replay's cost per event, block by block of STEP events (wall ns; the JIT's warm-up shows in the first blocks).
const [dist, db] = process.argv.slice(2);
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const { openReadableLog } = await import(`${dist}/engine/store/log.js`);
const STEP = Number(process.env.STEP ?? 65536);
const marks = [];
let t = performance.now();
const start = t;
const p = new OmsProjection();
const log = openReadableLog(db);
const open = performance.now() - t;
t = performance.now();
let i = 0;
const n = log.replay(1, (e) => {
  p.apply(e);
  if ((++i & (STEP - 1)) === 0) {
    const now = performance.now();
    marks.push(Math.round(((now - t) * 1e6) / STEP));
    t = now;
  }
}, 1, Number.MAX_SAFE_INTEGER, true);
log.close();
console.log(`open+projection ${open.toFixed(1)} ms; ns/event per ${STEP} events: ${marks.join(' ')}; whole ${Math.round(((performance.now() - start) * 1e6) / n)} ns/event`);
