// Bytes allocated (collected ones included) by a cold replay, by allocating function: the sampling heap profiler
// around log.replay(…, reuse = true) into a new OmsProjection (decision 266).
//   node scripts/replay-ab/alloc.mjs ROOT DB [EVENTS]   (ROOT: a worktree with dist built)
import { Session } from 'node:inspector';
const [root, db, n = '1000000'] = process.argv.slice(2);
const { OmsProjection } = await import(`${root}/dist/engine/oms/projection.js`);
const { openReadableLog } = await import(`${root}/dist/engine/store/log.js`);
const s = new Session();
s.connect();
const post = (m, p) => new Promise((res, rej) => s.post(m, p, (e, r) => (e ? rej(e) : res(r))));
await post('HeapProfiler.enable');
await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
const p = new OmsProjection();
const log = openReadableLog(db);
log.replay(1, (e) => p.apply(e), 1, Number(n), true);
const { profile } = await post('HeapProfiler.stopSampling');
const by = new Map();
let total = 0;
(function walk(node) {
  const k = `${node.callFrame.functionName} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber}`;
  if (node.selfSize) {
    by.set(k, (by.get(k) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  for (const c of node.children) walk(c);
})(profile.head);
console.log(`total MB ${(total / 1e6).toFixed(1)}`);
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${(v / 1e6).toFixed(2)} MB ${k}`);
