import Database from '/work/wt13/bytes/node_modules/better-sqlite3/lib/index.js';
import { readFileSync, statSync, rmSync } from 'node:fs';
import { orderSession, storeSession } from '/work/wt13/bytes/dist/bench/session.js';
import { openWritableLog } from '/work/wt13/bytes/dist/engine/store/log.js';
const sizes = JSON.parse(readFileSync('/work/wt13/bytes/docs/notes/2026-11-30-r12/bytes-frame-sizes-quiet.json','utf8'))['1000'];
const dir='/tmp/bytes-wr'; for (const f of ['src.db','src.db-wal','src.db-shm','src.db.head','a.db','b.db','c.db']) rmSync(`${dir}/${f}`,{force:true});
const log = openWritableLog(`${dir}/src.db`, { backgroundCheckpoint: false });
const stored = storeSession(log, orderSession(1000000), undefined, sizes);
log.db.pragma('wal_checkpoint(TRUNCATE)');
const rows = log.db.prepare('SELECT key, n, crc, body FROM frames ORDER BY key').raw(true).all();
log.close();
const SPAN = 2**36;
const variants = {
  'rowid key (schema 6 as shipped)': ['CREATE TABLE frames (key INTEGER PRIMARY KEY, n INTEGER NOT NULL, crc INTEGER NOT NULL, body BLOB NOT NULL) STRICT', 'INSERT INTO frames VALUES (?,?,?,?)', (r) => r],
  'WITHOUT ROWID, key': ['CREATE TABLE frames (key INTEGER PRIMARY KEY, n INTEGER NOT NULL, crc INTEGER NOT NULL, body BLOB NOT NULL) STRICT, WITHOUT ROWID', 'INSERT INTO frames VALUES (?,?,?,?)', (r) => r],
  'WITHOUT ROWID, (session, first_seq)': ['CREATE TABLE frames (session INTEGER NOT NULL, first_seq INTEGER NOT NULL, n INTEGER NOT NULL, crc INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (session, first_seq)) STRICT, WITHOUT ROWID', 'INSERT INTO frames VALUES (?,?,?,?,?)', (r) => [Math.floor(r[0]/SPAN), r[0]%SPAN, r[1], r[2], r[3]]],
};
let i=0;
for (const [name,[ddl,ins,map]] of Object.entries(variants)) {
  const p=`${dir}/${'abc'[i++]}.db`; const db=new Database(p); db.pragma('journal_mode=WAL');
  db.exec(ddl); const st=db.prepare(ins);
  // one transaction per frame as the sequencer commits at 1 k orders/s would be slow; page layout is the same for appends in key order
  db.transaction(()=>{for(const r of rows) st.run(...map(r));})();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pages=db.prepare("SELECT count(*) c, sum(pgsize) s FROM dbstat WHERE name='frames'").get();
  const interior=db.prepare("SELECT count(*) c FROM dbstat WHERE name='frames' AND pagetype='internal'").get();
  db.close();
  console.log(JSON.stringify({name, events: stored, frames: rows.length, fileBytesPerEvent: +(statSync(p).size/stored).toFixed(2), framesTreePages: pages.c, interiorPages: interior.c}));
}
