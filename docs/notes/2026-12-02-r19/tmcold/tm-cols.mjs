// Breakdown of a checkpoint's columns: count and bytes by (wide type, stored type), split or inline.
import { join } from 'node:path';
const root = process.argv[2], dir = process.argv[3], at = Number(process.argv[4]);
const { openReadableLog } = await import(join(root, 'dist/engine/store/log.js'));
const { checkpointNeeds } = await import(join(root, 'dist/engine/oms/checkpoint-codec.js'));
const log = openReadableLog(join(dir, 'ordo.db'));
const c = log.checkpoints.atOrBefore(1, at, (p) => console.log('bad', p), checkpointNeeds).next().value;
console.log('checkpoint', c.seq, 'parts', c.parts.length, 'bytes', c.parts.reduce((n, p) => n + p.length, 0));
const buf = Buffer.concat(c.parts);
const n = buf.readUInt32LE(4);
const stream = buf.subarray(16, 16 + n);
const names = ['Int8','Uint8','Uint8C','Int16','Uint16','Int32','Uint32','F32','F64','DV','Buf','BI64','BU64'];
const { DefaultDeserializer } = await import('node:v8');
const stats = new Map();
class D extends DefaultDeserializer { _readHostObject() { const tag = this.readUint32(); const len = this.readUint32();
  let key;
  if ((tag & 0xff00) === 0x5300) { this.readDouble(); key = `split ${names[(tag>>4)&0xf]}<-${names[tag&0xf]}`; }
  else if ((tag & 0xff00) === 0x4e00) { this.readRawBytes(len); key = `inline ${names[(tag>>4)&0xf]}<-${names[tag&0xf]}`; }
  else { this.readRawBytes(len); key = `inline ${names[tag]}`; }
  const s = stats.get(key) ?? { n: 0, stored: 0 }; s.n++; s.stored += len; stats.set(key, s); return new Uint8Array(0); } }
const d = new D(Buffer.from(stream)); d.readHeader(); d.readValue();
const w = { Int8:1,Uint8:1,Uint8C:1,Int16:2,Uint16:2,Int32:4,Uint32:4,F32:4,F64:8,Buf:1,BI64:8,BU64:8 };
let tw = 0, ts = 0;
for (const [k, s] of [...stats].sort()) { const m = k.match(/(\w+)<-(\w+)/); const wide = m ? s.stored / w[m[2]] * w[m[1]] : s.stored; tw += wide; ts += s.stored;
  console.log(k.padEnd(24), String(s.n).padStart(6), 'stored MiB', (s.stored/2**20).toFixed(1).padStart(7), 'widened MiB', (wide/2**20).toFixed(1).padStart(7)); }
console.log('total stored MiB', (ts/2**20).toFixed(1), 'in memory MiB', (tw/2**20).toFixed(1), 'stream MiB', (n/2**20).toFixed(1));
