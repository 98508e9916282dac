// Host start-up from a checkpoint, interleaved A/B: node host-ab.mjs LOGDIR PAIRS ROOT... ; each run on a fresh copy of LOGDIR.
// Prints ms to the ready line, and the process's minflt / utime / stime (from /proc/PID/stat at ready) and VmHWM.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, cpSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, basename } from 'node:path';
const [logDir, pairs, ...roots] = process.argv.slice(2);
const tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
function once(root) {
  return new Promise((resolve) => {
    const dir = mkdtempSync('/tmp/mem17/host-');
    cpSync(logDir, dir, { recursive: true });
    const load = loadavg()[0].toFixed(2);
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(root, 'bin/ordo.mjs'), 'host', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORDO_BUS_PORT: 'off' } });
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('ordo ready')) {
        const ms = performance.now() - t0;
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+)/.exec(status)[1];
        const r = { root: basename(root), load, ms: Math.round(ms), minflt: Number(stat[7]), user: Number(stat[11]) / tick, sys: Number(stat[12]) / tick, hwmMiB: Math.round(hwm / 1024) };
        out = '';
        child.kill('SIGTERM');
        child.on('close', () => { rmSync(dir, { recursive: true, force: true }); resolve(r); });
      }
    });
    child.on('close', (code) => { if (out !== '' || code) resolve({ root, failed: code, err: err.slice(-500) }); });
  });
}
for (let i = 1; i <= Number(pairs); i++) for (const r of roots) console.log(`pair ${i}`, JSON.stringify(await once(r)));
