// Allocation profile by function: node alloc-top.mjs FILE [divide by N] [rows]
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const per = Number(process.argv[3] ?? 1);
const self = new Map(); let total = 0;
(function walk(n) {
  const cf = n.callFrame;
  const k = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber}`;
  const size = n.selfSize;
  self.set(k, (self.get(k) ?? 0) + size); total += size;
  for (const c of n.children) walk(c);
})(p.head);
console.log(`total ${(total / per).toFixed(0)} B per lifecycle`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[4] ?? 40))) console.log(`${(v / per).toFixed(0).padStart(6)} B  ${(100 * v / total).toFixed(1).padStart(5)} %  ${k}`);
