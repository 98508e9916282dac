import Database from '/work/wt13/bytes/node_modules/better-sqlite3/lib/index.js';
const db = new Database('/tmp/bytes-ab/B-small.db', { readonly: true });
const SPAN = 2 ** 36;
const qs = {
  A: `SELECT count(*), CAST(group_concat(body, '') AS BLOB), group_concat(crc || ',' || length(body) || ',', ''), max(key) FROM (SELECT key, crc, body FROM frames f WHERE key >= ? AND key <= ? ORDER BY key LIMIT ?)`,
  B: `SELECT count(*), CAST(group_concat(body, '') AS BLOB), group_concat(crc || ',' || length(body) || ',' || (key % ${SPAN}) || ',' || n || ',', ''), max(key) FROM (SELECT key, n, crc, body FROM frames f WHERE key >= ? AND key <= ? ORDER BY key LIMIT ?)`,
  P: `SELECT count(*), CAST(group_concat(body, '') AS BLOB), group_concat(printf('%d,%d,%d,', crc, length(body), n), ''), max(key), min(key) FROM (SELECT key, n, crc, body FROM frames f WHERE key >= ? AND key <= ? ORDER BY key LIMIT ?)`,
  Q: `SELECT count(*), CAST(group_concat(body, '') AS BLOB), group_concat(printf('%d,%d,%d,%d,', crc, length(body), key % ${SPAN}, n), ''), max(key) FROM (SELECT key, n, crc, body FROM frames f WHERE key >= ? AND key <= ? ORDER BY key LIMIT ?)`,
  C: `SELECT count(*), CAST(group_concat(body, '') AS BLOB), group_concat(crc || ',' || length(body) || ',' || n || ',', ''), max(key), min(key) FROM (SELECT key, n, crc, body FROM frames f WHERE key >= ? AND key <= ? ORDER BY key LIMIT ?)`,
};
for (let r = 0; r < 3; r++) for (const [k, q] of Object.entries(qs)) {
  const st = db.prepare(q).raw(true);
  const c0 = process.cpuUsage(); let next = SPAN, rows = 0;
  for (;;) { const row = st.get(next, 2 * SPAN - 1, 4096); if (row[0] === 0) break; rows += row[0]; next = row[3] + 1; }
  const c = process.cpuUsage(c0); console.log(k, rows, ((c.user + c.system) * 1000 / rows).toFixed(0), 'ns/frame');
}
