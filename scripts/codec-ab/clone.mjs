// Would decoding on the reader thread pay? The caller would still have to get event objects: the cheapest
// general hand-over of decoded objects is the structured clone postMessage does (serialize there, deserialize
// here). Compare its per-event CPU on this thread against decoding the frame bytes here.
const { encodeFrame, visitFrame } = await import('../../dist/engine/protocol/codec.js');
const { orderSession } = await import('../../dist/bench/session.js');
const { serialize, deserialize } = await import('node:v8');
const events = [...orderSession(300000)];
const frames = [], batches = [], blobs = [];
for (let i = 0; i < events.length; i += 4096) { const s = events.slice(i, i + 4096); batches.push(s); frames.push(encodeFrame(1, s)); blobs.push(serialize(s)); }
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
let sink = 0;
const res = { decode: [], deserialize: [], serialize: [] };
for (let r = 0; r < 12; r++) {
  let t = cpu(); for (const f of frames) visitFrame(f, (e) => { sink += e.cseq; }); res.decode.push((cpu() - t) / events.length);
  t = cpu(); for (const b of blobs) { const a = deserialize(b); sink += a.length; } res.deserialize.push((cpu() - t) / events.length);
  t = cpu(); for (const s of batches) sink += serialize(s).length; res.serialize.push((cpu() - t) / events.length);
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(1);
console.log(JSON.stringify({ events: events.length, decodeNs: med(res.decode), deserializeNs: med(res.deserialize), serializeNs: med(res.serialize), cloneBytesPerEvent: (blobs.reduce((n, b) => n + b.length, 0) / events.length).toFixed(1), sink: sink > 0 }));
