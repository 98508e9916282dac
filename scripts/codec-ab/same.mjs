// node scripts/codec-ab/same.mjs <other build's dist>: encodes 300 k events of the bench mix in frames of 1, 7 and
// 4,096 with that build's encodeFrame and this worktree's, and fails at the first frame whose bytes differ.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const A = await import(pathToFileURL(`${resolve(process.argv[2])}/engine/protocol/codec.js`).href);
const B = await import('../../dist/engine/protocol/codec.js');
const { orderSession } = await import('../../dist/bench/session.js');
const events = [...orderSession(300000)];
let n = 0;
for (const size of [1, 7, 4096]) for (let i = 0; i < events.length; i += size) {
  const a = A.encodeFrame(1, events, i, Math.min(events.length, i + size));
  const b = B.encodeFrame(1, events, i, Math.min(events.length, i + size));
  if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) throw new Error(`differ at ${i} size ${size}`);
  n++;
}
console.log('identical frames', n);
