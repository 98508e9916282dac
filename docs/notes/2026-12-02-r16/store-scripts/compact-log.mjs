// node compact-log.mjs ROOT DB: compacts all of session 1 of DB (ROOT's compactSession), as the host's compactor does behind its lag.
import { join } from 'node:path';
const [root, db] = process.argv.slice(2);
const { compactSession } = await import(join(root, 'dist/engine/store/compaction.js'));
const { openWritableLog } = await import(join(root, 'dist/engine/store/log.js'));
const w = openWritableLog(db, { backgroundCheckpoint: false });
console.log(JSON.stringify(compactSession(w, 1, w.lastSeq(1), true)));
w.close();
