// valgrind --tool=callgrind node --single-threaded scripts/codec-ab/ir.mjs <dist> <enc|dec> <reps>: encodes (or
// decodes) 200 k events of the bench mix `reps` times; (Ir at 4 reps - Ir at 1) / (3 x events) = instructions/event.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const { encodeFrame, visitFrame } = await import(pathToFileURL(`${resolve(process.argv[2])}/engine/protocol/codec.js`).href);
const { orderSession } = await import('../../dist/bench/session.js');
const events = [...orderSession(200000)];
const frames = [];
for (let i = 0; i < events.length; i += 4096) frames.push(encodeFrame(1, events, i, Math.min(events.length, i + 4096)));
let sink = 0;
for (let r = 0; r < Number(process.argv[4]); r++) {
  if (process.argv[3] === 'enc') for (let i = 0; i < events.length; i += 4096) sink += encodeFrame(1, events, i, Math.min(events.length, i + 4096)).length;
  else for (const f of frames) visitFrame(f, (e) => { sink += e.cseq; });
}
console.log(events.length, sink > 0);
