// ordo component risk joining a host on a copy of LOGDIR (own data dir: it reads the log file), ms to "caught up": node comp-join-log.mjs LOGDIR PAIRS ROOT...
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, cpSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, basename } from 'node:path';
const [logDir, pairs, ...roots] = process.argv.slice(2);
let port = 17600 + Math.floor(Math.random() * 1000) * 10;
const waitFor = (p, re) => new Promise((res) => { let b = ''; const on = (c) => { b += c; const m = re.exec(b); if (m) res(m); }; p.stdout.on('data', on); p.stderr.on('data', on); });
async function once(root) {
  const dir = mkdtempSync('/tmp/mem17/cj-');
  cpSync(logDir, dir, { recursive: true });
  port += 10;
  const host = spawn(process.execPath, [join(root, 'bin/ordo.mjs'), 'host', '--data-dir', dir, '--port', '0', '--bus-port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor(host, /ordo ready/);
  const load = loadavg()[0].toFixed(1);
  const t0 = performance.now();
  const c = spawn(process.execPath, [join(root, 'bin/ordo.mjs'), 'component', 'risk', '--connect', `127.0.0.1:${port}`, '--id', 'risk-2', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const m = await Promise.race([waitFor(c, /caught up at seq (\d+), standby, rewound from (.+)$/m), new Promise((r) => setTimeout(() => r(null), 60000))]);
  const ms = performance.now() - t0;
  const flt = m ? Number(readFileSync(`/proc/${c.pid}/stat`, 'utf8').split(') ')[1].split(' ')[7]) : -1;
  c.kill('SIGTERM'); host.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  rmSync(dir, { recursive: true, force: true });
  return `${basename(root)} load ${load}: ${m ? `caught up at ${m[1]} in ${ms.toFixed(0)} ms from ${m[2]}, component minflt ${flt}` : 'not caught up in 60 s'}`;
}
for (let i = 1; i <= Number(pairs); i++) for (const r of roots) console.log(`pair ${i}`, await once(r));
