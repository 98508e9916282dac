// The storage-only append's Ordo side (bench/append-storage.ts's ordoAppend) on one build: encodeFrame over
// 4,096 events and one transaction per frame into a fresh WAL log, synchronous as given; prints CPU ns/event
// (process: this thread plus the checkpointer) and wall ns/event, median of `runs`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const dist = resolve(process.argv[2]);
const sync = process.argv[3] ?? 'normal';
const runs = Number(process.argv[4] ?? 3);
const { encodeFrame } = await import(pathToFileURL(`${dist}/engine/protocol/codec.js`).href);
const { openWritableLog } = await import(pathToFileURL(`${dist}/engine/store/log.js`).href);
const { orderSession } = await import('../../dist/bench/session.js');
const events = [...orderSession(1_000_000)];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
const c = [], w = [];
for (let r = 0; r < runs; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'ab-append-'));
  const log = openWritableLog(join(dir, 'ordo.db'), { synchronous: sync });
  log.transaction(() => log.openSession(1, events[0].ts));
  const t0 = cpu(), w0 = performance.now();
  for (let i = 0; i < events.length; i += 4096) {
    const end = Math.min(events.length, i + 4096);
    const bytes = encodeFrame(1, events, i, end);
    log.transaction(() => log.appendFrame(1, events[i].seq, events[end - 1].seq, bytes));
  }
  c.push((cpu() - t0) / events.length); w.push((performance.now() - w0) * 1e6 / events.length);
  log.close();
  rmSync(dir, { recursive: true, force: true });
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(1);
console.log(JSON.stringify({ dist: process.argv[2], sync, events: events.length, cpuNs: med(c), wallNs: med(w), cpuRuns: c.map((x) => x.toFixed(0)).join(' ') }));
