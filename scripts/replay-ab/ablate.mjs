// node ablate.mjs DIST DB NAME ROUNDS: steady-state decode+apply ns/event (thread CPU, median) with one part made a no-op.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const Database = createRequire(new URL('../../package.json', import.meta.url))('better-sqlite3');
const [dist, db, name, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 7);
const codec = await import(`${dist}/engine/protocol/codec.js`);
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const { SeqChains } = await import(`${dist}/engine/oms/order-table/seq-chains.js`);
const { CommandSeqs } = await import(`${dist}/engine/oms/projection-cseq.js`);
const { OrderRow } = await import(`${dist}/engine/oms/order-table/order-row.js`);
const { NameTable } = await import(`${dist}/engine/oms/order-table/names.js`);
const { BytePool } = await import(`${dist}/engine/oms/order-table/byte-pool.js`);
const { FillTable } = await import(`${dist}/engine/oms/order-table/fill-table.js`);
const ab = {
  none: () => {},
  seqchains: () => { SeqChains.prototype.append = function () { return 0; }; },
  cseq: () => { CommandSeqs.prototype.see = function () {}; },
  reexpose: () => { OrderRow.prototype.reexpose = function () { return 0; }; },
  names: () => { NameTable.prototype.code = function () { return 0; }; },
  coid: () => { BytePool.prototype.putAscii = function () { return 0; }; },
  fills: () => { FillTable.prototype.push = function () { return 0; }; },
  apply: () => { OmsProjection.prototype.apply = function (e) { this.seq = e.seq; }; },
};
ab[name]();
const visit = codec.visitFrameReusing ?? codec.visitFrame;
const sql = new Database(db, { readonly: true });
const frames = sql.prepare('SELECT body FROM frames WHERE key >= 68719476736 AND key < 137438953472 ORDER BY key').raw(true).all().map((r) => r[0]);
sql.close();
let n = 0; for (const f of frames) codec.visitFrame(f, () => n++);
const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const all = [];
for (let r = 0; r < rounds; r++) {
  const p = new OmsProjection();
  const c = cpu(); for (const f of frames) visit(f, (e) => p.apply(e)); all.push((cpu() - c) / n);
}
all.sort((x, y) => x - y);
console.log(name, all[all.length >> 1].toFixed(1));
