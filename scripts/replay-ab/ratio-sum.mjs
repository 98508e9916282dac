// Summary of ratio-pairs.sh output: per round, each build's replaying-thread CPU per event, Ordo and naive, and their ratio.
//   node scripts/replay-ab/ratio-sum.mjs out.txt
import { readFileSync } from 'node:fs';
for (const f of process.argv.slice(2)) {
  const rows = readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => { const [v, mode, lim, load, ...j] = l.split(' '); return { v, mode, lim, load, ...JSON.parse(j.join(' ')) }; });
  console.log(`# ${f}`);
  for (let i = 0; i + 3 < rows.length + 0; i += 4) {
    const [af, ab, bf, bb] = rows.slice(i, i + 4);
    if (!bb) break;
    const ns = (r) => r.mainCpuNs / r.events;
    console.log(`round ${i / 4 + 1} load ${af.load}-${bb.load}: A frames ${ns(af).toFixed(0)} naive ${ns(ab).toFixed(0)} ratio(CPU) ${(ns(ab) / ns(af)).toFixed(2)} wall ${(af.eps / ab.eps).toFixed(2)} | B frames ${ns(bf).toFixed(0)} (proc ${(bf.processCpuNs / bf.events).toFixed(0)}) naive ${ns(bb).toFixed(0)} (proc ${(bb.processCpuNs / bb.events).toFixed(0)}) ratio(CPU) ${(ns(bb) / ns(bf)).toFixed(2)} wall ${(bf.eps / bb.eps).toFixed(2)}; hashes ${new Set(rows.slice(i, i + 4).map((r) => r.hash)).size === 1 ? 'equal' : 'DIFFER'}`);
  }
}
