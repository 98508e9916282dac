import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
const dir = mkdtempSync('/tmp/acktail/idle-');
const p = spawn(process.execPath, ['/work/wt19/acktail/bin/ordo.mjs', 'host', '--data-dir', dir + '/data', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let t0;
p.stdout.on('data', (d) => { if (!t0 && /ordo ready/.test(String(d))) { t0 = performance.now(); poll(); } });
function kids(pid) { try { return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number); } catch { return []; } }
function poll() {
  const past = kids(p.pid).filter((c) => { try { return readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('past-process.js'); } catch { return false; } });
  if (past.length) { console.log(`spare started ${(performance.now() - t0).toFixed(0)} ms after the ready line`); p.kill('SIGTERM'); return; }
  if (performance.now() - t0 > 30000) { console.log('no spare in 30 s'); p.kill('SIGTERM'); return; }
  setTimeout(poll, 20);
}
