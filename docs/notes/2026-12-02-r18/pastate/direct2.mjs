// node direct2.mjs ROOT LOGDIR SEQ DELAYMS : fork past-process.js, wait DELAYMS, one state call: wall of the call, build ms
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const [root, dir, seq, delay] = process.argv.slice(2);
const t00 = performance.now();
const c = fork(join(root, 'dist/engine/host/past-process.js'), [join(dir, 'ordo.db')], { execArgv: [], serialization: 'advanced' });
await new Promise((r) => setTimeout(r, Number(delay)));
const t0 = performance.now();
c.send({ id: 1, call: { kind: 'state', session: 1, seq: Number(seq) } });
c.on('message', (m) => {
  const t1 = performance.now();
  const f = readFileSync(`/proc/${c.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  console.log(`delay ${delay}: call ${(t1 - t0).toFixed(0)} ms (from fork ${(t1 - t00).toFixed(0)}) minflt ${f[7]} u${f[11]} s${f[12]} build ${m.build.ms.toFixed(0)} ms load ${readFileSync('/proc/loadavg','utf8').split(' ')[0]}`);
  c.send({ close: true });
});
