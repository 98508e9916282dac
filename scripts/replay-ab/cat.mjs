import { readFileSync, readdirSync } from 'node:fs';
const dir = process.argv[2];
const f = readdirSync(dir).find((x) => x.endsWith('.cpuprofile'));
const p = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const counts = new Map(); for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const cat = (fn, url) => {
  if (fn === '(garbage collector)') return 'gc';
  if (/frame-pages|crc32|log\.js/.test(url) || fn === 'crc32' || fn === 'rowPage' || fn === 'forEach' && /frame-pages/.test(url)) return 'read+crc';
  if (/codec|bytes\.js|string-table/.test(url)) return 'decode (incl. inlined visitor)';
  if (/engine\/oms/.test(url)) return 'apply';
  if (fn === '(idle)' || fn === '(program)') return 'idle/program';
  return 'start-up/other';
};
const agg = new Map(); let total = 0;
for (const [id, c] of counts) { const n = byId.get(id); const k = cat(n.callFrame.functionName, n.callFrame.url); agg.set(k, (agg.get(k) ?? 0) + c); total += c; }
for (const [k, c] of [...agg].sort((a, b) => b[1] - a[1])) console.log((100 * c / total).toFixed(1).padStart(5), k);
