import { spawn } from 'node:child_process';
const mib = Number(process.argv[2] ?? 0);
const keep = [];
for (let i = 0; i < mib; i++) { const b = Buffer.alloc(1 << 20); b.fill(1); keep.push(b); }
const ts = [];
for (let k = 0; k < 5; k++) {
  const t = performance.now(); const c0 = process.cpuUsage();
  const c = spawn(process.execPath, ['-e', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const cu = process.cpuUsage(c0); ts.push(`${(performance.now() - t).toFixed(1)}/${((cu.user+cu.system)/1000).toFixed(1)}`);
  await new Promise((r) => c.on('exit', r));
}
console.log(`rss ${(process.memoryUsage().rss/1048576).toFixed(0)} MiB spawn wall/CPU ms: ${ts.join(' ')}`);
