const { writeFrameLog } = await import('/work/wt17/replay/dist/bench/replay.js');
import { cpSync } from 'node:fs';
const s = writeFrameLog(5_000_000);
cpSync(s.db, '/tmp/r17rep/frames5m.db');
console.log('5m', s.events, s.bytes);
s.dispose();
