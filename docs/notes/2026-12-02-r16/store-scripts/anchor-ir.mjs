const [root, mode] = process.argv.slice(2);
const { openReadableLog } = await import(`${root}/dist/engine/store/log.js`);
const { logAnchor } = await import(`${root}/dist/engine/store/checkpoint-file.js`);
const log = openReadableLog('/tmp/store-m/compacted.db');
log.lastSeq(1);
if (mode === 'check') console.log(logAnchor(log.db, 1, 750_001));
log.close();
