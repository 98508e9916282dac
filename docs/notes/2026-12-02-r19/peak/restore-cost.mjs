// usage: node --expose-gc restore-cost.mjs ROOT DATADIR [rounds]: decodes DATADIR's newest checkpoint once (as the host
// does), then times, `rounds` times each, the policy's restore pieces on it: PolicyOrders.fromProjection (the slim
// book), takeSnapshot (the walk carriedRecord makes when a live gtc/gtd order is in the checkpoint) and the whole
// restore (restoreSharing, or restore on round 18's build). CPU time of the process (user + system, ms; the
// machine is shared: wall time waits for the other helpers), medians beside min and max.
import { join } from 'node:path';
import { loadavg } from 'node:os';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const [root, dir, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const d = (p) => import(join(root, 'dist/engine', p));
const { openReadableLog } = await d('store/log.js');
const { findHostStart } = await d('host/start-point.js');
const { PolicyOrders } = await d('oms/policy-orders.js');
const { takeSnapshot } = await d('oms/snapshot.js');
const { OmsSequencerPolicy } = await d('oms/sequencer-policy.js');
const { loadReferenceData } = await d('oms/reference.js');
const log = openReadableLog(join(dir, 'ordo.db'));
let t = cpu();
const start = findHostStart(log);
const decodeMs = cpu() - t;
const p = start.shared.projection;
const reference = loadReferenceData();
const times = { fromProjection: [], takeSnapshot: [], restore: [] };
let live = 0;
for (let i = 0; i < rounds; i++) {
  globalThis.gc?.();
  t = cpu(); const book = PolicyOrders.fromProjection(p); times.fromProjection.push(cpu() - t);
  live = book.liveCarriedOrderIds ? book.liveCarriedOrderIds().length : book.liveCarriedCount();
  globalThis.gc?.();
  t = cpu(); const snap = takeSnapshot(p); times.takeSnapshot.push(cpu() - t);
  globalThis.gc?.();
  const policy = new OmsSequencerPolicy(reference);
  t = cpu();
  if (policy.restoreSharing) policy.restoreSharing(p, start.shared.risk, start.shared.awaiting);
  else policy.restore(p, start.policy.risk, start.policy.awaiting);
  times.restore.push(cpu() - t);
  if (i === 0) console.log(`snapshot orders ${snap.orders.length}`);
}
const f = (a) => { const s = [...a].sort((x, y) => x - y); return `${s[s.length >> 1].toFixed(0)} ms (${s[0].toFixed(0)}-${s[s.length - 1].toFixed(0)})`; };
console.log(`${root} ${dir} seq ${start.seq} orders ${p.orderCount} live carried ${live} | decode ${decodeMs.toFixed(0)} ms | fromProjection ${f(times.fromProjection)} | takeSnapshot ${f(times.takeSnapshot)} | restore ${f(times.restore)} | load ${loadavg()[0].toFixed(2)}`);
log.close();
