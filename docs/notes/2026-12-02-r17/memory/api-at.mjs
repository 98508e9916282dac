// GET /api/state?at=SEQ three times in one running host (fresh copy of LOGDIR), per build, interleaved:
// node api-at.mjs LOGDIR SEQ PAIRS ROOT...  → ms of each call and the host's minflt during it (/proc/PID/stat)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, cpSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, basename } from 'node:path';
const [logDir, seq, pairs, ...roots] = process.argv.slice(2);
const minflt = (pid) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[7]);
function once(root) {
  return new Promise((resolve) => {
    const dir = mkdtempSync('/tmp/mem17/api-');
    cpSync(logDir, dir, { recursive: true });
    const child = spawn(process.execPath, [join(root, 'bin/ordo.mjs'), 'host', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORDO_BUS_PORT: 'off' } });
    let out = '';
    child.stdout.on('data', async (c) => {
      out += c;
      const m = /ordo ready (http:\/\/[^/]+)\/\?token=(\S+)/.exec(out);
      if (!m) return;
      out = '';
      const calls = [];
      for (let k = 0; k < 3; k++) {
        const load = loadavg()[0].toFixed(1);
        const f0 = minflt(child.pid);
        const t0 = performance.now();
        const r = await fetch(`${m[1]}/api/state?at=${seq}`, { headers: { authorization: `Bearer ${m[2]}` } });
        const body = await r.text();
        calls.push(`${(performance.now() - t0).toFixed(0)} ms ${minflt(child.pid) - f0} flt (${r.status}, ${body.length} B, load ${load})`);
      }
      child.kill('SIGTERM');
      child.on('close', () => { rmSync(dir, { recursive: true, force: true }); resolve(`${basename(root)}: ${calls.join(' | ')}`); });
    });
  });
}
for (let i = 1; i <= Number(pairs); i++) for (const r of roots) console.log(`pair ${i}`, await once(r));
