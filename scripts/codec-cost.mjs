// CPU cost of the event codec per event on one thread: `node scripts/codec-cost.mjs [distDir] [events] [reps]`.
// Encodes the bench's order session (bench/session.ts, the mix the append and replay scenarios use) into
// 4,096-event frames with encodeFrame, then decodes every frame with visitFrame, `reps` rounds each, and prints
// one JSON line: the median and minimum CPU ns/event (process.cpuUsage: user+system of this process, which is
// this thread plus V8's helpers) of encode and decode. distDir lets an A/B run load another build's dist.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? 'dist');
const total = Number(process.argv[3] ?? 1_000_000);
const reps = Number(process.argv[4] ?? 15);
const FRAME = 4096;
const { encodeFrame, visitFrame } = await import(pathToFileURL(`${dist}/engine/protocol/codec.js`).href);
// The events are data: always made by this worktree's build (the same objects for either codec).
const { orderSession } = await import(new URL("../dist/bench/session.js", import.meta.url).href);

const events = [...orderSession(total)];
const frames = [];
for (let i = 0; i < events.length; i += FRAME) frames.push(encodeFrame(1, events, i, Math.min(events.length, i + FRAME)));
const bytes = frames.reduce((s, f) => s + f.length, 0);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const enc = [];
const dec = [];
let sink = 0;
for (let r = 0; r < reps; r++) {
  let t = cpu();
  for (let i = 0; i < events.length; i += FRAME) sink += encodeFrame(1, events, i, Math.min(events.length, i + FRAME)).length;
  enc.push((cpu() - t) / events.length);
  t = cpu();
  for (const f of frames) visitFrame(f, (e) => { sink += e.cseq; });
  dec.push((cpu() - t) / events.length);
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const r1 = (x) => Math.round(x * 10) / 10;
console.log(JSON.stringify({ dist, events: events.length, bytesPerEvent: r1(bytes / events.length), encodeNs: r1(med(enc)), encodeMinNs: r1(Math.min(...enc)), decodeNs: r1(med(dec)), decodeMinNs: r1(Math.min(...dec)), sink: sink > 0 }));
