// preload: on SIGUSR2 writes process.memoryUsage and V8 heap spaces to $RSS_PROBE_OUT (one JSON line); with gc exposed, also after a full gc
import { appendFileSync } from 'node:fs';
const snap = () => { const m = process.memoryUsage(); return { rss: m.rss >> 20, heapTotal: m.heapTotal >> 20, heapUsed: m.heapUsed >> 20, ab: m.arrayBuffers >> 20 }; };
process.on('SIGUSR2', () => {
  const o = snap();
  if (typeof globalThis.gc === 'function') { globalThis.gc(); o.afterGc = snap(); }
  appendFileSync(process.env.RSS_PROBE_OUT, JSON.stringify(o) + '\n');
});
