// Host thread's busy samples of a .cpuprofile by stage: each sample is charged to the deepest frame on its stack
// whose file names a stage (GC and "(program)" as themselves; idle left out).
//   node stages.mjs FILE.cpuprofile
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const STAGES = [
  ['proxy', /oms\/components\/(client-proxy|in-flight)\.js/],
  ['risk', /oms\/(exposure\/|risk\.js|components\/risk\.js)/],
  ['router', /oms\/components\/router\.js/],
  ['gateway', /oms\/components\/gateway|venue\/(client|protocol|wire)\.js/],
  ['monitor', /oms\/components\/monitor|waiting-roles/],
  ['projection/view', /oms\/|host\/(live-view|projection-fan-out|order-history)/],
  ['codec', /protocol\/codec/],
  ['sequencer', /sequencer\//],
  ['store (SQLite)', /store\/|better-sqlite3/],
  ['runtime/bus', /component\/|bus\/|zeromq/],
  ['host/api', /host\//],
  ['bench driver', /bench\//],
];
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stageOf = new Map();
function stage(id) {
  if (stageOf.has(id)) return stageOf.get(id);
  const n = byId.get(id);
  const fn = n.callFrame.functionName;
  let s;
  if (fn === '(garbage collector)') s = 'GC';
  else if (fn === '(idle)') s = 'idle';
  else if (fn === '(program)') s = '(program)';
  else {
    const url = n.callFrame.url;
    const hit = STAGES.find(([, re]) => re.test(url));
    if (hit) s = hit[0];
    else s = parent.has(id) ? stage(parent.get(id)) : 'other';
  }
  stageOf.set(id, s);
  return s;
}
const counts = new Map();
let busy = 0;
for (const id of p.samples) {
  const s = stage(id);
  if (s === 'idle') continue;
  counts.set(s, (counts.get(s) ?? 0) + 1);
  busy++;
}
for (const [s, c] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`${((100 * c) / busy).toFixed(1).padStart(5)} %  ${s}`);
console.log(`busy samples ${busy}`);
