// node direct.mjs ROOT LOGDIR SEQ : fork ROOT's past-process.js, one state call, its /proc stat after
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const [root, dir, seq] = process.argv.slice(2);
const c = fork(join(root, 'dist/engine/host/past-process.js'), [join(dir, 'ordo.db')], { execArgv: [], serialization: 'advanced' });
const t0 = performance.now();
c.send({ id: 1, call: { kind: 'state', session: 1, seq: Number(seq) } });
c.on('message', (m) => {
  const f = readFileSync(`/proc/${c.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const smaps = readFileSync(`/proc/${c.pid}/smaps_rollup`, 'utf8').split('\n').filter((l) => /Rss|AnonHuge/.test(l)).join(' ').replace(/\s+/g, ' ');
  console.log(`${(performance.now() - t0).toFixed(0)} ms minflt ${f[7]} u${f[11]} s${f[12]} build ${JSON.stringify(m.build)} ${smaps}`);
  c.send({ close: true });
});
