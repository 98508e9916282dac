// Self time by function (and by category) in a window of a .cpuprofile: from the first sample in a frame named FIRST, for MS ms.
import { readFileSync } from 'node:fs';
const [file, first = 'routeRest', ms = '400'] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stackHas = (id, name) => { for (let x = id; x !== undefined; x = parent.get(x)) if (byId.get(x).callFrame.functionName === name) return true; return false; };
let t = p.startTime; const times = p.samples.map((s, i) => (t += p.timeDeltas[i]));
const start = times[p.samples.findIndex((s) => stackHas(s, first))];
const self = new Map(); const cat = new Map(); let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  if (times[i] < start || times[i] > start + Number(ms) * 1000) continue;
  const dt = (p.timeDeltas[i + 1] ?? 0) / 1000; total += dt;
  const n = byId.get(p.samples[i]); const f = n.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.replace(/.*\/(dist|node_modules)\//, '')}:${f.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const c = f.url === '' ? f.functionName : f.url.startsWith('node:') ? 'node:' : f.url.includes('node_modules') ? 'node_modules' : f.url.includes('/engine/') ? f.url.replace(/.*\/engine\/([^/]*)\/.*/, 'engine/$1') : 'other';
  cat.set(c, (cat.get(c) ?? 0) + dt);
}
console.log(`window ${ms} ms from the first ${first}: ${total.toFixed(0)} ms sampled`);
console.log([...cat].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', '));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${v.toFixed(1).padStart(7)} ${k}`);
