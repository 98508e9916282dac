// What the time machine's decode leaves narrow at a seq (this build): chunks and bytes kept narrow, and what widening them would take.
import { join } from 'node:path';
const [root, dir, seq] = process.argv.slice(2);
const { openReadableLog } = await import(join(root, 'dist/engine/store/log.js'));
const { startingPoint } = await import(join(root, 'dist/engine/oms/projection-at.js'));
const { narrowChunks } = await import(join(root, 'dist/engine/oms/order-table/narrow-chunks.js'));
const log = openReadableLog(join(dir, 'ordo.db'));
const t0 = performance.now();
const s = startingPoint(log, 1, Number(seq));
const ms = performance.now() - t0;
const table = s.projection.table;
let narrow = 0;
for (const t of [table, table.fills]) for (const c of t.chunks) for (const v of Object.values(c)) {
  if (!ArrayBuffer.isView(v)) continue;
  if (v.constructor !== Float64Array && v.constructor !== Int32Array && v.constructor !== Uint8Array) { narrow += v.byteLength; }
}
console.log(`from ${s.seq}: decode ${ms.toFixed(0)} ms; narrow chunks ${narrowChunks(table)}; bytes kept narrow ${(narrow / 2 ** 20).toFixed(1)} MiB (Uint8 columns of their own type not counted)`);
