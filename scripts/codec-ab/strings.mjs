// node scripts/codec-ab/strings.mjs: CPU ns per short ASCII string (client order ids as the bench makes them,
// 'B' + base-36, 2-5 characters; and 12-character ids) written and read the ways the codec could: the
// ByteWriter's own loop (what the codec does), TextEncoder.encodeInto, Buffer.latin1Write; asciiString (what the
// codec does), Buffer.latin1Slice, TextDecoder. Median of 15 rounds over 200 k strings.
import { asciiString, ByteWriter } from '../../dist/engine/protocol/bytes.js';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(1);
const te = new TextEncoder();
const td = new TextDecoder('utf-8', { fatal: true });
for (const make of [(k) => `B${k.toString(36).toUpperCase()}`, (k) => `ORD-${String(k).padStart(8, '0')}`]) {
  const strs = Array.from({ length: 200_000 }, (_, k) => make(k + 1000));
  const buf = Buffer.alloc(strs.length * 16);
  const w = new ByteWriter(strs.length * 16);
  const offs = [];
  const res = { loop: [], encodeInto: [], latin1Write: [], asciiString: [], latin1Slice: [], textDecoder: [] };
  let sink = 0;
  for (let r = 0; r < 15; r++) {
    let t = cpu(); w.reset(); for (const s of strs) w.str(s); res.loop.push((cpu() - t) / strs.length);
    t = cpu(); let p = 0; for (const s of strs) { const { written } = te.encodeInto(s, buf.subarray(p + 1)); buf[p] = written; p += written + 1; } res.encodeInto.push((cpu() - t) / strs.length);
    t = cpu(); p = 0; offs.length = 0; for (const s of strs) { const n = buf.latin1Write(s, p + 1); buf[p] = n; offs.push(p); p += n + 1; } res.latin1Write.push((cpu() - t) / strs.length);
    t = cpu(); for (const o of offs) sink += asciiString(buf, o + 1, buf[o]).length; res.asciiString.push((cpu() - t) / strs.length);
    t = cpu(); for (const o of offs) sink += buf.latin1Slice(o + 1, o + 1 + buf[o]).length; res.latin1Slice.push((cpu() - t) / strs.length);
    t = cpu(); for (const o of offs) sink += td.decode(buf.subarray(o + 1, o + 1 + buf[o])).length; res.textDecoder.push((cpu() - t) / strs.length);
  }
  console.log(JSON.stringify({ example: strs[0], ...Object.fromEntries(Object.entries(res).map(([k, v]) => [k, med(v)])), sink: sink > 0 }));
}
