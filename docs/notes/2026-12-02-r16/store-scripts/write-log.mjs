// node write-log.mjs ROOT DB EVENTS: session 1 of EVENTS order events in live 1 k-like frames (1.6 events a frame), ROOT's writer.
import { join } from 'node:path';
const [root, db, events] = process.argv.slice(2);
const { orderSession, storeSession } = await import(join(root, 'dist/bench/session.js'));
const { openWritableLog } = await import(join(root, 'dist/engine/store/log.js'));
const w = openWritableLog(db, { backgroundCheckpoint: false });
console.log(storeSession(w, orderSession(Number(events)), undefined, [1, 2, 1, 3, 1, 1, 2]));
w.close();
