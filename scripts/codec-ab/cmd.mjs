// node scripts/codec-ab/cmd.mjs <dist> [batch]: CPU ns per command of encodeCommands and decodeCommands on batches of
// `batch` (32) commands of the bench mix (each component's events as its commands), median of 15 rounds.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const { encodeCommands, decodeCommands } = await import(pathToFileURL(`${resolve(process.argv[2])}/engine/protocol/codec.js`).href);
const { orderSession } = await import('../../dist/bench/session.js');
const B = Number(process.argv[3] ?? 32);
const bySrc = new Map();
for (const e of orderSession(300000)) { if (e.src === 'host' || e.src === 'sequencer') continue; let a = bySrc.get(e.src); if (!a) bySrc.set(e.src, (a = [])); a.push({ cseq: e.cseq, body: e.event }); }
const batches = [];
for (const [src, a] of bySrc) for (let i = 0; i < a.length; i += B) batches.push([src, a.slice(i, i + B)]);
const bytes = batches.map(([s, c]) => encodeCommands(s, c));
const n = batches.reduce((k, b) => k + b[1].length, 0);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
const enc = [], dec = []; let sink = 0;
for (let r = 0; r < 15; r++) {
  let t = cpu(); for (const [s, c] of batches) sink += encodeCommands(s, c).length; enc.push((cpu() - t) / n);
  t = cpu(); for (const b of bytes) sink += decodeCommands(b).commands.length; dec.push((cpu() - t) / n);
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(1);
console.log(JSON.stringify({ dist: process.argv[2], commands: n, batch: B, encodeNs: med(enc), decodeNs: med(dec), sink: sink > 0 }));
