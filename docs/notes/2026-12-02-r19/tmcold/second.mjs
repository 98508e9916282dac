// Where the second call's time goes: PastStates.call (reuse) in this process, then the answer's structured clone (v8 serialize + deserialize, what the IPC channel's 'advanced' mode does) and JSON.stringify.
import { serialize, deserialize } from 'node:v8';
import { join } from 'node:path';
const [root, dir, seq] = process.argv.slice(2);
const { openReadableLog } = await import(join(root, 'dist/engine/store/log.js'));
const { PastStates } = await import(join(root, 'dist/engine/host/past-states.js'));
const log = openReadableLog(join(dir, 'ordo.db'));
const s = new PastStates(log);
const c = { kind: 'state', session: 1, seq: Number(seq) };
let t = performance.now(); s.call(c); console.log('first', (performance.now() - t).toFixed(0), 'ms');
for (let k = 0; k < 3; k++) {
  t = performance.now(); const r = s.call(c); const t1 = performance.now();
  const b = serialize({ id: 1, result: r, build: s.lastBuild }); const t2 = performance.now();
  const back = deserialize(b); const t3 = performance.now();
  const j = JSON.stringify(back.result.value); const t4 = performance.now();
  console.log(`call ${(t1 - t).toFixed(1)} ms, serialize ${(t2 - t1).toFixed(1)} ms (${b.length} B), deserialize ${(t3 - t2).toFixed(1)} ms, JSON ${(t4 - t3).toFixed(1)} ms (${j.length} B)`);
}
