// Inclusive share of samples whose stack contains a frame matching RE (url:function).
import fs from 'node:fs'; const p = JSON.parse(fs.readFileSync(process.argv[2]));
const byId = new Map(); for (const n of p.nodes) byId.set(n.id, n);
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const skip = Number(process.env.SKIP ?? 0);
for (const reS of process.argv.slice(3)) { const re = new RegExp(reS); let hit = 0, all = 0;
p.samples.forEach((s, i) => { if (i < skip * p.samples.length) return; if (byId.get(s).callFrame.functionName === '(idle)') return; all++;
  let cur = s; while (cur !== undefined) { const f = byId.get(cur).callFrame; if (re.test(f.url.replace(/.*dist\//,'') + ':' + f.functionName)) { hit++; break; } cur = parent.get(cur); } });
console.log(`${(100*hit/all).toFixed(1).padStart(5)}%  ${reS}`); }
