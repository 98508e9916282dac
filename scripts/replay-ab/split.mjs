// node split.mjs DIST DB ROUNDS: frames read into memory once; per round: decode only (no-op visitor), then decode+apply into a fresh projection. Thread CPU ns/event (schedstat), median of rounds.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module'; const Database = createRequire(new URL('../../package.json', import.meta.url))('better-sqlite3');
const [dist, db, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 7);
const codec = await import(`${dist}/engine/protocol/codec.js`);
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const visit = codec.visitFrameReusing ?? codec.visitFrame;
const plain = codec.visitFrame;
const sql = new Database(db, { readonly: true });
const frames = sql.prepare('SELECT body FROM frames WHERE key >= 68719476736 AND key < 137438953472 ORDER BY key').raw(true).all().map((r) => r[0]);
sql.close();
let n = 0; for (const f of frames) plain(f, () => n++);
const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const dec = [], decPlain = [], all = [];
let sink = 0;
for (let r = 0; r < rounds; r++) {
  let c = cpu(); for (const f of frames) visit(f, (e) => { sink += e.seq; }); dec.push((cpu() - c) / n);
  c = cpu(); for (const f of frames) plain(f, (e) => { sink += e.seq; }); decPlain.push((cpu() - c) / n);
  const p = new OmsProjection();
  c = cpu(); for (const f of frames) visit(f, (e) => p.apply(e)); all.push((cpu() - c) / n);
}
console.log(JSON.stringify({ sink: sink > 0, n, decodeReusing: +med(dec).toFixed(1), decodePlain: +med(decPlain).toFixed(1), decodeApply: +med(all).toFixed(1), firstDecodeApply: +all[0].toFixed(1) }));
