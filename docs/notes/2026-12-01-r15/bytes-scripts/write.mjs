// node write.mjs <dist> <out.db> <4096|r13> [events, default 1,000,000]
import { readFileSync, rmSync } from 'node:fs';
const [dist, out, which, count] = process.argv.slice(2);
const { orderSession, storeSession } = await import(`${dist}/bench/session.js`);
const { openWritableLog } = await import(`${dist}/engine/store/log.js`);
const sizes = which === '4096' ? [4096] : JSON.parse(readFileSync('/work/wt15/bytes/docs/notes/2026-12-01-r13/bytes-frame-sizes-r13.json', 'utf8'))['1000'];
for (const f of ['', '-wal', '-shm', '.head']) rmSync(out + f, { force: true });
const log = openWritableLog(out, { backgroundCheckpoint: false });
const n = storeSession(log, orderSession(Number(count ?? 1000000)), undefined, sizes);
log.db.pragma('wal_checkpoint(TRUNCATE)');
log.close();
console.log(out, n);
