// node scripts/replay-ab/sqlcost.mjs DB: main-thread CPU per event of FramePages's page query and its parts (8,192-frame pages, second of 2 rounds).
// It measures the schema-3 page query (round 10, before decision 254 keyed frames by one integer): run it on a log written before schema 4 (read-only, not converted).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const Database = createRequire(new URL('../../package.json', import.meta.url))('better-sqlite3');
const db = new Database(process.argv[2], { readonly: true });
const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const q = {
  current: `SELECT count(*), CAST(group_concat(body, '') AS BLOB), group_concat(crc || ',' || length(body) || ',', ''), max(first_seq) FROM (SELECT first_seq, crc, body FROM frames WHERE session = ? AND first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?)`,
  bodyOnly: `SELECT count(*), CAST(group_concat(body, '') AS BLOB), max(first_seq) FROM (SELECT first_seq, crc, body FROM frames WHERE session = ? AND first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?)`,
  metaOnly: `SELECT count(*), group_concat(crc || ',' || length(body) || ',', ''), max(first_seq) FROM (SELECT first_seq, crc, body FROM frames WHERE session = ? AND first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?)`,
  metaTwo: `SELECT count(*), group_concat(crc, ','), group_concat(length(body), ','), max(first_seq) FROM (SELECT first_seq, crc, body FROM frames WHERE session = ? AND first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?)`,
  metaPrintf: `SELECT count(*), group_concat(printf('%d,%d,', crc, length(body)), ''), max(first_seq) FROM (SELECT first_seq, crc, body FROM frames WHERE session = ? AND first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?)`,
  metaCrcOnly: `SELECT count(*), group_concat(crc, ','), max(first_seq) FROM (SELECT first_seq, crc, body FROM frames WHERE session = ? AND first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?)`,
  lenOnly: `SELECT count(*), group_concat(length(body), ','), max(first_seq) FROM (SELECT first_seq, crc, body FROM frames WHERE session = ? AND first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?)`,
  countOnly: `SELECT count(*), max(first_seq) FROM (SELECT first_seq, crc, body FROM frames WHERE session = ? AND first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?)`,
};
const events = db.prepare('SELECT max(last_seq) FROM frames WHERE session = 1').pluck().get();
for (let round = 0; round < 2; round++) for (const [name, sql] of Object.entries(q)) {
  const st = db.prepare(sql).raw(true);
  const c0 = cpu(); let next = 1; let frames = 0;
  for (;;) { const r = st.get(1, next, 1e15, 8192); if (r[0] === 0) break; frames += r[0]; next = r.at(-1) + 1; if (r[0] < 8192) break; }
  if (round === 1) console.log(name.padEnd(10), ((cpu() - c0) / events).toFixed(1), 'ns/event', frames, 'frames');
}
