// node reuse.mjs ROOT LOGDIR SEQ : fork past-process.js, call state at SEQ 4 times: ms of each (2nd+ reuse the kept projection)
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
const [root, dir, seq] = process.argv.slice(2);
const c = fork(join(root, 'dist/engine/host/past-process.js'), [join(dir, 'ordo.db')], { execArgv: [], serialization: 'advanced' });
const out = [];
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  c.send({ id: i, call: { kind: 'state', session: 1, seq: Number(seq) } });
  await new Promise((r) => c.once('message', r));
  out.push((performance.now() - t0).toFixed(0));
}
console.log(`calls ms ${out.join(' / ')} load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
c.send({ close: true });
