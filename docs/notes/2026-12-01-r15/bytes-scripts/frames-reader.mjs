// node frames-reader.mjs <dist> <db> <to>: the replay service's reader (EventLog.frames, wire bytes) over seqs 1..to
const [dist, db, to] = process.argv.slice(2);
const { openReadableLog } = await import(`${dist}/engine/store/log.js`);
const log = openReadableLog(db);
let bytes = 0, frames = 0;
for (const f of log.frames(1, 1, Number(to))) { bytes += f.bytes.length; frames++; }
log.close();
console.log(frames, bytes);
