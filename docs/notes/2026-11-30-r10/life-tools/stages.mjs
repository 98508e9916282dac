// Stage attribution: deepest frame whose file names a stage; shared libraries (codec, projections, risk state) are transparent.
import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const byId = new Map(); for (const n of p.nodes) byId.set(n.id, n);
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const skip = Number(process.env.SKIP ?? 0);
function stage(url, fn) {
  const m = url.match(/dist\/(.*)$/); if (!m) return null; const f = m[1];
  if (f.startsWith('bench/')) return 'client (bench driver)';
  if (/engine\/venue\/client\.js/.test(f)) return fn.includes('MarketData') || fn === 'receive' ? 'market data subscriber' : 'gateway';
  if (f.startsWith('engine/venue/')) return 'venue';
  if (/components\/client-proxy/.test(f)) return 'client proxy';
  if (/components\/risk\.js/.test(f)) return 'risk';
  if (/components\/router/.test(f)) return 'router';
  if (/components\/gateway/.test(f)) return 'gateway';
  if (/components\/monitor/.test(f)) return 'monitor';
  if (/engine\/sequencer\/|sequencer-policy|policy-orders|engine\/store\//.test(f)) return 'sequencer (+policy fold, log)';
  if (/host\/(live-view|projection-fan-out|host-api|order-window|fill-window|order-history|timeline)/.test(f)) return 'host view/API (fold, push)';
  if (/host\/host\.js/.test(f)) return fn === 'onEvents' ? 'host view/API (fold, push)' : 'host wiring';
  if (/host\//.test(f)) return 'host other';
  if (/engine\/component\//.test(f)) return 'component runtime (dispatch, shared folds)';
  if (/engine\/bus\//.test(f)) return 'bus';
  return null; // protocol, oms/*, projected.js: transparent
}
const agg = new Map(); let all = 0;
p.samples.forEach((s, i) => { if (i < skip * p.samples.length) return; all++;
  const leaf = byId.get(s).callFrame; let k;
  if (leaf.functionName === '(garbage collector)') k = 'GC'; else if (leaf.functionName === '(idle)') k = 'idle'; else if (leaf.functionName === '(program)') k = '(program)';
  else { let cur = s; while (cur !== undefined) { const f = byId.get(cur).callFrame; k = stage(f.url, f.functionName); if (k) break; cur = parent.get(cur); } k = k ?? 'node/libs outside any stage'; }
  agg.set(k, (agg.get(k) ?? 0) + 1); });
const busy = all - (agg.get('idle') ?? 0);
const dt = (p.endTime - p.startTime) / p.samples.length;
console.log(`samples ${all} (busy ${busy}, ${(busy*dt/1e6).toFixed(2)} s on this thread)`);
[...agg].sort((a,b)=>b[1]-a[1]).forEach(([k,c])=>console.log(`${(100*c/busy).toFixed(1).padStart(5)}%  ${k}`));
