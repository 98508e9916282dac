// GET /api/state?at=SEQ three times in one running host (fresh copy of LOGDIR), per build, interleaved:
// node api-at.mjs LOGDIR SEQ PAIRS ROOT...  → ms of each call, the host's minflt during it and the busiest thread's
// (/proc/PID/task/TID/stat: comm, minflt, utime, stime), and a hash of the body
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, cpSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { join, basename } from 'node:path';
const [logDir, seq, pairs, ...roots] = process.argv.slice(2);
mkdirSync('/tmp/tmc/run', { recursive: true });
const tasks = (pid) => {
  const m = new Map();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const f = s.slice(s.lastIndexOf(') ') + 2).split(' ');
      m.set(t, { comm, flt: Number(f[7]), ut: Number(f[11]), st: Number(f[12]) });
    } catch {}
  }
  return m;
};
const kids = (pid) => { const m = new Map(); for (const t of readdirSync(`/proc/${pid}/task`)) { try { for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(' ').filter(Boolean)) if (readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('past-process')) m.set(c, proc(c)); } catch {} } return m; };
const kidDelta = (a, b) => { let flt = 0, ut = 0, st = 0; for (const [k, v] of b) { const o = a.get(k) ?? { flt: 0, ut: 0, st: 0 }; flt += v.flt - o.flt; ut += v.ut - o.ut; st += v.st - o.st; } return { flt, ut, st }; };
const rss = (pid) => { try { return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024); } catch { return -1; } };
const proc = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return { flt: Number(f[7]), ut: Number(f[11]), st: Number(f[12]) }; };
function once(root) {
  return new Promise((resolve) => {
    const dir = mkdtempSync('/tmp/tmc/run/api-');
    cpSync(logDir, dir, { recursive: true });
    const child = spawn(process.execPath, [join(root, 'bin/ordo.mjs'), 'host', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORDO_BUS_PORT: 'off' } });
    let out = '';
    child.stdout.on('data', async (c) => {
      out += c;
      const m = /ordo ready (http:\/\/[^/]+)\/\?token=(\S+)/.exec(out);
      if (!m) return;
      out = '';
      await new Promise((r) => setTimeout(r, Number(process.env.WAIT_MS ?? 1500)));
      const calls = [];
      for (let k = 0; k < 2; k++) {
        const load = loadavg()[0].toFixed(1);
        const p0 = proc(child.pid); const t0s = tasks(child.pid); const k0 = kids(child.pid);
        const t0 = performance.now();
        const r = await fetch(`${m[1]}/api/state?at=${seq}`, { headers: { authorization: `Bearer ${m[2]}` } });
        const body = await r.text();
        const ms = performance.now() - t0;
        const p1 = proc(child.pid); const t1s = tasks(child.pid); const kd = kidDelta(k0, kids(child.pid));
        let top = { d: -1 };
        for (const [tid, t] of t1s) { const b = t0s.get(tid) ?? { flt: 0, ut: 0, st: 0 }; const d = t.flt - b.flt; if (d > top.d) top = { d, comm: t.comm, ut: t.ut - b.ut, st: t.st - b.st }; }
        const h = createHash('sha256').update(body).digest('hex').slice(0, 12);
        calls.push(`${ms.toFixed(0)} ms proc ${p1.flt - p0.flt} flt u${(p1.ut - p0.ut) * 10}/s${(p1.st - p0.st) * 10} ms; children ${kd.flt} flt u${kd.ut * 10}/s${kd.st * 10} ms; top thread ${top.comm} ${top.d} flt u${top.ut * 10}/s${top.st * 10} ms (${r.status}, ${body.length} B ${h}, load ${load}) hostRSS ${rss(child.pid)} MiB pastRSS ${[...kids(child.pid).keys()].map(rss).join('+') || 0} MiB`);
      }
      child.kill('SIGTERM');
      child.on('close', () => { rmSync(dir, { recursive: true, force: true }); resolve(`${basename(root)}: ${calls.join(' | ')}`); });
    });
  });
}
for (let i = 1; i <= Number(pairs); i++) for (const r of roots) console.log(`pair ${i}`, await once(r));
