// node scripts/replay-ab/mk-live.mjs DIR RATE ORDERS: a live host at RATE orders/s; its frame sizes saved to DIR/live-RATE.json,
// the bench's 1 M-event session stored in them (DIR/live-RATE/raw.db) and compacted as the bench does (DIR/live-RATE/ordo.db).
const [out = '/tmp/r11rep', rateArg = '10000', ordersArg = '50000'] = process.argv.slice(2);
const dist = new URL('../../dist/bench/', import.meta.url).href;
const { liveFrames } = await import(`${dist}live.js`);
const { writeFrameLog, compactStoredLog } = await import(`${dist}replay.js`);
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const rate = Number(rateArg);
const sizesFile = `${out}/live-${rate}.json`;
let sizes;
if (existsSync(sizesFile)) sizes = JSON.parse(readFileSync(sizesFile, 'utf8'));
else {
  const live = await liveFrames(rate, Number(ordersArg), 10);
  sizes = live.frameSizes;
  writeFileSync(sizesFile, JSON.stringify(sizes));
  console.log('achieved', live.orders.ordersPerSec, 'orders/s', sizes.length, 'frames', live.events, 'events');
}
const stored = writeFrameLog(1_000_000, sizes);
mkdirSync(`${out}/live-${rate}`, { recursive: true });
cpSync(stored.db, `${out}/live-${rate}/raw.db`);
const c = compactStoredLog(stored, 16_384);
cpSync(stored.db, `${out}/live-${rate}/ordo.db`);
console.log(JSON.stringify({ rate, events: stored.events, framesBefore: c.framesBefore, framesAfter: c.framesAfter }));
stored.dispose();
process.exit(0);
