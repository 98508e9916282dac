// node scripts/replay-ab/mk.mjs [DIR]: writes DIR/big/ordo.db (1 M events, 4,096-event frames) and DIR/small/ordo.db (frames of 1-4 events).
const out = process.argv[2] ?? '/tmp/r10rep';
const { writeFrameLog } = await import(new URL('../../dist/bench/replay.js', import.meta.url).href);
import { cpSync, mkdirSync } from 'node:fs';
const big = writeFrameLog(1_000_000);
mkdirSync(`${out}/big`, { recursive: true });
cpSync(big.db, `${out}/big/ordo.db`);
console.log('big', big.events, big.bytes);
big.dispose();
const small = writeFrameLog(1_000_000, [1, 2, 3, 4]);
mkdirSync(`${out}/small`, { recursive: true });
cpSync(small.db, `${out}/small/ordo.db`);
console.log('small', small.events, small.bytes);
small.dispose();
