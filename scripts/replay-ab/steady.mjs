// node steady.mjs DIST DB ROUNDS: ROUNDS cold-projection decode+apply passes over frames held in memory (instruction counting).
import { createRequire } from 'node:module';
const Database = createRequire(new URL('../../package.json', import.meta.url))('better-sqlite3');
const [dist, db, roundsArg] = process.argv.slice(2);
const codec = await import(`${dist}/engine/protocol/codec.js`);
const { OmsProjection } = await import(`${dist}/engine/oms/projection.js`);
const visit = codec.visitFrameReusing ?? codec.visitFrame;
const sql = new Database(db, { readonly: true });
const frames = sql.prepare('SELECT body FROM frames WHERE key >= 68719476736 AND key < 137438953472 ORDER BY key').raw(true).all().map((r) => r[0]);
sql.close();
let h = '';
for (let r = 0; r < Number(roundsArg); r++) { const p = new OmsProjection(); for (const f of frames) visit(f, (e) => p.apply(e)); h = p.lastSeq; }
console.log(h);
