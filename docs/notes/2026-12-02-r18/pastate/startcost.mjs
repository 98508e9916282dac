// node startcost.mjs ROOT LOGDIR : fork past-process.js and time the answer to a call on no session (the process's start), 5 times
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const [root, dir] = process.argv.slice(2);
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const c = fork(join(root, 'dist/engine/host/past-process.js'), [join(dir, 'ordo.db')], { execArgv: [], serialization: 'advanced' });
  c.send({ id: 1, call: { kind: 'state', session: 99, seq: 1 } });
  await new Promise((r) => c.once('message', (m) => {
    const f = readFileSync(`/proc/${c.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    console.log(`${(performance.now() - t0).toFixed(0)} ms ${m.result.error?.code} minflt ${f[7]} u${f[11]} s${f[12]} load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
    c.send({ close: true }); c.once('exit', r);
  }));
}
