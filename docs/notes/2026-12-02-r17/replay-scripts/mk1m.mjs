const { writeFrameLog } = await import('/work/wt17/replay/dist/bench/replay.js');
import { cpSync } from 'node:fs';
const s = writeFrameLog(1_000_000);
cpSync(s.db, '/tmp/r17rep/frames1m.db');
console.log('1m', s.events, s.bytes);
s.dispose();
