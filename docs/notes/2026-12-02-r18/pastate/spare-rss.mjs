// node spare-rss.mjs ROOT LOGDIR : ordo host on a copy of LOGDIR; 5 s after ready, the spare time machine process's VmRSS / VmHWM
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
const [root, logDir] = process.argv.slice(2);
const dir = mkdtempSync('/tmp/pa18/run/rss-');
cpSync(logDir, dir, { recursive: true });
const child = spawn(process.execPath, [join(root, 'bin/ordo.mjs'), 'host', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ORDO_BUS_PORT: 'off' } });
let out = '';
child.stdout.on('data', async (c) => {
  out += c;
  if (!/ordo ready/.test(out)) return;
  out = '';
  await new Promise((r) => setTimeout(r, 5000));
  for (const t of readdirSync(`/proc/${child.pid}/task`)) for (const k of readFileSync(`/proc/${child.pid}/task/${t}/children`, 'utf8').trim().split(' ').filter(Boolean)) {
    const cmd = readFileSync(`/proc/${k}/cmdline`, 'utf8');
    if (!cmd.includes('past-process')) continue;
    const st = readFileSync(`/proc/${k}/status`, 'utf8');
    console.log(`spare ${k}: ${/VmRSS:\s+\d+ kB/.exec(st)[0]} ${/VmHWM:\s+\d+ kB/.exec(st)[0]} load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
  }
  child.kill('SIGTERM');
  child.on('close', () => rmSync(dir, { recursive: true, force: true }));
});
