// usage: node giveback-split.mjs ROOT DATADIR: the give-back's two parts timed apart, in a process that starts as the
// host does (decision 290's huge heap), decodes DATADIR's newest checkpoint (findHostStart), restores a policy from
// it and keeps only the projection and risk state (as the view and risk do), then: one full collection, then
// malloc_trim(0). Wall ms and RSS for each. Not the host (no tail, no components): an indication of the split.
import { join } from 'node:path';
import { loadavg } from 'node:os';
const [root, dir] = process.argv.slice(2);
const d = (p) => import(join(root, 'dist/engine', p));
(await d('native/huge-heap.js')).reserveHugeHeap();
const { openReadableLog } = await d('store/log.js');
const { findHostStart } = await d('host/start-point.js');
const { OmsSequencerPolicy } = await d('oms/sequencer-policy.js');
const { loadReferenceData } = await d('oms/reference.js');
const { fullCollection } = await d('native/heap-trim.js');
const { loadAddon } = await d('native/addon.js');
const log = openReadableLog(join(dir, 'ordo.db'));
let start = findHostStart(log);
const keep = { projection: start.shared.projection, risk: start.shared.risk };
new OmsSequencerPolicy(loadReferenceData()).restoreSharing(keep.projection, keep.risk, start.shared.awaiting);
start = undefined;
const mib = () => Math.round(process.memoryUsage.rss() / 1048576);
const r0 = mib();
let t = performance.now(); fullCollection(); const gcMs = performance.now() - t; const r1 = mib();
t = performance.now(); const rc = loadAddon().trimHeap(); const trimMs = performance.now() - t; const r2 = mib();
console.log(`RSS ${r0} -> gc ${gcMs.toFixed(0)} ms -> ${r1} -> trim(${rc}) ${trimMs.toFixed(0)} ms -> ${r2} MiB | orders ${keep.projection.orderCount} | load ${loadavg()[0].toFixed(2)}`);
log.close();
